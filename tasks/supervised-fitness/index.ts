import { existsSync } from 'node:fs';
import type { DataFileInfo, ItemResult, MetricValue, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { bundledData, metricOverItems, TaskFailure } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { mean } from '../../src/metrics/index.js';
import { BenchError } from '../../src/util/errors.js';
import { round3 } from '../../src/util/round.js';
import { crossValidatedRidge, denseRidgeLearner, EMBEDDING_ALPHAS, ONEHOT_ALPHAS, SELECTION_RULE, type CvResult } from './cv.js';
import {
  listUserAssays,
  MIN_FOLDS,
  readFoldAssay,
  readPublished,
  SCHEME_SHORT,
  SCHEMES,
  subsetFoldAssay,
  type FoldAssay,
  type PublishedTable,
  type Scheme,
} from './data.js';
import { POOLING_TEXT, POOLINGS, variantEmbeddings, windowPolicy, type Pooling } from './embed.js';
import { oneHotDifferences, sparseRidgeLearner } from './onehot.js';
import { SMOKE_KEY, SMOKE_VARIANTS, smokeSubset } from './tiers.js';

/** Bundled assays: DMS_id, sha256 of the .csv.gz, variants. */
const BUNDLED_ASSAYS: [string, string, number][] = [
  ['A0A1I9GEU1_NEIME_Kennouche_2019', '40aab1fa485fcfb752608c876e3e9fcaf0558b36e5d6842106826b4183fbead4', 922],
  ['BBC1_YEAST_Tsuboyama_2023_1TG0', '6e0bba82a0922072dc28637cb493295bda85b8c9a7f8b6aade776cd955e0483f', 1074],
  ['BCHB_CHLTE_Tsuboyama_2023_2KRU', '896712814b2dcd73e6e088a6e38389835fa4f228286fa5e0d725d242c9442e65', 890],
  ['BLAT_ECOLX_Stiffler_2015', '081500a9eb84c2e2afe623b904478c05c5ab687354eecadcb9e9dedb93cfaad1', 4996],
  ['DNJA1_HUMAN_Tsuboyama_2023_2LO1', '77e218536d9a6f3b65fd76057b533edebc288cf14809961593713ccc9310cce2', 1215],
  ['GFP_AEQVI_Sarkisyan_2016', '6e7ee90ad90222bb90d78d677ac2032642f52d2d4f125e2064499866d76c4ec7', 1084],
  ['R1AB_SARS2_Flynn_2022', '0c49019fa09cedc24310b277ac6bd9d75927805a93a23af414b5e2bb6423428a', 5725],
];
/** ProteinGym's published per-assay Spearman, one file per scheme: scheme, sha256, rows. */
const PUBLISHED: [Scheme, string, number][] = [
  ['fold_random_5', '9ec9288d0f5e1530f90403d8070e4203501aa2a8aedbb6100b7499c5623e8e7c', 217],
  ['fold_modulo_5', '4a4e97c3359172f20612248790c2dab918113e33f70d9f0cb95cac6abc8b30ac', 217],
  ['fold_contiguous_5', '94f0c739b3dd55a83513929ec0aa9ab039bb69dadc53772df419bee6807b2bd8', 217],
];
const publishedFile = (s: Scheme) => `proteingym/DMS_substitutions_Spearman_DMS_level_${s}.csv`;
/** The published column of the one-hot baseline. */
const ONEHOT_PUBLISHED = 'One-Hot Encodings';
const PROTEINGYM = 'OATML-Markslab/ProteinGym @ bb685245f8f4bb95a5b54b470396c23826cd6284';

const OPTION_KEYS = ['embedding'] as const;

function poolingOf(ctx: TaskContext): Pooling {
  for (const k of Object.keys(ctx.options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k))
      throw new BenchError('E_USAGE', `--option supervised-fitness.${k}: unknown option (options: ${OPTION_KEYS.join(', ')})`);
  }
  const v = ctx.options['embedding'] ?? 'mean';
  if (!(POOLINGS as readonly string[]).includes(v))
    throw new BenchError('E_USAGE', `--option supervised-fitness.embedding: must be ${POOLINGS.join(' or ')}, got "${v}"`);
  return v as Pooling;
}

