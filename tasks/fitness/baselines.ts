import { readFileSync } from 'node:fs';
import { parse as parseSync } from 'csv-parse/sync';
import type { BaselineSet, DataFileInfo, Tier } from '../../src/task/index.js';
import { describeDataFile, bundledData } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import { proteingymAverage, proteingymMean } from './aggregate.js';

/** The five ProteinGym metrics, by their result names. */
export const METRICS = ['spearman', 'auc', 'mcc', 'ndcg', 'top_recall'] as const;
export type Metric = (typeof METRICS)[number];

export const DMS_LEVEL_FILE = 'proteingym_dms_level.csv';
export const REFERENCE_FILE = 'proteingym_reference.json';
export const SAME_DATA_SOURCE = 'ProteinGym v1.3 zero-shot substitutions, DMS-level tables (OATML-Markslab/ProteinGym @ bb685245)';
export const PUBLISHED_SOURCE =
  'ProteinGym v1.3 zero-shot substitutions, Summary_performance_DMS_substitutions_Spearman.csv (OATML-Markslab/ProteinGym @ bb685245)';

export interface PublishedAssay {
  uniprot: string;
  selectionType: string;
  numberMutants: number;
  /** model id -> metric -> value (ProteinGym rounds to 3 decimals; NaN where it has none). */
  values: Record<string, Record<Metric, number>>;
}

export interface PublishedTable {
  models: string[];
  assays: Map<string, PublishedAssay>;
  /** model id -> ProteinGym-wide summary (Average_Spearman, Function_*...). */
  summary: Record<string, Record<string, number>>;
  summaryAssays: number;
  /**
   * DMS_id -> sha256 of ProteinGym's assay CSV, where known: the files the build script read
   * (`source.files` of proteingym_reference.json, paths `dms/<DMS_id>.csv`): the bundled assays.
   */
  upstreamSha256: Map<string, string>;
  files: DataFileInfo[];
}

interface ReferenceJson {
  source?: { files?: { path: string; sha256: string; rows: number }[] };
  models: Record<string, string>;
  summary: Record<string, Record<string, number>>;
  summary_assays: number;
}

/** Reads the bundled published values (built by data/build_data.py). */
export function loadPublished(taskDir: string): PublishedTable {
  const csv = bundledData(taskDir, DMS_LEVEL_FILE);
  const ref = bundledData(taskDir, REFERENCE_FILE);
  const csvBytes = readFileSync(csv.path);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse's generic overload needs the columns option
  const records = parseSync(csvBytes.toString('utf8'), { skip_empty_lines: true }) as string[][];
  const header = records[0]!;
  const models = header.slice(5);
  const assays = new Map<string, PublishedAssay>();
  records.slice(1).forEach((r, k) => {
    const [id, uniprot, selectionType, count, metric] = r as [string, string, string, string, string];
    if (!(METRICS as readonly string[]).includes(metric))
      throw new BenchError('E_DATA', `${csv.label}:${k + 2}: unknown metric "${metric}"`);
    let a = assays.get(id);
    if (!a)
      assays.set(
        id,
        (a = {
          uniprot,
          selectionType,
          numberMutants: Number(count),
          values: Object.fromEntries(models.map((m) => [m, {} as Record<Metric, number>])),
        }),
      );
    models.forEach((m, j) => {
      const text = r[5 + j]!.trim();
      a.values[m]![metric as Metric] = text === '' ? NaN : Number(text);
    });
  });
  const refBytes = readFileSync(ref.path);
  const json = JSON.parse(refBytes.toString('utf8')) as ReferenceJson;
  const upstreamSha256 = new Map<string, string>();
  for (const f of json.source?.files ?? []) {
    const m = /^dms\/(.+)\.csv$/.exec(f.path);
    if (m) upstreamSha256.set(m[1]!, f.sha256);
  }
  return {
    models,
    assays,
    summary: json.summary,
    summaryAssays: json.summary_assays,
    upstreamSha256,
    files: [
      describeDataFile(csv.path, csv.label, records.length - 1, csvBytes),
      describeDataFile(ref.path, ref.label, Object.keys(json.models).length, refBytes),
    ],
  };
}

