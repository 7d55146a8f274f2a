import { existsSync } from 'node:fs';
import type { DataFileInfo, ItemResult, MetricValue, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { bundledData, describeDataFile, metricOverItems, TaskFailure, TaskSkip } from '../../src/task/index.js';
import { proteingymMetrics } from '../../src/metrics/index.js';
import { STANDARD_AMINO_ACIDS } from '../../src/bio/mutant.js';
import { BenchError } from '../../src/util/errors.js';
import { oncePerContext } from '../../src/task/once.js';
import {
  assayIdOf,
  listAssayFiles,
  mutantString,
  readAssay,
  readReference,
  referenceFor,
  subsetAssay,
  type Assay,
  type ReferenceRow,
} from './assays.js';
import { DEPTHS, proteingymAverage, proteingymMean, proteingymSummary, type Depth } from './aggregate.js';
import { metricsByDepth } from './depth.js';
import {
  BASELINE_PROTOCOLS,
  METRICS,
  baselineProtocol,
  baselineSets,
  loadPublished,
  matchAssay,
  matchAssays,
  type Metric,
} from './baselines.js';
import { defaultStrategy, normalizeOptions, MASKED_STRATEGIES, CAUSAL_STRATEGIES } from './options.js';
import { causalDirections, distinctPositions, plannedPasses, scoreAssay, type Strategy } from './scoring.js';
import { SMOKE_SEED, SMOKE_VARIANTS, smokeSubset } from './tiers.js';

/** Bundled assays: file, sha256 of the .csv.gz, variants. */
const BUNDLED_ASSAYS: [string, string, number][] = [
  ['A0A1I9GEU1_NEIME_Kennouche_2019', '39928341e29f59a9386a2d58ec5294760582c9b2ec89a3465db6a5738d462d06', 922],
  ['BBC1_YEAST_Tsuboyama_2023_1TG0', 'ee61ad506b28c28eed8e39badf64d672a2710598a39512aa2b51d07d7e651275', 2069],
  ['BCHB_CHLTE_Tsuboyama_2023_2KRU', 'd018d648e396b232d33389b3093fb18ab30e50bba932ef9260de2733e1843441', 1572],
  ['BLAT_ECOLX_Stiffler_2015', '3ef4b8cd95c0649de04fc97028daa8b40bb9b78c6eb1c8d7948cc01dfe15f3bb', 4996],
  ['DNJA1_HUMAN_Tsuboyama_2023_2LO1', 'e8e5a4e377fc727900ff6d7246667ba4534aa3c69388e2a44e4e7f7760635f8a', 2264],
  ['R1AB_SARS2_Flynn_2022', '64fd062d7822d11a20c44316dad1df26da5f0e0090966b33c8f9c8377657392f', 5725],
];
const BUNDLED_REFERENCE: [string, string, number] = [
  'DMS_substitutions.csv',
  'a8f498011532a74aa9fe556a50555a75e928c5837d19c06a87592ae04049b308',
  217,
];
const BUNDLED_PUBLISHED: [string, string, number][] = [
  ['proteingym_dms_level.csv', 'f059b8d3d85f9da0ce51c6b9b16b425a88fa3480d983fe61105e1c6eb03dc77b', 1085],
  ['proteingym_reference.json', '22f4f7cda774ed9e7881e463595e37a97378c3e52ab5a4673e10cef8bfbdd27e', 12],
];

const METRIC_INFO: Record<Metric, string> = {
  spearman: 'Spearman rank correlation of the model scores with DMS_score (scipy spearmanr)',
  auc: 'ROC AUC of the model scores against DMS_score_bin (sklearn roc_auc_score)',
  mcc: 'Matthews correlation of DMS_score_bin with the model scores binarised at their median (score >= median)',
  ndcg: 'ProteinGym calc_ndcg: DCG of the model ranking with min-max scaled DMS_score as gains, k = floor(10% of variants), over the ideal DCG',
  top_recall: 'ProteinGym calc_toprecall: share of the top 10% by DMS_score that the model also puts in its top 10%',
};

const SCORE_DEFINITION: Record<Strategy, string> = {
  'masked-marginals':
    'sum over the substituted sites i of log p(mut_i) - log p(wt_i), read at position i of one pass of the wild type with only i masked (multi-mutants sum single-site terms from wild-type contexts)',
  'wt-marginals':
    'sum over the substituted sites i of log p(mut_i) - log p(wt_i), read at position i of one unmasked pass of the wild type',
  'pseudo-ppl':
    'PLL(mutant) - PLL(wild type), PLL = sum over every residue of log p(residue) with that residue masked (one pass per residue)',
  'causal-llr':
    'log p(mutant) - log p(wild type): sums of log p(token | preceding tokens) over every token after the start token (residues and end token), averaged over the N-to-C and C-to-N directions when the vocabulary defines the reverse (progen2)',
  'progen2-proteingym':
    "ProteinGym's Progen2_score: (sum over chunks and both directions of the mean log-likelihood of the residues after the first, softmax restricted to the 25 letter tokens, raw residues without terminal tokens) / 2 / sequence length",
};

const SCORE_REFERENCE: Record<Strategy, string> = {
  'masked-marginals':
    'OATML-Markslab/ProteinGym proteingym/baselines/esm/compute_fitness.py: main (masked-marginals branch) and label_row; ProteinGym scores ESM-2 this way (scoring_ESM2_substitutions.sh)',
  'wt-marginals': 'OATML-Markslab/ProteinGym proteingym/baselines/esm/compute_fitness.py: main (wt-marginals branch) and label_row',
  'pseudo-ppl':
    'OATML-Markslab/ProteinGym proteingym/baselines/esm/compute_fitness.py: compute_pppl (all residues scored here; it skips the last two)',
  'causal-llr':
    'log-likelihood ratio; directions averaged as OATML-Markslab/ProteinGym proteingym/baselines/progen2/compute_fitness.py calc_fitness does; long-sequence window as Tranception get_sequence_slices (scoring_window=optimal)',
  'progen2-proteingym':
    'OATML-Markslab/ProteinGym proteingym/baselines/progen2/compute_fitness.py: calc_fitness (reduction=mean), replicated exactly',
};

const BREAKDOWN_DESCRIPTION =
  "the columns of ProteinGym's Summary table for each metric, from this run's per-assay values rounded to 3 decimals, unrounded (ProteinGym's files round them again): Average and Function_<selection type> as the headline metric; <class>_MSA_depth (MSA_Neff_L_category) and Taxa_<taxon> (taxon; Eukaryote is Taxa_Other_Eukaryote): mean per (UniProt_ID, class), then per class; Depth_<d>: the metric on each assay's variants with d substitutions (5+ pooled; MCC against the whole assay's median cut), mean per (UniProt_ID, coarse_selection_type), then the mean over those groups; null where no assay of the run has a value; assays without a reference row are in no MSA depth or taxon class";

interface AssayRecord {
  id: string;
  uniprot: string;
  selectionType: string;
  taxon: string | null;
  msaDepth: string | null;
  totalVariants: number;
  contentSha256: string;
  metrics: Record<Metric, number>;
  byDepth: Record<Depth, Record<Metric, number>>;
}

/** What the check keeps of an assay once it has read and validated it: enough to plan, report and re-read it. */
interface AssaySummary {
  path: string;
  label: string;
  id: string;
  /** sha256 of the file as read by the check: the run re-reads it and refuses a file that changed meanwhile. */
  fileSha256: string;
  totalVariants: number;
  wildTypeSource: 'reference' | 'reconstructed';
  groupingFallback: boolean;
  binCutoffMismatches: number;
}

interface DataPlan {
  assays: AssaySummary[];
  /** The reference file read: the user's own, else the bundled copy of ProteinGym's. */
  reference: { label: string; bundled: boolean; info: DataFileInfo; rows: Map<string, ReferenceRow> };
  fallbacks: string[];
}

/**
 * Reads and validates every assay once per run, one at a time, keeping only a summary of each (see
 * {@link AssaySummary}): called by `check`, so bad data stops the run before any task has run, with memory flat in
 * the number of assays; `run` then re-reads each assay when it scores it.
 */
const checkData = oncePerContext(async (ctx: TaskContext): Promise<DataPlan> => {
  const { assayFiles, reference } = locateData(ctx);
  const r = readReference(reference.path, reference.label);
  const ref: DataPlan['reference'] = {
    label: reference.label,
    bundled: reference.bundled,
    info: describeDataFile(reference.path, reference.label, r.count, r.bytes),
    rows: r.rows,
  };
  const assays: AssaySummary[] = [];
  for (const f of assayFiles) {
    const a = await readAssayChecked(ctx, f, ref.rows);
    const row = referenceFor(ref.rows, a.id);
    if (row?.totalMutants != null && row.totalMutants !== a.totalVariants) {
      ctx.log.warn(`fitness: ${a.id} has ${a.totalVariants} variants, its reference row (${row.file}) says ${row.totalMutants}`);
    }
    if (a.binCutoffMismatches > 0) {
      ctx.log.warn(
        `fitness: ${a.id}: ${a.binCutoffMismatches} rows have a DMS_score_bin that differs from DMS_score >= DMS_binarization_cutoff (${a.cutoff})`,
      );
    }
    assays.push({
      path: f.path,
      label: f.label,
      id: a.id,
      fileSha256: a.file.sha256,
      totalVariants: a.totalVariants,
      wildTypeSource: a.wildTypeSource,
      groupingFallback: a.groupingFallback,
      binCutoffMismatches: a.binCutoffMismatches,
    });
  }
  const fallbacks = assays.filter((a) => a.groupingFallback).map((a) => a.id);
  if (fallbacks.length > 0) {
    ctx.log.warn(
      `fitness: no UniProt_ID / coarse_selection_type for ${fallbacks.join(', ')}: each forms its own group of selection type "unknown" in the ProteinGym average`,
    );
  }
  return { assays, reference: ref, fallbacks };
});

/** One assay read and validated against its reference row (if any) and the model's vocabulary. */
async function readAssayChecked(
  ctx: TaskContext,
  f: { path: string; label: string },
  rows: Map<string, ReferenceRow> | null,
): Promise<Assay> {
  const a = await readAssay(f.path, f.label, referenceFor(rows, assayIdOf(f.path)));
  const bad = ctx.model.vocab.firstInvalid(a.wildType);
  if (bad >= 0) {
    throw new BenchError(
      'E_DATA',
      `${f.label}: the wild type of ${a.id} has "${a.wildType[bad]}" at residue ${bad + 1}, which the ${ctx.model.vocab.name} vocabulary cannot encode`,
    );
  }
  return a;
}

/** Zero-shot mutational fitness on ProteinGym deep mutational scans. */
const task: TaskModule = {
  name: 'fitness',
  version: '1.3.0',
  needs: ['logits'],
  describe: () => ({
    title: 'Zero-shot mutational fitness: ProteinGym deep mutational scans (substitutions)',
    headline: 'spearman',
    metrics: [
      ...METRICS.map((m) => ({
        name: m,
        higherIsBetter: true,
        description: `${METRIC_INFO[m]}; per assay in items, aggregated as ProteinGym: mean per (UniProt_ID, coarse_selection_type), then per selection type, then the mean`,
      })),
      ...METRICS.map((m) => ({ name: `${m}_mean`, higherIsBetter: true, description: `plain mean over assays of the per-assay ${m}` })),
    ],
    data: [
      ...BUNDLED_ASSAYS.map(([id, sha256, rows]) => ({ file: `data/dms/${id}.csv.gz`, sha256, rows })),
      { file: `data/${BUNDLED_REFERENCE[0]}`, sha256: BUNDLED_REFERENCE[1], rows: BUNDLED_REFERENCE[2] },
      ...BUNDLED_PUBLISHED.map(([f, sha256, rows]) => ({ file: `data/${f}`, sha256, rows })),
    ],
    tiers: {
      smoke: `${SMOKE_VARIANTS} variants per assay (all when fewer), stratified by mutation depth x DMS_score decile, seeded with "${SMOKE_SEED}" and the assay id (independent of --seed)`,
      full: 'every variant of every assay (bundled: 6 ProteinGym assays, 17,548 variants)',
    },
    options: [
      {
        key: 'strategy',
        values: [...MASKED_STRATEGIES, ...CAUSAL_STRATEGIES].join(' | '),
        default:
          "masked-marginals (masked LMs: ProteinGym's ESM-2 protocol); progen2-proteingym (causal LMs with the progen2 vocabulary: ProteinGym's ProGen2 protocol, the one behind the same-data ProGen2 numbers); causal-llr (other causal LMs)",
        description:
          "masked LMs: masked-marginals (ProteinGym/ESM-1v, one pass per distinct mutated position), wt-marginals (one unmasked pass), pseudo-ppl (one pass per residue per variant: expensive); causal LMs: causal-llr (log-likelihood ratio, both directions with the progen2 vocabulary), progen2-proteingym (ProteinGym's ProGen2 score replicated exactly; progen2 vocabulary only)",
      },
      {
        key: 'scores',
        values: 'true | false',
        default: 'false',
        description:
          "write every variant's score beside the result as <run>.fitness-scores.csv (DMS_id, mutant, score, DMS_score, DMS_score_bin)",
      },
    ],
  }),

  async check(ctx: TaskContext): Promise<void> {
    normalizeOptions(ctx.options, ctx.model);
    await checkData(ctx);
  },

  async run(ctx: TaskContext): Promise<TaskOutcome> {
    const model = ctx.model;
    const opts = normalizeOptions(ctx.options, model);
    for (const letter of STANDARD_AMINO_ACIDS) {
      if (model.vocab.residueId(letter) < 0)
        throw new TaskSkip(`the ${model.vocab.name} vocabulary has no token for amino acid ${letter}, which substitutions may introduce`);
    }
    const plan = await checkData(ctx);
    const data: DataFileInfo[] = [plan.reference.info];
    const published = loadPublished(ctx.taskDir);

    const records: AssayRecord[] = [];
    const matches: ReturnType<typeof matchAssay>[] = [];
    const items: ItemResult[] = [];
    const scoreLines: string[] = opts.writeScores ? ['DMS_id,mutant,score,DMS_score,DMS_score_bin'] : [];
    let windowedVariants = 0;
    let scoredVariants = 0;
    const windowedAssays: string[] = [];
    // One assay at a time: read, planned, scored, reduced to its per-assay metrics, and dropped before the next,
    // so memory stays flat in the number of assays (the forward plan of a call covers one assay's requests).
    for (const summary of plan.assays) {
      const full = await readAssayChecked(ctx, summary, plan.reference.rows);
      if (full.file.sha256 !== summary.fileSha256) {
        throw new BenchError('E_DATA', `${summary.label}: the file changed while the run was reading it (sha256 differs from the check's)`);
      }
      data.push(full.file);
      const a = ctx.tier === 'smoke' ? subsetAssay(full, smokeSubset(full)) : full;
      const phase = ctx.progress.phase(`fitness ${a.id} (${opts.strategy})`, plannedPasses(model, a, opts.strategy));
      const r = await scoreAssay(model, a, opts.strategy, (d) => {
        phase.set(d);
      });
      phase.end();
      for (let v = 0; v < a.n; v++) {
        if (!Number.isFinite(r.scores[v]!)) {
          throw new TaskFailure(
            'E_MODEL_OUTPUT',
            `${a.id}: ${a.file.file}:${a.lines[v]}: mutant "${mutantString(a, v)}": the model's score is ${r.scores[v]} (non-finite logits)`,
          );
        }
      }
      const m = proteingymMetrics(r.scores, a.dmsScore, a.dmsBin) as unknown as Record<Metric, number>;
      const byDepth = metricsByDepth(r.scores, a);
      const record: AssayRecord = {
        id: a.id,
        uniprot: a.uniprot,
        selectionType: a.selectionType,
        taxon: a.taxon,
        msaDepth: a.msaDepth,
        totalVariants: a.totalVariants,
        contentSha256: a.contentSha256,
        metrics: m,
        byDepth,
      };
      records.push(record);
      const match = matchAssay(record, published);
      matches.push(match);
      scoredVariants += a.n;
      windowedVariants += r.windowed;
      if (r.windowed > 0) windowedAssays.push(a.id);
      let multi = 0;
      for (let v = 0; v < a.n; v++) if (a.offsets[v + 1]! - a.offsets[v]! > 1) multi++;
      items.push({
        id: a.id,
        n: a.n,
        metrics: Object.fromEntries(METRICS.map((k) => [k, Number.isFinite(m[k]) ? m[k] : null])),
        extra: {
          uniprot: a.uniprot,
          selectionType: a.selectionType,
          variantsInFile: a.totalVariants,
          multiMutants: multi,
          distinctPositions: distinctPositions(a).length,
          sequenceLength: a.wildType.length,
          windowedVariants: r.windowed,
          forwardPasses: r.passes,
          wildType: a.wildTypeSource,
          referenceFile: a.referenceFile,
          taxon: a.taxon,
          msaDepth: a.msaDepth,
          byDepth: Object.fromEntries(
            DEPTHS.map((d) => [d, Object.fromEntries(METRICS.map((k) => [k, Number.isFinite(byDepth[d][k]) ? byDepth[d][k] : null]))]),
          ),
          contentSha256: a.contentSha256,
          proteingym: match.match,
          proteingymReason: match.reason,
        },
      });
      if (opts.writeScores) {
        for (let v = 0; v < a.n; v++) scoreLines.push(`${a.id},${mutantString(a, v)},${r.scores[v]},${a.dmsScore[v]},${a.dmsBin[v]}`);
      }
    }
    if (opts.writeScores) ctx.artifacts.add('fitness-scores.csv', `${scoreLines.join('\n')}\n`);
    data.push(...published.files);

    const metrics: Record<string, MetricValue> = {};
    for (const k of METRICS) {
      const grouped = (s: readonly AssayRecord[]) =>
        s.map((x) => ({ uniprot: x.uniprot, selectionType: x.selectionType, value: x.metrics[k] }));
      metrics[k] = metricOverItems(records, (s) => proteingymAverage(grouped(s)), ctx.rng.fork(k));
      metrics[`${k}_mean`] = metricOverItems(records, (s) => proteingymMean(s.map((x) => x.metrics[k])), ctx.rng.fork(`${k}_mean`));
    }
    const breakdowns = Object.fromEntries(
      METRICS.map((k) => [
        k,
        proteingymSummary(
          records.map((x) => ({
            uniprot: x.uniprot,
            selectionType: x.selectionType,
            taxon: x.taxon,
            msaDepth: x.msaDepth,
            value: x.metrics[k],
            byDepth: Object.fromEntries(DEPTHS.map((d) => [d, x.byDepth[d][k]])) as Record<Depth, number>,
          })),
        ),
      ]),
    );
    const matched = matchAssays(records, published, matches);
    const causal = model.card.objective !== 'mlm';
    return {
      headline: 'spearman',
      metrics,
      items,
      protocol: {
        strategy: opts.strategy,
        objective: model.card.objective,
        score: SCORE_DEFINITION[opts.strategy],
        scoreReference: SCORE_REFERENCE[opts.strategy],
        ...(causal
          ? {
              directions:
                opts.strategy === 'progen2-proteingym'
                  ? ['N-to-C', 'C-to-N']
                  : causalDirections(model).map((d) => (d === 'forward' ? 'N-to-C' : 'C-to-N')),
            }
          : {}),
        windowPolicy: windowPolicy(opts.strategy, model.maxLength, model.maxResidues),
        maxLength: model.maxLength,
        variantsWindowed: windowedVariants,
        assaysWindowed: windowedAssays,
        assays: records.length,
        variants: scoredVariants,
        variantsInFiles: plan.assays.reduce((s, a) => s + a.totalVariants, 0),
        tier: ctx.tier,
        smokeSubset:
          ctx.tier === 'smoke'
            ? {
                variantsPerAssay: SMOKE_VARIANTS,
                seed: SMOKE_SEED,
                strata:
                  'mutation depth (1, 2, 3+) x DMS_score decile, proportional allocation (largest remainders), sampled without replacement',
                note: 'unbiased, but a per-assay Spearman on 300 variants has a sampling SD of about 0.05: report the full tier',
              }
            : null,
        data: {
          source: ctx.dataPath ? 'user' : 'bundled',
          ...(ctx.dataPath ? { path: ctx.dataPath } : {}),
          reference: plan.reference.label,
          referenceSource: plan.reference.bundled ? 'bundled' : 'user',
        },
        wildTypes: {
          fromReference: plan.assays.filter((a) => a.wildTypeSource === 'reference').length,
          reconstructed: plan.assays.filter((a) => a.wildTypeSource === 'reconstructed').length,
        },
        groupingFallback: plan.fallbacks,
        binCutoffMismatches: plan.assays.reduce((s, a) => s + a.binCutoffMismatches, 0),
        metrics:
          'as OATML-Markslab/ProteinGym proteingym/performance_DMS_benchmarks.py @ bb685245: spearman = spearmanr(DMS_score, score); auc = roc_auc_score(DMS_score_bin, score); mcc = matthews_corrcoef(DMS_score_bin, score >= median(score)); ndcg = calc_ndcg(DMS_score, score) (top 10%); top_recall = calc_toprecall(DMS_score, score) (top 10% on both sides, >= the 90th percentile)',
        aggregation:
          '<metric>: every per-assay value rounded to 3 decimals (numpy round, as ProteinGym rounds its DMS-level table), then mean per (UniProt_ID, coarse_selection_type), then mean per coarse_selection_type, then the mean (ProteinGym performance_DMS_benchmarks.py @ bb685245, NaN skipped as pandas does); <metric>_mean: plain mean over assays of the rounded values; items keep the unrounded values; 95% percentile bootstrap over assays (1,000 resamples, the aggregate recomputed on each), null with one assay',
        defaultStrategy: defaultStrategy(model),
        baselineProtocols: BASELINE_PROTOCOLS.map((p) => ({
          baselines: p.label,
          protocol: p.protocol,
          same: p.protocol === opts.strategy,
        })),
        baselines: baselineProtocol(records, published, ctx.tier, matched),
      },
      data,
      extra: {
        proteingymSummary: {
          description: BREAKDOWN_DESCRIPTION,
          source: 'OATML-Markslab/ProteinGym proteingym/performance_DMS_benchmarks.py @ bb685245 (main, with --performance_by_depth)',
          columns: breakdowns,
        },
      },
      baselines: baselineSets(records, published, ctx.tier, opts.strategy, matched),
    };
  },
};

function windowPolicy(strategy: Strategy, maxLength: number, maxResidues: number): string {
  switch (strategy) {
    case 'masked-marginals':
    case 'pseudo-ppl':
      return `sequences over ${maxLength} tokens (specials included): for each masked position, ProteinGym's optimal window (get_optimal_window) of ${maxLength} tokens of the encoded sequence centred on it and clipped to the sequence, cut from the token array as compute_fitness.py does (inner windows carry no start/end token)`;
    case 'wt-marginals':
      return `sequences over ${maxLength} tokens: windows of ${maxLength} tokens, stride ${Math.max(1, Math.floor(maxLength / 2))}, each position read from the window where it has the most context (ProteinGym defines no window for wt-marginals)`;
    case 'causal-llr':
      return `sequences over ${maxResidues} residues: ProteinGym's optimal window of ${maxResidues} residues around the barycenter of the mutated positions (Tranception get_sequence_slices), the same window for the wild type, special tokens added`;
    case 'progen2-proteingym':
      return `sequences of ${maxLength} residues or more: consecutive chunks of ${maxLength} residues, each scored in both directions (ProteinGym calc_fitness); chunks under 2 residues skipped`;
  }
}

/**
 * The assay files and the reference file: the bundled ones, or the user's folder with its own
 * `DMS_substitutions.csv` when it has one, else the bundled copy of ProteinGym's (every ProteinGym assay listed there
 * gets its wild type, ids and classes from it; others are reconstructed).
 */
function locateData(ctx: TaskContext): {
  assayFiles: { path: string; label: string }[];
  reference: { path: string; label: string; bundled: boolean };
} {
  const bundledRef = { ...bundledData(ctx.taskDir, BUNDLED_REFERENCE[0]), bundled: true };
  if (!existsSync(bundledRef.path)) throw new BenchError('E_IO', `${bundledRef.path}: bundled reference file not found`);
  if (!ctx.dataPath) {
    const files = BUNDLED_ASSAYS.map(([id]) => bundledData(ctx.taskDir, `dms/${id}.csv.gz`));
    for (const f of files) if (!existsSync(f.path)) throw new BenchError('E_IO', `${f.path}: bundled assay not found`);
    return { assayFiles: files, reference: bundledRef };
  }
  const { assays, reference } = listAssayFiles(ctx.dataPath);
  return {
    assayFiles: assays.map((p) => ({ path: p, label: p })),
    reference: reference ? { path: reference, label: reference, bundled: false } : bundledRef,
  };
}

export default task;
