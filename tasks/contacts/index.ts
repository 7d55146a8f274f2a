import type { StructureEntry } from '../../src/bio/index.js';
import type { ItemResult, MetricValue, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { meanOverItems, metricOverItems, TaskSkip } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { BenchError } from '../../src/util/errors.js';
import { BUNDLED, loadBundled, loadUserStructures, publishedBaselines } from './data.js';
import { evaluationScores, windowPolicy, type EvalRequest } from './features.js';
import { fitRegression, REGRESSION_SETTINGS, type FittedRegression } from './regression.js';
import { chainPrecision, CUTS, precision, rangeCounts, RANGES, type ChainPrecision, type Cut, type Range } from './scoring.js';
import { SPLIT_RULE } from './split.js';
import { CONVENTION_INFO, CONVENTIONS, lengthForK, PUBLISHED_CONVENTION, type Convention } from './convention.js';

const USER_SMOKE_SIZE = 7;
const SOURCES = ['auto', 'attentions', 'contacts'] as const;
type Source = (typeof SOURCES)[number];

const CUT_WORDS: Record<Cut, string> = { l: 'L', l2: 'L/2', l5: 'L/5' };
const RANGE_WORDS: Record<Range, string> = { short: 'separation 6-11', medium: 'separation 12-23', long: 'separation >= 24' };

/** `p_at_l_long`, `p_at_l2_medium`, ... (the result names of ARCHITECTURE.md's plugin contract), with an optional prefix. */
function metricName(cut: Cut, range: Range, prefix = ''): string {
  return `${prefix}p_at_${cut}_${range}`;
}

function metricInfos(): { name: string; higherIsBetter: boolean; description: string }[] {
  const out: { name: string; higherIsBetter: boolean; description: string }[] = [];
  for (const prefix of ['', 'unsupervised_']) {
    for (const range of [...RANGES].reverse()) {
      for (const cut of CUTS) {
        out.push({
          name: metricName(cut, range, prefix),
          higherIsBetter: true,
          description: `${prefix ? 'unsupervised (mean APC attention, no fitting): ' : ''}precision of the top ${CUT_WORDS[cut]} predicted pairs at ${RANGE_WORDS[range]}, L = observed residues (ESM convention, default) or the SEQRES length (convention=seqres), mean over proteins`,
        });
      }
    }
    out.push({
      name: `${prefix}p_at_l5_tape`,
      higherIsBetter: true,
      description: `${prefix ? 'unsupervised: ' : ''}TAPE's precision at L/5 over all pairs with separation >= 6: correct / predicted, pooled over proteins`,
    });
  }
  return out;
}

/** Contact prediction from attention maps (ESM's regression) or the model's own contact head. */
const task: TaskModule = {
  name: 'contacts',
  version: '1.1.0',
  // Its attention passes are uncached (the features are cached per chain), so one shard runs it whole.
  sharding: 'whole',
  needs: [],
  needsAnyOf: [['attentions', 'contacts']],
  describe: () => ({
    title: 'Contact prediction from attention maps or a contact head, on 41 X-ray structures',
    headline: 'p_at_l_long',
    metrics: metricInfos(),
    data: [
      { file: BUNDLED.index, sha256: 'ad84b80b126b5f836a2f9e52073ffaa307a7fc23e440acd1ab77f4d0def282e3', rows: 41 },
      { file: BUNDLED.split, sha256: 'ed1e9b01d46d2c2aaa61e606f704a81e1f335a0889021dad6a645f49ffdb5d76', rows: 41 },
      { file: BUNDLED.manifest, sha256: 'a48c1f0e45c522edd7da068f0427d3b338b24c94e2b2a52a2a8c74d5edd7d563', rows: 41 },
      { file: BUNDLED.published, sha256: '2e7bbc0acf7a567aca129a51ea70827c4fb8f9b4beb66cacb779d8681ede98a5', rows: 6 },
    ],
    tiers: {
      smoke:
        '7 of the 21 evaluation chains (one per length stratum, marked in data/split.csv); the regression is fitted on the same 20 training chains as the full tier. A user folder: a seeded 7 of its chains',
      full: 'all 21 evaluation chains (59 to 517 residues); regression fitted on the 20 training chains',
    },
    options: [
      {
        key: 'source',
        values: 'auto | attentions | contacts',
        default: 'auto',
        description:
          "what predicts contacts: the model's own contacts output when it has one (auto), or the L1 regression on its attention maps",
      },
      {
        key: 'convention',
        values: 'esm | seqres',
        default: 'esm',
        description:
          "how contacts and L are defined: esm = ESM's evaluation, the one behind ESM-2's published P@L (L = observed residues, ESM's virtual Cβ for every residue); seqres = L = the SEQRES length, real CB atoms (virtual Cβ for glycine and residues without CB), this task's 1.0.0 convention; comparisons with ESM-2's published P@L get a verdict only under esm",
      },
    ],
  }),
  async check(ctx: TaskContext): Promise<void> {
    await prepare(ctx);
  },
  run,
};

interface Prepared {
  source: Source;
  convention: Convention;
  predictor: 'regression' | 'contacts';
  user: Awaited<ReturnType<typeof loadUserStructures>> | null;
  bundled: Awaited<ReturnType<typeof loadBundled>>;
  evalChains: StructureEntry[];
}

/** Options and data, read and checked once per run (by `check`, before any task runs). */
const prepare = oncePerContext(async (ctx: TaskContext): Promise<Prepared> => {
  const { source, convention } = readOptions(ctx);
  const caps = ctx.model.capabilities;
  const predictor: 'regression' | 'contacts' =
    source === 'contacts' || (source === 'auto' && caps.has('contacts')) ? 'contacts' : 'regression';
  // The user's data first, so that its errors come before anything else.
  const user = ctx.dataPath ? await loadUserStructures(ctx.dataPath, convention) : null;
  const bundled = await loadBundled(ctx.taskDir, convention);
  const evalChains = selectTier(user ? user.entries : bundled.eval, ctx, user === null ? bundled.smoke : null);
  checkVocabulary(ctx, evalChains, ctx.dataPath ?? `${ctx.taskDir}/data`);
  if (predictor === 'regression') checkVocabulary(ctx, bundled.train, `${ctx.taskDir}/data`);
  return { source, convention, predictor, user, bundled, evalChains };
});

async function run(ctx: TaskContext): Promise<TaskOutcome> {
  const { source, convention, predictor, user, bundled, evalChains } = await prepare(ctx);
  const caps = ctx.model.capabilities;
  const hasAttn = caps.has('attentions');
  if (predictor === 'contacts' && !caps.has('contacts'))
    throw new TaskSkip('--option contacts.source=contacts, but the model has no "contacts" output');
  if (predictor === 'regression' && !hasAttn)
    throw new TaskSkip('--option contacts.source=attentions, but the model has no "attentions" output');

  const policy = windowPolicy(ctx.model);
  let fit: FittedRegression | null = null;
  if (predictor === 'regression') {
    const phase = ctx.progress.phase(`contacts: attention features of ${bundled.train.length} training chains`, 1);
    fit = await fitRegression(ctx, bundled.train, policy, (d, t) => {
      phase.set(t > 0 ? d / t : 1);
    });
    phase.end();
    if (fit.nonZero === 0)
      ctx.log.warn(
        'contacts: the L1 regression kept no attention feature: its predictions are constant, so its ranking is the random tie order (expect the base rate)',
      );
    ctx.log.info(
      `contacts: regression on ${fit.features} features, ${fit.rows} pairs (${fit.positives} contacts), ${fit.nonZero} non-zero weights, ${fit.converged ? 'converged' : `not converged (${fit.reason})`}${fit.fromCache ? ', from the cache' : ''}`,
    );
  }
  const want: EvalRequest = {
    unsupervised: hasAttn,
    prediction: fit ? { kind: 'regression', head: fit } : { kind: 'contacts' },
  };
  const phase = ctx.progress.phase(`contacts: ${evalChains.length} evaluation chains`, 1);
  const scores = await evaluationScores(ctx, evalChains, policy, want, (d, t) => {
    phase.set(t > 0 ? d / t : 1);
  });
  phase.end();

  const trainSeqs = new Set(bundled.train.map((e) => e.sequence));
  const perChain = evalChains.map((entry, k) => {
    const s = scores[k]!;
    const kLength = lengthForK(entry, convention);
    return {
      entry,
      kLength,
      pred: chainPrecision(entry, s.prediction!, ctx.rng.fork(`ties:${entry.id}`), kLength),
      unsup: s.unsupervised ? chainPrecision(entry, s.unsupervised, ctx.rng.fork(`ties-unsupervised:${entry.id}`), kLength) : null,
      counts: rangeCounts(entry),
      windows: s.windows,
      inTraining: trainSeqs.has(entry.sequence),
    };
  });
  const overlap = perChain.filter((c) => c.inTraining).map((c) => c.entry.id);
  if (overlap.length > 0) {
    ctx.log.warn(`contacts: ${overlap.length} evaluated chain(s) have the sequence of a regression training chain: ${overlap.join(', ')}`);
  }

  const items: ItemResult[] = perChain.map((c) => ({
    id: c.entry.id,
    n: c.entry.length,
    metrics: { ...chainMetrics(c.pred, ''), ...(c.unsup ? chainMetrics(c.unsup, 'unsupervised_') : {}) },
    extra: {
      pdbId: c.entry.pdbId,
      chain: c.entry.chain,
      observed: c.entry.nObserved,
      lengthForK: c.kLength,
      windows: c.windows,
      longRange: { pairs: c.counts.long.pairs, contacts: c.counts.long.contacts },
      pairsWithoutPrediction: c.pred.unscored,
      ...(c.inTraining ? { inTrainingSet: true } : {}),
    },
  }));

  const rng = ctx.rng;
  const metrics: Record<string, MetricValue> = {};
  const addSet = (prefix: string, get: (c: (typeof perChain)[number]) => ChainPrecision | null) => {
    const rows = perChain.map(get);
    if (rows.some((r) => r === null)) return;
    const res = rows as ChainPrecision[];
    for (const range of RANGES) {
      for (const cut of CUTS) {
        const name = metricName(cut, range, prefix);
        metrics[name] = meanOverItems(
          res.map((r) => precision(r.ranges[range].at[cut]) ?? Number.NaN),
          rng.fork(name),
        );
      }
    }
    const tape = `${prefix}p_at_l5_tape`;
    metrics[tape] = metricOverItems(
      res,
      (sample) => sample.reduce((a, r) => a + r.tape.at.l5.hits, 0) / sample.reduce((a, r) => a + r.tape.at.l5.k, 0),
      rng.fork(tape),
    );
  };
  addSet('', (c) => c.pred);
  addSet('unsupervised_', (c) => c.unsup);

  const baseRates = Object.fromEntries(
    (['short', 'medium', 'long', 'all'] as const).map((r) => {
      const pairs = perChain.reduce((a, c) => a + c.counts[r].pairs, 0);
      const contacts = perChain.reduce((a, c) => a + c.counts[r].contacts, 0);
      const perProtein = perChain.reduce((a, c) => a + c.counts[r].contacts / c.counts[r].pairs, 0) / perChain.length;
      return [r, { pairs, contacts, pooled: contacts / pairs, meanPerProtein: perProtein }];
    }),
  );
  const windowedEval = perChain.filter((c) => c.windows > 1).length;
  const published = bundled.published;

  return {
    headline: 'p_at_l_long',
    metrics,
    items,
    protocol: {
      predictor:
        predictor === 'contacts'
          ? "the model's own contacts output, used directly: no regression was fitted (its (i, j) and (j, i) values averaged)"
          : "L1-regularised logistic regression on the APC'd symmetrized attention maps of every layer and head (ESM's contact regression), fitted on the 20 training chains",
      source: predictor,
      option: source,
      convention,
      conventionSource: CONVENTION_INFO[convention].source,
      publishedConvention: PUBLISHED_CONVENTION,
      contact: `${CONVENTION_INFO[convention].contact}; both residues observed`,
      length: CONVENTION_INFO[convention].length,
      ranking:
        'candidates of a range: observed pairs with a prediction; sorted by score, highest first; ties in a seeded random order (rng fork ties:<chain id>)',
      cuts: 'k = L, floor(L/2), floor(L/5); P@k = contacts among the first min(k, candidates) / k (missing predictions count as wrong)',
      ranges: 'short 6 <= j-i < 12, medium 12 <= j-i < 24, long j-i >= 24; tape: all j-i >= 6, top floor(L/5)',
      aggregate:
        'p_at_*: mean over proteins of the per-protein precision; p_at_l5_tape: correct / predicted pooled over proteins (TAPE); 95% percentile bootstrap over proteins, 1,000 resamples',
      features:
        "per layer and head: attention over the residues only (start and end tokens dropped), S = A + A^T, APC: S_ij - S_i. S_.j / S_.. (ESM's ContactPredictionHead); layers x heads features per pair",
      unsupervised: hasAttn
        ? 'the mean over layers and heads of the same APC features, ranked directly (no fitting)'
        : 'not computed: the model has no attentions output',
      regression: fit ? regressionProtocol(fit, bundled.train, ctx.seed) : null,
      windowPolicy: policy.description,
      chainsWindowed: { evaluation: windowedEval, training: fit ? fit.chainsWindowed : 0 },
      pairsWithoutPrediction: perChain.reduce((a, c) => a + c.pred.unscored, 0),
      evaluation: {
        data: user ? `user folder ${ctx.dataPath}` : `bundled: the evaluation chains of ${BUNDLED.split}`,
        split: `${BUNDLED.split}, rule ${SPLIT_RULE} (see README)`,
        tier: ctx.tier,
        chains: evalChains.length,
        chainsInTrainingSet: overlap,
      },
      baseRates,
      randomExpectation: `a random ranking scores the per-protein base rate on average: p_at_l_long ~ ${(baseRates['long']!.meanPerProtein * 100).toFixed(2)}% on these chains`,
    },
    data: [...(user ? user.files : []), ...bundled.files],
    baselines: publishedBaselines(published, convention),
    extra: { published: { note: 'published, different proteins (CASP14 / CAMEO); see baselines', source: published.source } },
  };
}

function chainMetrics(p: ChainPrecision, prefix: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const range of RANGES) for (const cut of CUTS) out[metricName(cut, range, prefix)] = precision(p.ranges[range].at[cut]);
  out[`${prefix}p_at_l5_tape`] = precision(p.tape.at.l5);
  return out;
}