export interface RunAssay {
  id: string;
  uniprot: string;
  selectionType: string;
  /** Variants in the assay file (the full assay, whatever the tier scored). */
  totalVariants: number;
  /** sha256 of the assay CSV's bytes (decompressed), null when unknown. */
  contentSha256: string | null;
}

/**
 * How an assay of the run relates to ProteinGym's published values:
 * - `same-data`: its DMS_id is in ProteinGym's tables with the same variant count, and the sha256 of its
 *   CSV equals that of ProteinGym's file (known for the bundled assays);
 * - `same-assay (unverified)`: same DMS_id and variant count, but no sha256 of ProteinGym's file is known
 *   here, so the content cannot be checked (a modified copy would look the same);
 * - `different-data`: the DMS_id is ProteinGym's but the variant count or the content sha256 differs;
 * - `not-in-proteingym`: the DMS_id is absent from ProteinGym's tables.
 */
export type AssayMatch = 'same-data' | 'same-assay (unverified)' | 'different-data' | 'not-in-proteingym';

export const MATCH_RULE =
  "an assay is the same data as ProteinGym's when its DMS_id is in ProteinGym's DMS-level tables with the same variant count and the sha256 of its CSV (decompressed) equals that of ProteinGym's file " +
  '(known for the bundled assays: proteingym_reference.json, source.files); with the same DMS_id and variant count but no known sha256 it is "same-assay (unverified)": ' +
  'its published values are given for orientation in a published set, never as same data, because a modified file with the same id and count cannot be told apart';

export function matchAssay(a: RunAssay, table: PublishedTable): { match: AssayMatch; reason: string } {
  const pg = table.assays.get(a.id);
  if (!pg) return { match: 'not-in-proteingym', reason: "DMS_id absent from ProteinGym's tables" };
  if (pg.numberMutants !== a.totalVariants) {
    return { match: 'different-data', reason: `${a.totalVariants} variants, ProteinGym's assay has ${pg.numberMutants}` };
  }
  const upstream = table.upstreamSha256.get(a.id);
  if (upstream === undefined) {
    return {
      match: 'same-assay (unverified)',
      reason: "same DMS_id and variant count as ProteinGym's tables; no sha256 of ProteinGym's file is known here to compare the content",
    };
  }
  if (a.contentSha256 === upstream) return { match: 'same-data', reason: "the CSV's sha256 equals that of ProteinGym's file" };
  return {
    match: 'different-data',
    reason: `the CSV's sha256 (${(a.contentSha256 ?? 'unknown').slice(0, 12)}...) differs from that of ProteinGym's file (${upstream.slice(0, 12)}...): a modified copy`,
  };
}

export type AssayMatches = Record<AssayMatch, { id: string; reason: string }[]>;

/**
 * The run's assays by match, in run order. `matches`: {@link matchAssay} of each assay of `run`, when the
 * caller has them already.
 */
export function matchAssays(
  run: readonly RunAssay[],
  table: PublishedTable,
  matches: readonly { match: AssayMatch; reason: string }[] = run.map((a) => matchAssay(a, table)),
): AssayMatches {
  const out: AssayMatches = { 'same-data': [], 'same-assay (unverified)': [], 'different-data': [], 'not-in-proteingym': [] };
  run.forEach((a, k) => {
    const m = matches[k]!;
    out[m.match].push({ id: a.id, reason: m.reason });
  });
  return out;
}

/**
 * What the baseline sets of a run contain, for `protocol.baselines`: the rule, the assays in each
 * class, and one sentence derived from them (never a claim that does not hold for this run).
 * `m`: {@link matchAssays} of the run, when the caller has it already.
 */