interface Loaded {
  assays: FoldAssay[];
  source: 'bundled' | 'user';
}

/** Reads and checks every assay (bundled, or the user's folder), once per context (`check`, then `run`). */
const loadAssays = oncePerContext((ctx: TaskContext): Loaded => {
  poolingOf(ctx);
  const files = ctx.dataPath
    ? listUserAssays(ctx.dataPath).map((p) => ({ path: p, label: p }))
    : BUNDLED_ASSAYS.map(([id]) => bundledData(ctx.taskDir, `cv_folds_singles/${id}.csv.gz`));
  for (const f of files) if (!existsSync(f.path)) throw new BenchError('E_IO', `${f.path}: not found`);
  const assays = files.map((f) => readFoldAssay(f.path, f.label));
  for (const a of assays) {
    const bad = ctx.model.vocab.firstInvalid(a.wildType);
    if (bad >= 0)
      throw new BenchError(
        'E_DATA',
        `${a.file.file}: the wild type of ${a.id} has "${a.wildType[bad]}" at residue ${bad + 1}, which the ${ctx.model.vocab.name} vocabulary cannot encode`,
      );
    for (let k = 0; k < a.mtCodes.length; k++) {
      const letter = String.fromCharCode(a.mtCodes[k]!);
      if (ctx.model.vocab.firstInvalid(letter) >= 0)
        throw new BenchError(
          'E_DATA',
          `${a.file.file}: ${a.id} substitutes ${letter}, which the ${ctx.model.vocab.name} vocabulary cannot encode`,
        );
    }
  }
  return { assays, source: ctx.dataPath ? 'user' : 'bundled' };
});

interface AssayRecord {
  id: string;
  model: Record<Scheme, number>;
  onehot: Record<Scheme, number>;
}

const nullable = (x: number) => (Number.isFinite(x) ? x : null);
const schemeMean = (r: Record<Scheme, number>) => mean(SCHEMES.map((s) => r[s]));

/**
 * Means over `ids` of a published column, as the run's metrics are formed (`spearman`: per assay the mean over
 * the schemes, then over assays); null when an assay lacks a value.
 */
function publishedMeans(ids: string[], published: Map<Scheme, PublishedTable>, column: string): Record<string, number | null> {
  const value = (id: string, s: Scheme) => published.get(s)!.get(id)?.[column];
  const complete =
    ids.length > 0 && ids.every((id) => SCHEMES.every((s) => typeof value(id, s) === 'number' && Number.isFinite(value(id, s))));
  if (!complete) return Object.fromEntries(['spearman', ...SCHEMES.map((s) => `spearman_${SCHEME_SHORT[s]}`)].map((k) => [k, null]));
  return {
    spearman: round3(mean(ids.map((id) => mean(SCHEMES.map((s) => value(id, s) as number))))),
    ...Object.fromEntries(SCHEMES.map((s) => [`spearman_${SCHEME_SHORT[s]}`, round3(mean(ids.map((id) => value(id, s) as number)))])),
  };
}

