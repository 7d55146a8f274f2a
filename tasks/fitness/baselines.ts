import { readFileSync } from 'node:fs';
import { parse as parseSync } from 'csv-parse/sync';
import type { BaselineSet, DataFileInfo, Tier } from '../../src/task/index.js';
import { describeDataFile, bundledData } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import { nanMean, proteingymAverage } from './aggregate.js';

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
  files: DataFileInfo[];
}

interface ReferenceJson {
  models: Record<string, string>;
  summary: Record<string, Record<string, number>>;
  summary_assays: number;
}

/** Reads the bundled published values (built by data/build_data.py). */
export function loadPublished(taskDir: string): PublishedTable {
  const csv = bundledData(taskDir, DMS_LEVEL_FILE);
  const ref = bundledData(taskDir, REFERENCE_FILE);
  const records = parseSync(readFileSync(csv.path, 'utf8'), { skip_empty_lines: true }) as string[][];
  const header = records[0]!;
  const models = header.slice(5);
  const assays = new Map<string, PublishedAssay>();
  records.slice(1).forEach((r, k) => {
    const [id, uniprot, selectionType, count, metric] = r as [string, string, string, string, string];
    if (!(METRICS as readonly string[]).includes(metric)) throw new BenchError('E_DATA', `${csv.label}:${k + 2}: unknown metric "${metric}"`);
    let a = assays.get(id);
    if (!a) assays.set(id, (a = { uniprot, selectionType, numberMutants: Number(count), values: Object.fromEntries(models.map((m) => [m, {} as Record<Metric, number>])) }));
    models.forEach((m, j) => {
      const text = r[5 + j]!.trim();
      a!.values[m]![metric as Metric] = text === '' ? NaN : Number(text);
    });
  });
  const json = JSON.parse(readFileSync(ref.path, 'utf8')) as ReferenceJson;
  return {
    models,
    assays,
    summary: json.summary,
    summaryAssays: json.summary_assays,
    files: [describeDataFile(csv.path, csv.label, records.length - 1), describeDataFile(ref.path, ref.label, Object.keys(json.models).length)],
  };
}

export interface RunAssay {
  id: string;
  uniprot: string;
  selectionType: string;
  /** Variants in the assay file (the full assay, whatever the tier scored). */
  totalVariants: number;
}

const nullIfNaN = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The published values of the baselines next to this run's: a `same-data` set with each baseline's
 * per-assay values on this run's assays, aggregated as the model's metrics are (same groups), and a
 * `published` set with ProteinGym's own averages over its 217 assays. An assay counts as the same
 * data when its DMS_id is in ProteinGym's tables and its variant count equals ProteinGym's. When
 * some of this run's assays are not covered, the aggregates are null (they would be over other
 * assays than the model's) and the per-assay values of the covered ones remain.
 */
export function baselineSets(run: readonly RunAssay[], table: PublishedTable, tier: Tier): BaselineSet[] {
  const sets: BaselineSet[] = [];
  const covered = run.filter((a) => table.assays.get(a.id)?.numberMutants === a.totalVariants);
  const missing = run.filter((a) => !covered.includes(a));
  if (covered.length > 0) {
    const complete = missing.length === 0;
    const scores: Record<string, Record<string, number | null>> = {};
    const items: Record<string, Record<string, Record<string, number | null>>> = {};
    for (const m of table.models) {
      scores[m] = {};
      items[m] = {};
      for (const a of covered) {
        const v = table.assays.get(a.id)!.values[m]!;
        items[m]![a.id] = Object.fromEntries(METRICS.map((k) => [k, nullIfNaN(v[k])]));
      }
      for (const k of METRICS) {
        const grouped = run.map((a) => ({ uniprot: a.uniprot, selectionType: a.selectionType, value: table.assays.get(a.id)?.values[m]?.[k] ?? NaN }));
        scores[m]![k] = complete ? nullIfNaN(proteingymAverage(grouped)) : null;
        scores[m]![`${k}_mean`] = complete ? nullIfNaN(nanMean(grouped.map((g) => g.value))) : null;
      }
    }
    const parts = [
      `Published ProteinGym zero-shot values of each baseline on ${complete ? `the ${run.length} assay${run.length === 1 ? '' : 's'} of this run` : `${covered.length} of the ${run.length} assays of this run`}, `
        + 'aggregated as the model\'s metrics are: <metric> = mean per (UniProt_ID, coarse_selection_type), then per selection type, then the mean; <metric>_mean = plain mean over assays. '
        + 'ProteinGym rounds its per-assay values to 3 decimals.',
    ];
    if (!complete) {
      parts.push(`Not covered (DMS_id absent from ProteinGym's tables, or a different variant count): ${missing.map((a) => a.id).join(', ')}; the aggregates are therefore null and only per-assay values are given.`);
    }
    if (tier === 'smoke') {
      parts.push('Smoke tier: the model is scored on a stratified subset of each assay\'s variants while the published values are on the full assays: same assays, not the same variants.');
    } else {
      parts.push('Full tier: same assays, same variants.');
    }
    sets.push({ kind: 'same-data', source: SAME_DATA_SOURCE, description: parts.join(' '), scores, items });
  }
  sets.push({
    kind: 'published',
    source: PUBLISHED_SOURCE,
    description:
      `ProteinGym-wide average Spearman of each baseline over its ${table.summaryAssays} substitution assays (mean per UniProt_ID and selection type, then per selection type, then the mean): `
      + 'a headline on other data than this run\'s assays, for orientation only.',
    scores: Object.fromEntries(table.models.map((m) => [m, { spearman: table.summary[m]?.['Average_Spearman'] ?? null }])),
  });
  return sets;
}