function regressionProtocol(fit: FittedRegression, train: StructureEntry[], seed: number): Record<string, unknown> {
  const s = REGRESSION_SETTINGS;
  return {
    model:
      "binary logistic regression, L1 penalty: minimise ||w||_1 + |b| + C * sum of log-losses (scikit-learn LogisticRegression(penalty='l1', solver='liblinear') objective, intercept penalised)",
    solver: 'OWL-QN from zero (src/probe fitL1Binary), deterministic',
    C: s.C,
    maxIter: s.maxIter,
    gradTol: s.gradTol,
    funcTol: s.funcTol,
    standardization: 'none (raw APC features, as ESM)',
    trainingChains: train.map((e) => e.id),
    trainingPairs: fit.rows,
    positives: fit.positives,
    positiveFraction: fit.rows > 0 ? fit.positives / fit.rows : null,
    pairsKept: fit.fraction,
    seed: fit.fraction < 1 ? seed : null,
    seedNote:
      fit.fraction < 1 ? 'pairs subsampled (training matrix above 2^28 values), seeded' : 'no randomness: all observed training pairs used',
    pairsWithoutPrediction: fit.uncovered,
    features: fit.features,
    nonZeroWeights: fit.nonZero,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
    stopReason: fit.reason,
    objective: fit.objective,
    fromCache: fit.fromCache,
    trainingDigest: fit.trainingDigest,
  };
}