/** Supervised fitness: ridge regression on frozen embeddings, ProteinGym's cross-validation folds. */
const task: TaskModule = {
  name: 'supervised-fitness',
  version: '1.0.0',
  needs: ['hidden_states'],
  describe: () => ({
    title:
      'Supervised fitness: ridge regression on frozen embeddings over ProteinGym cross-validation folds (random, modulo, contiguous; incl. GFP)',
    headline: 'spearman',
    metrics: [
      {
        name: 'spearman',
        higherIsBetter: true,
        description:
          'mean over assays of the per-assay mean over the three fold schemes of the out-of-fold Spearman (ProteinGym Average_Spearman without its grouping by UniProt id and selection type)',
      },
      ...SCHEMES.map((s) => ({
        name: `spearman_${SCHEME_SHORT[s]}`,
        higherIsBetter: true,
        description: `${s}: Spearman of the concatenated out-of-fold ridge predictions against DMS_score per assay, mean over assays`,
      })),
    ],
    data: [
      ...BUNDLED_ASSAYS.map(([id, sha256, rows]) => ({ file: `data/cv_folds_singles/${id}.csv.gz`, sha256, rows })),
      ...PUBLISHED.map(([s, sha256, rows]) => ({ file: `data/${publishedFile(s)}`, sha256, rows })),
    ],
    tiers: {
      smoke: `${SMOKE_VARIANTS} variants per assay, the first in sha256("${SMOKE_KEY}:" + DMS_id + ":" + mutant) order (independent of --seed), keeping their ProteinGym folds`,
      full: 'every variant of every assay (bundled: 7 ProteinGym single-substitution assays with fold columns, 15,906 variants)',
    },
    options: [
      {
        key: 'embedding',
        values: POOLINGS.join(' | '),
        default: 'mean',
        description: `mean: ${POOLING_TEXT.mean}; mutated-position: ${POOLING_TEXT['mutated-position']}`,
      },
    ],
  }),
  check(ctx: TaskContext): void {
    loadAssays(ctx);
  },
  async run(ctx: TaskContext): Promise<TaskOutcome> {
    const pooling = poolingOf(ctx);
    const loaded = loadAssays(ctx);
    const data: DataFileInfo[] = loaded.assays.map((a) => a.file);
    const published = new Map<Scheme, PublishedTable>();
    let publishedModels: string[] = [];
    for (const [s] of PUBLISHED) {
      const f = bundledData(ctx.taskDir, publishedFile(s));
      const p = readPublished(f.path, f.label);
      published.set(s, p.table);
      publishedModels = p.models;
      data.push(p.info);
    }
    const records: AssayRecord[] = [];
    const items: ItemResult[] = [];
    let requests = 0;
    let windowed = 0;
    let calls = 0;
    let embedSeconds = 0;
    let fitSeconds = 0;
    let dim = 0;
    const fits: Record<string, Record<string, unknown>> = {};
    for (const full of loaded.assays) {
      const a = ctx.tier === 'smoke' ? subsetFoldAssay(full, smokeSubset(full)) : full;
      for (const s of SCHEMES) {
        if (new Set(a.folds[s]).size < MIN_FOLDS)
          throw new BenchError(
            'E_DATA',
            `${a.file.file}: the smoke subset of ${a.id} leaves ${s} fewer than ${MIN_FOLDS} folds; use --tier full`,
          );
      }
      const phase = ctx.progress.phase(`supervised-fitness ${a.id} (${pooling} embeddings)`, a.n);
      const t0 = performance.now();
      const emb = await variantEmbeddings(ctx.model, a, pooling, (d) => {
        phase.set(d);
      });
      embedSeconds += (performance.now() - t0) / 1000;
      phase.end();
      requests += emb.requests;
      windowed += emb.windowed;
      calls += emb.calls;
      dim = emb.x.cols;
      const t1 = performance.now();
      const dense = denseRidgeLearner(emb.x);
      const sparse = sparseRidgeLearner(oneHotDifferences(a.offsets, a.positions, a.wtCodes, a.mtCodes));
      const model = {} as Record<Scheme, number>;
      const onehot = {} as Record<Scheme, number>;
      const assayFits: Record<string, unknown> = {};
      for (const s of SCHEMES) {
        const m: CvResult = crossValidatedRidge(dense, a.score, a.folds[s], EMBEDDING_ALPHAS);
        const o: CvResult = crossValidatedRidge(sparse, a.score, a.folds[s], ONEHOT_ALPHAS);
        for (let v = 0; v < a.n; v++) {
          if (!Number.isFinite(m.predictions[v]!))
            throw new TaskFailure('E_MODEL_OUTPUT', `${a.id} ${s}: the ridge prediction of ${a.mutants[v]} is not finite`);
        }
        model[s] = m.spearman;
        onehot[s] = o.spearman;
        assayFits[s] = { alphas: m.folds.map((f) => f.alpha), onehotAlphas: o.folds.map((f) => f.alpha) };
      }
      fitSeconds += (performance.now() - t1) / 1000;
      fits[a.id] = assayFits;
      records.push({ id: a.id, model, onehot });
      const pub = (s: Scheme) => published.get(s)!.get(a.id) ?? null;
      items.push({
        id: a.id,
        n: a.n,
        metrics: {
          spearman: nullable(schemeMean(model)),
          ...Object.fromEntries(SCHEMES.map((s) => [`spearman_${SCHEME_SHORT[s]}`, nullable(model[s])])),
        },
        extra: {
          variantsInFile: full.n,
          sequenceLength: a.wildType.length,
          windowedVariants: emb.windowed,
          onehotControl: Object.fromEntries(SCHEMES.map((s) => [`spearman_${SCHEME_SHORT[s]}`, nullable(onehot[s])])),
          publishedOneHot: Object.fromEntries(SCHEMES.map((s) => [`spearman_${SCHEME_SHORT[s]}`, pub(s)?.[ONEHOT_PUBLISHED] ?? null])),
          ridgeAlphas: assayFits,
        },
      });
    }
    const metrics: Record<string, MetricValue> = {};
    const over = (name: string, f: (r: AssayRecord) => number) => metricOverItems(records, (x) => mean(x.map(f)), ctx.rng.fork(name));
    metrics['spearman'] = over('spearman', (r) => schemeMean(r.model));
    const control: Record<string, MetricValue> = { spearman: over('onehot:spearman', (r) => schemeMean(r.onehot)) };
    const difference: Record<string, MetricValue> = {
      spearman: over('difference:spearman', (r) => schemeMean(r.model) - schemeMean(r.onehot)),
    };
    for (const s of SCHEMES) {
      const k = `spearman_${SCHEME_SHORT[s]}`;
      metrics[k] = over(k, (r) => r.model[s]);
      control[k] = over(`onehot:${k}`, (r) => r.onehot[s]);
      difference[k] = over(`difference:${k}`, (r) => r.model[s] - r.onehot[s]);
    }
    for (const [k, m] of Object.entries(metrics)) {
      if (!Number.isFinite(m.value))
        throw new TaskFailure('E_MODEL_OUTPUT', `${k} is not finite (${m.value}): an assay's out-of-fold predictions are constant`);
    }
    const publishedSame = ctx.tier === 'full' && loaded.source === 'bundled';
    const publishedRows = Object.fromEntries(
      records.map((r) => [r.id, Object.fromEntries(SCHEMES.map((s) => [SCHEME_SHORT[s], published.get(s)!.get(r.id) ?? null]))]),
    );
    return {
      headline: 'spearman',
      metrics,
      items,
      protocol: {
        embedding: pooling,
        embeddingDefinition: POOLING_TEXT[pooling],
        embeddingDim: dim,
        windowPolicy: windowPolicy(ctx.model),
        variantsWindowed: windowed,
        forwardRequests: requests,
        forwardCalls: calls,
        embeddings:
          'one forward pass per variant sequence, computed once per assay for all three schemes and every fold, cached by the runner under the tokens and the reducer id (a rerun with the cache reads them back)',
        embedSeconds: round3(embedSeconds),
        fitSeconds: round3(fitSeconds),
        schemes: [...SCHEMES],
        regression: {
          model: 'ridge regression with intercept (scikit-learn Ridge(alpha) objective), closed form by Cholesky (src/probe fitRidge)',
          features:
            'embeddings standardized on the training rows of each fit (mean 0, population sd 1; src/probe fitStandardizer, scikit-learn StandardScaler)',
          alphas: [...EMBEDDING_ALPHAS],
          selection: SELECTION_RULE,
          grid: 'an assumption of this task (ProteinGym publishes per-assay Spearman, not a ridge grid for embeddings)',
        },
        spearman:
          'per assay and scheme: scipy spearmanr of all out-of-fold predictions (every fold predicted by a model that never saw it) against DMS_score; the per-assay values are what ProteinGym proteingym/performance_DMS_supervised_benchmarks.py aggregates (' +
          PROTEINGYM +
          ')',
        aggregation:
          'spearman_<scheme>: plain mean over assays; spearman: mean over assays of the mean over the three schemes; 95% percentile bootstrap over assays (1,000 resamples), null with one assay. ProteinGym averages per (UniProt_ID, coarse_selection_type) first; the bundled assays are 7 distinct UniProt ids, so only the weighting of selection types differs',
        onehotControl: {
          features: 'position-wise one-hot of the variant sequence (L positions x 26 letters, flattened), not standardized',
          model:
            'ridge with intercept (scikit-learn Ridge(alpha)), solved by preconditioned conjugate gradients on the sparse differences from the wild type (relative residual 1e-12)',
          alphas: [...ONEHOT_ALPHAS],
          selection: 'the same inner-validation rule and the same folds as the embedding ridge',
        },
        tier: ctx.tier,
        smokeSubset:
          ctx.tier === 'smoke'
            ? {
                variantsPerAssay: SMOKE_VARIANTS,
                key: SMOKE_KEY,
                rule: `the ${SMOKE_VARIANTS} variants first in sha256("${SMOKE_KEY}:" + DMS_id + ":" + mutant) order, with their ProteinGym fold labels; the same for every --seed`,
                note: 'a ridge on 80 rows: for plumbing and gates, not for comparison with published numbers',
              }
            : null,
        data:
          loaded.source === 'user'
            ? { source: 'user', path: ctx.dataPath }
            : {
                source: 'bundled',
                provenance:
                  'ProteinGym cv_folds_singles_substitutions via petergroth/kermut @ 35a65ff383eda041f1348287ca0b8c9f7200919b (see README)',
              },
        published: {
          source: `${PROTEINGYM} benchmarks/DMS_supervised/substitutions/Spearman/DMS_substitutions_Spearman_DMS_level_<scheme>.csv`,
          label:
            "published: ProteinGym's own runs (ProteinNPT code) on the same data and folds, a different implementation (its own features, regression and hyperparameters); beside the harness's one-hot control, not a baseline of this run",
          comparable: publishedSame
            ? 'same assays, variants and folds (bundled data, full tier)'
            : ctx.tier === 'smoke'
              ? 'no: the smoke tier scores a subset of the variants'
              : "matched by DMS_id only: the user files are not checked to be ProteinGym's",
        },
        matchedCompute:
          "ESM-2 and ProGen2 have no published numbers on this task in this form (ProteinGym's supervised track publishes ESM-1v, MSA Transformer and Tranception embeddings, one-hot and ProteinNPT/Kermut): no published baseline set; runs of baseline exports registered with `bench baseline add` serve as same-data baselines",
      },
      data,
      extra: {
        onehotControl: { description: 'harness-computed one-hot ridge on the same folds (same-data control)', metrics: control },
        modelMinusOnehot: {
          description: 'per assay: model Spearman minus one-hot control Spearman, mean over assays with a bootstrap interval over assays',
          metrics: difference,
        },
        published: {
          label: 'published (ProteinGym; same data and folds, different implementation)',
          comparable: publishedSame,
          models: publishedModels,
          oneHotEncodings: publishedMeans(
            records.map((r) => r.id),
            published,
            ONEHOT_PUBLISHED,
          ),
          perAssay: publishedRows,
        },
      },
    };
  },
};

export default task;