export function baselineProtocol(
  run: readonly RunAssay[],
  table: PublishedTable,
  tier: Tier,
  m: AssayMatches = matchAssays(run, table),
): Record<string, unknown> {
  const ids = (k: AssayMatch) => m[k].map((x) => x.id);
  const n = run.length;
  const verified = m['same-data'].length;
  const unverified = m['same-assay (unverified)'].length;
  const parts: string[] = [];
  if (verified === n) {
    parts.push(
      tier === 'smoke'
        ? `same-data: published ProteinGym values on the same ${n === 1 ? 'assay' : `${n} assays`} (content verified by sha256), but on the full assays while the smoke tier scores a subset of variants: same assays, not the same variants`
        : `same-data: published ProteinGym values on the same ${n === 1 ? 'assay' : `${n} assays`} and variants (content verified by sha256)`,
    );
  } else {
    if (verified > 0) {
      parts.push(
        `same-data (content verified by sha256) for ${verified} of the ${n} assays: ${ids('same-data').join(', ')}; aggregates null since the others are not the same data` +
          (tier === 'smoke' ? '; published values on the full assays, the smoke tier scores a subset of variants' : ''),
      );
    } else {
      parts.push("no same-data baseline: no assay of this run is verified to be ProteinGym's data");
    }
    if (unverified > 0) {
      parts.push(`same-assay (unverified), published values for orientation only: ${ids('same-assay (unverified)').join(', ')}`);
    }
    const other = [...m['different-data'], ...m['not-in-proteingym']];
    if (other.length > 0) parts.push(`no published values on the same data: ${other.map((x) => `${x.id} (${x.reason})`).join('; ')}`);
  }
  return {
    rule: MATCH_RULE,
    sameData: ids('same-data'),
    sameAssayUnverified: ids('same-assay (unverified)'),
    differentData: ids('different-data'),
    notInProteinGym: ids('not-in-proteingym'),
    summary: parts.join('. '),
  };
}

