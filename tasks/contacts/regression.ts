/**
 * ESM's contact regression (Rao et al. 2020): L1-regularised binary logistic regression from the APC'd
 * symmetrized attention maps of every layer and head to "Cβ-Cβ < 8 Å", fitted on the pairs (separation >= 6,
 * both residues observed) of the 20 bundled training chains, with `src/probe`'s `fitL1Binary`: the objective
 * of scikit-learn's `LogisticRegression(penalty='l1', C=0.15, solver='liblinear')` (intercept penalised like a
 * weight, as liblinear does), solved by OWL-QN from zero. No feature scaling (ESM's head applies the weights
 * to the raw APC features). The fit is deterministic; it is cached in the task cache under the training
 * data's digest and these settings.
 */
import { fitL1Binary, OPTIMIZER_DEFAULTS } from '../../src/probe/index.js';
import type { StopReason } from '../../src/probe/index.js';
import type { StructureEntry } from '../../src/bio/index.js';
import type { TaskContext } from '../../src/task/index.js';
import { TaskFailure } from '../../src/task/index.js';
import { sha256 } from '../../src/util/hash.js';
import { computeTraining, featureCount, planTraining, type LinearHead, type WindowPolicy } from './features.js';

export const REGRESSION_SETTINGS = {
  penalty: 'l1',
  C: 0.15,
  penalizeIntercept: true,
  maxIter: OPTIMIZER_DEFAULTS.maxIter,
  gradTol: OPTIMIZER_DEFAULTS.gradTol,
  funcTol: OPTIMIZER_DEFAULTS.funcTol,
  /** Largest training matrix held, in float32 values (1 GiB); above it, pairs are subsampled (seeded). */
  maxTrainFloats: 2 ** 28,
} as const;

const REASONS: StopReason[] = ['gradient', 'function', 'maxIter', 'lineSearch'];

export interface FittedRegression extends LinearHead {
  features: number;
  rows: number;
  positives: number;
  fraction: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: StopReason;
  objective: number;
  gradNorm: number;
  nonZero: number;
  fromCache: boolean;
  chainsComputed: number;
  chainsCached: number;
  chainsWindowed: number;
  uncovered: number;
  trainingDigest: string;
}

/** Fits (or reads from the task cache) the regression on the training chains. */
export async function fitRegression(
  ctx: TaskContext,
  chains: StructureEntry[],
  policy: WindowPolicy,
  onProgress?: (done: number, total: number) => void,
): Promise<FittedRegression> {
  const F = await featureCount(ctx.model);
  const s = REGRESSION_SETTINGS;
  const rng = ctx.rng.fork('train-pairs');
  const plan = planTraining(chains, F, policy, s.maxTrainFloats, rng);
  const key = `contacts.fit.v1|${plan.digest}|C=${s.C}|penalizeIntercept=${s.penalizeIntercept}|maxIter=${s.maxIter}|gradTol=${s.gradTol}|funcTol=${s.funcTol}`;
  const hit = ctx.cache.get(key);
  if (hit && hit.length === F + 10) {
    const coef = Float64Array.from(hit.subarray(0, F));
    return {
      coef,
      intercept: hit[F]!,
      digest: headDigest(coef, hit[F]!),
      features: F,
      rows: hit[F + 1]!,
      positives: hit[F + 2]!,
      fraction: plan.fraction,
      iterations: hit[F + 3]!,
      converged: hit[F + 4] === 1,
      objective: hit[F + 5]!,
      gradNorm: hit[F + 6]!,
      evaluations: hit[F + 7]!,
      reason: REASONS[hit[F + 8]!] ?? 'maxIter',
      nonZero: hit[F + 9]!,
      fromCache: true,
      chainsComputed: 0,
      chainsCached: chains.length,
      chainsWindowed: plan.chains.filter((c) => c.cw.windows.length > 1).length,
      uncovered: plan.uncovered,
      trainingDigest: plan.digest,
    };
  }
  const t = await computeTraining(ctx, plan, policy, onProgress);
  if (t.positives === 0 || t.positives === t.rows) {
    throw new TaskFailure(
      'E_TRAINING_DATA',
      `the training chains give ${t.positives} contacts among ${t.rows} pairs; the regression needs both classes`,
    );
  }
  const m = fitL1Binary({ data: t.x, rows: t.rows, cols: t.features }, t.y, {
    C: s.C,
    penalizeIntercept: s.penalizeIntercept,
    maxIter: s.maxIter,
    gradTol: s.gradTol,
    funcTol: s.funcTol,
  });
  let nonZero = 0;
  for (const w of m.coef) if (w !== 0) nonZero++;
  if (!m.coef.every(Number.isFinite) || !Number.isFinite(m.intercept)) {
    throw new TaskFailure('E_MODEL_OUTPUT', 'the contact regression did not converge to finite weights');
  }
  const stored = new Float64Array(F + 10);
  stored.set(m.coef, 0);
  stored[F] = m.intercept;
  stored[F + 1] = t.rows;
  stored[F + 2] = t.positives;
  stored[F + 3] = m.report.iterations;
  stored[F + 4] = m.report.converged ? 1 : 0;
  stored[F + 5] = m.objective;
  stored[F + 6] = m.report.gradNorm;
  stored[F + 7] = m.report.evaluations;
  stored[F + 8] = REASONS.indexOf(m.report.reason);
  stored[F + 9] = nonZero;
  ctx.cache.put(key, stored);
  return {
    coef: m.coef,
    intercept: m.intercept,
    digest: headDigest(m.coef, m.intercept),
    features: F,
    rows: t.rows,
    positives: t.positives,
    fraction: t.fraction,
    iterations: m.report.iterations,
    evaluations: m.report.evaluations,
    converged: m.report.converged,
    reason: m.report.reason,
    objective: m.objective,
    gradNorm: m.report.gradNorm,
    nonZero,
    fromCache: false,
    chainsComputed: t.chainsComputed,
    chainsCached: t.chainsCached,
    chainsWindowed: t.chainsWindowed,
    uncovered: t.uncovered,
    trainingDigest: t.digest,
  };
}

/** Identity of a fitted head: the bytes of its weights and intercept. */
export function headDigest(coef: Float64Array, intercept: number): string {
  const all = new Float64Array(coef.length + 1);
  all.set(coef);
  all[coef.length] = intercept;
  return sha256(new Uint8Array(all.buffer));
}