function readOptions(ctx: TaskContext): { source: Source; convention: Convention } {
  for (const key of Object.keys(ctx.options)) {
    if (key !== 'source' && key !== 'convention')
      throw new BenchError('E_USAGE', `--option contacts.${key}: unknown option (contacts takes: source, convention)`);
  }
  const v = ctx.options['source'] ?? 'auto';
  if (!(SOURCES as readonly string[]).includes(v))
    throw new BenchError('E_USAGE', `--option contacts.source: must be auto, attentions or contacts, got "${v}"`);
  const c = ctx.options['convention'] ?? PUBLISHED_CONVENTION;
  if (!(CONVENTIONS as readonly string[]).includes(c))
    throw new BenchError('E_USAGE', `--option contacts.convention: must be esm or seqres, got "${c}"`);
  return { source: v as Source, convention: c as Convention };
}

function checkVocabulary(ctx: TaskContext, chains: StructureEntry[], where: string): void {
  for (const e of chains) {
    const bad = ctx.model.vocab.firstInvalid(e.sequence);
    if (bad >= 0) {
      throw new BenchError(
        'E_DATA',
        `${where}/${e.file}: chain ${e.chain}: letter "${e.sequence[bad]}" at residue ${bad + 1} is not in the ${ctx.model.vocab.name} vocabulary`,
      );
    }
  }
}

/** Bundled: the smoke chains of the split. A user folder: a seeded sample for smoke, all chains for full. */
function selectTier(all: StructureEntry[], ctx: TaskContext, smoke: Set<string> | null): StructureEntry[] {
  if (ctx.tier === 'full') return all;
  if (smoke) return all.filter((e) => smoke.has(e.id));
  if (all.length <= USER_SMOKE_SIZE) return all;
  return ctx.rng
    .fork('smoke')
    .sampleIndices(all.length, USER_SMOKE_SIZE)
    .sort((a, b) => a - b)
    .map((i) => all[i]!);
}

export default task;