const nullIfNaN = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The published values of the baselines next to this run's, by what the run's assays are (see
 * {@link matchAssay}):
 * - a `same-data` set with each baseline's per-assay values on the assays verified to be ProteinGym's
 *   data, aggregated as the model's metrics are (same groups) when every assay of the run is verified;
 *   otherwise the aggregates are null (they would be over other assays than the model's) and the
 *   per-assay values of the verified ones remain;
 * - when some assays are `same-assay (unverified)` and every assay is at least that, a `published` set
 *   with the aggregates over the run's assays, said to be unverified (for orientation, never same data);
 * - a `published` set with ProteinGym's own averages over its 217 assays.
 * `m`: {@link matchAssays} of the run, when the caller has it already.
 */
export function baselineSets(
  run: readonly RunAssay[],
  table: PublishedTable,
  tier: Tier,
  strategy: string,
  m: AssayMatches = matchAssays(run, table),
): BaselineSet[] {
  return mixedBaselineSets(run, table, tier, m).flatMap((set) => splitByProtocol(set, strategy));
}

/**
 * The scoring protocol behind each baseline's published ProteinGym numbers (OATML-Markslab/ProteinGym @ bb685245):
 * - ESM-2: `scripts/scoring_DMS_zero_shot/scoring_ESM2_substitutions.sh` runs `proteingym/baselines/esm/compute_fitness.py`
 *   with `--scoring-strategy masked-marginals`: one pass per position with it masked, `label_row` sums
 *   log p(mut) - log p(wt) from the full-vocabulary log-softmax, sequences over 1,024 tokens cut to
 *   `get_optimal_window` around the masked token. This task's `masked-marginals` is that protocol (windows of the
 *   model's own maxLength, which is 1,024 for ESM-2; no bundled assay needs one).
 * - ProGen2: `proteingym/baselines/progen2/compute_fitness.py` `calc_fitness`: this task's `progen2-proteingym`.
 * - Site-independent: an independent-site model fitted on the assay's MSA (EVcouplings); no language-model protocol
 *   reproduces it, so no run uses the same protocol.
 */
export const BASELINE_PROTOCOLS: readonly { label: string; owns: (model: string) => boolean; protocol: string; detail: string }[] = [
  {
    label: 'ESM-2',
    owns: (m) => m.startsWith('esm2-'),
    protocol: 'masked-marginals',
    detail: "ProteinGym's ESM-2 scoring (scoring_ESM2_substitutions.sh: compute_fitness.py --scoring-strategy masked-marginals)",
  },
  {
    label: 'ProGen2',
    owns: (m) => m.startsWith('progen2-'),
    protocol: 'progen2-proteingym',
    detail:
      "ProteinGym's ProGen2 scoring (proteingym/baselines/progen2/compute_fitness.py calc_fitness: raw residues, softmax over the 25 letter tokens, consecutive chunks)",
  },
  {
    label: 'site-independent',
    owns: (m) => m === 'site-independent',
    protocol: 'site-independent-msa',
    detail: "ProteinGym's Site-Independent model (an independent-site model fitted on the assay's MSA, not a language model)",
  },
];

/**
 * One set per scoring protocol: the baselines of a mixed set grouped by the protocol that made their numbers
 * ({@link BASELINE_PROTOCOLS}), each with `protocol: {baseline, run, same}`, `same` true only when this run's
 * strategy is that protocol. Matched compute gives no verdict (`protocol-differs`) against a set whose `same`
 * is false.
 */
export function splitByProtocol(set: BaselineSet, strategy: string): BaselineSet[] {
  const out: BaselineSet[] = [];
  const models = Object.keys(set.scores);
  const groups = BASELINE_PROTOCOLS.map((g) => ({ ...g, ids: models.filter((m) => g.owns(m)) }));
  const rest = models.filter((m) => !BASELINE_PROTOCOLS.some((g) => g.owns(m)));
  if (rest.length > 0)
    groups.push({ label: 'other', owns: () => false, protocol: 'unknown', detail: 'a protocol this task does not know', ids: rest });
  for (const g of groups) {
    if (g.ids.length === 0) continue;
    const same = g.protocol === strategy;
    const pick = <T>(rec: Record<string, T>): Record<string, T> =>
      Object.fromEntries(g.ids.filter((id) => id in rec).map((id) => [id, rec[id]!]));
    const words = same
      ? `Scored with ${g.detail}; this run used the same protocol (${strategy}).`
      : `Scored with ${g.detail}; this run used ${strategy}: protocol differs, so no verdict against these numbers.`;
    out.push({
      kind: set.kind,
      source: set.source,
      description: `${g.label}: ${set.description} ${words}`,
      scores: pick(set.scores),
      ...(set.items ? { items: pick(set.items) } : {}),
      protocol: { baseline: g.protocol, run: strategy, same },
    });
  }
  return out;
}

/** The sets before they are split by protocol: every baseline model together. */
function mixedBaselineSets(run: readonly RunAssay[], table: PublishedTable, tier: Tier, m: AssayMatches): BaselineSet[] {
  const sets: BaselineSet[] = [];
  const verifiedIds = new Set(m['same-data'].map((x) => x.id));
  const covered = run.filter((a) => verifiedIds.has(a.id));
  const unverified = m['same-assay (unverified)'];
  const notCovered = run.filter((a) => !verifiedIds.has(a.id));
  const reasons = new Map(
    [...m['same-assay (unverified)'], ...m['different-data'], ...m['not-in-proteingym']].map((x) => [x.id, x.reason]),
  );
  const aggregates = (assays: readonly RunAssay[], complete: boolean, model: string): Record<string, number | null> => {
    const out: Record<string, number | null> = {};
    for (const k of METRICS) {
      const grouped = assays.map((a) => ({
        uniprot: a.uniprot,
        selectionType: a.selectionType,
        value: table.assays.get(a.id)?.values[model]?.[k] ?? NaN,
      }));
      out[k] = complete ? nullIfNaN(proteingymAverage(grouped)) : null;
      out[`${k}_mean`] = complete ? nullIfNaN(proteingymMean(grouped.map((g) => g.value))) : null;
    }
    return out;
  };
  const aggregationText =
    "aggregated as the model's metrics are: every per-assay value rounded to 3 decimals (ProteinGym's published values already are), then <metric> = mean per (UniProt_ID, coarse_selection_type), then per selection type, then the mean; <metric>_mean = plain mean over assays.";
  const smokeText =
    "Smoke tier: the model is scored on a stratified subset of each assay's variants while the published values are on the full assays: same assays, not the same variants.";
  if (covered.length > 0) {
    const complete = notCovered.length === 0;
    const scores: Record<string, Record<string, number | null>> = {};
    const items: Record<string, Record<string, Record<string, number | null>>> = {};
    for (const model of table.models) {
      items[model] = {};
      for (const a of covered) {
        const v = table.assays.get(a.id)!.values[model]!;
        items[model][a.id] = Object.fromEntries(METRICS.map((k) => [k, nullIfNaN(v[k])]));
      }
      scores[model] = aggregates(run, complete, model);
    }
    const parts = [
      `Published ProteinGym zero-shot values of each baseline on ${complete ? `the ${run.length} assay${run.length === 1 ? '' : 's'} of this run` : `${covered.length} of the ${run.length} assays of this run`} ` +
        `(${covered.map((a) => a.id).join(', ')}), each verified to be ProteinGym's data (same DMS_id and variant count, and the CSV's sha256 equal to that of ProteinGym's file), ${aggregationText}`,
    ];
    if (!complete) {
      parts.push(
        `Not covered (not verified to be ProteinGym's data): ${notCovered.map((a) => a.id).join(', ')} (${notCovered.map((a) => `${a.id}: ${reasons.get(a.id)}`).join('; ')}); the aggregates are therefore null and only per-assay values are given.`,
      );
    }
    parts.push(
      tier === 'smoke'
        ? smokeText
        : complete
          ? 'Full tier: same assays, same variants.'
          : 'Full tier: the same variants on the verified assays listed above.',
    );
    sets.push({ kind: 'same-data', source: SAME_DATA_SOURCE, description: parts.join(' '), scores, items });
  }
  const sameAssay = m['different-data'].length === 0 && m['not-in-proteingym'].length === 0;
  if (unverified.length > 0 && sameAssay) {
    const parts = [
      `Published ProteinGym zero-shot values of each baseline on the ${run.length} assay${run.length === 1 ? '' : 's'} of this run, ${aggregationText}`,
      `Not same data: ${unverified.length === run.length ? 'every assay' : `${unverified.length} of them`} ${unverified.length === 1 ? 'is' : 'are'} same-assay (unverified): ${unverified.map((x) => x.id).join(', ')}: ` +
        "the same DMS_id and variant count as ProteinGym's tables, but no sha256 of ProteinGym's file is known here to check the content, so a modified copy cannot be told apart; for orientation only.",
    ];
    if (covered.length > 0) parts.push(`Verified by sha256: ${covered.map((a) => a.id).join(', ')}.`);
    if (tier === 'smoke') parts.push(smokeText);
    sets.push({
      kind: 'published',
      source: SAME_DATA_SOURCE,
      description: parts.join(' '),
      scores: Object.fromEntries(table.models.map((model) => [model, aggregates(run, true, model)])),
    });
  }
  sets.push({
    kind: 'published',
    source: PUBLISHED_SOURCE,
    description:
      `ProteinGym-wide average Spearman of each baseline over its ${table.summaryAssays} substitution assays (mean per UniProt_ID and selection type, then per selection type, then the mean): ` +
      "a headline on other data than this run's assays, for orientation only.",
    scores: Object.fromEntries(table.models.map((model) => [model, { spearman: table.summary[model]?.['Average_Spearman'] ?? null }])),
  });
  return sets;
}
