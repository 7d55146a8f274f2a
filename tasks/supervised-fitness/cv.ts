import { spearman } from '../../src/metrics/index.js';
import { applyStandardizer, fitRidge, fitStandardizer, predictRidge, type Matrix } from '../../src/probe/index.js';

/**
 * Cross-validated ridge regression on ProteinGym's fold columns: for each test fold, a ridge model is fitted
 * on the other folds with its penalty chosen on an inner validation fold taken from those training folds
 * (never the test fold), refitted on all training folds at that penalty, and used to predict the test fold.
 * The out-of-fold predictions of all folds are concatenated and scored with one Spearman against the
 * measured scores (ProteinGym's supervised protocol: Notin et al. 2023, ProteinNPT; the per-assay Spearman
 * values that OATML-Markslab/ProteinGym proteingym/performance_DMS_supervised_benchmarks.py aggregates).
 */

/** A ridge learner: `train(rows, y)` fixes the training rows; `(alpha)` fits at one penalty; `(rows)` predicts. */
export interface RidgeLearner {
  train(rows: Int32Array, y: Float64Array): (alpha: number) => (rows: Int32Array) => Float64Array;
}

/** Penalty grid of the embedding ridge (scikit-learn `Ridge(alpha)` scale, on standardized features). An assumption of this task. */
export const EMBEDDING_ALPHAS: readonly number[] = Object.freeze([1e-2, 1e-1, 1, 10, 1e2, 1e3, 1e4, 1e5]);
/** Penalty grid of the one-hot control (0/1 features, not standardized). An assumption of this task. */
export const ONEHOT_ALPHAS: readonly number[] = Object.freeze([1e-2, 1e-1, 1, 10, 1e2, 1e3]);

export const SELECTION_RULE =
  'for test fold f_i (fold labels sorted), the inner validation fold is f_(i+1 mod K), the next fold of the same scheme (so the inner split mirrors the scheme: a contiguous block for fold_contiguous_5, a modulo class for fold_modulo_5); each alpha of the grid is fitted on the other K - 2 folds and scored by mean squared error on the validation fold (the criterion of scikit-learn RidgeCV; not Spearman, which is blind to the shrinkage of a large alpha that the concatenated out-of-fold Spearman then pays for when fold intercepts differ); the lowest wins, ties to the larger alpha; the model is then refitted on all K - 1 training folds at that alpha and predicts the test fold';

export interface FoldFit {
  /** The held-out fold label. */
  test: number;
  /** The inner validation fold label. */
  validation: number;
  alpha: number;
  trainRows: number;
  testRows: number;
  /** Validation mean squared error (the selection criterion) and Spearman (null: undefined) per alpha of the grid. */
  scores: { alpha: number; mse: number; spearman: number | null }[];
}

export interface CvResult {
  /** Out-of-fold prediction of every row. */
  predictions: Float64Array;
  /** Spearman of all out-of-fold predictions against y (NaN when undefined). */
  spearman: number;
  folds: FoldFit[];
}

/** Row indices whose fold label satisfies `keep`. */
function rowsWhere(folds: Int32Array, keep: (f: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < folds.length; i++) if (keep(folds[i]!)) out.push(i);
  return Int32Array.from(out);
}

/**
 * Predictions snapped to a grid of 1e-10 of their largest magnitude before ranking: the one-hot control
 * predicts mathematically equal values for variants that differ only in letters no training row has, and
 * floating-point roundoff (which differs between implementations) would otherwise break those ties arbitrarily.
 */
export function snapPredictions(p: Float64Array): Float64Array {
  let scale = 0;
  for (const v of p) if (Math.abs(v) > scale) scale = Math.abs(v);
  if (!(scale > 0) || !Number.isFinite(scale)) return p;
  return Float64Array.from(p, (v) => (Math.floor((v / scale) * 1e10 + 0.5) / 1e10) * scale);
}

/** Spearman of snapped predictions against the measured scores. */
export function predictionSpearman(p: Float64Array, y: Float64Array): number {
  return spearman(snapPredictions(p), y);
}

function pick(y: Float64Array, rows: Int32Array): Float64Array {
  return Float64Array.from(rows, (i) => y[i]!);
}

/**
 * Runs the protocol above. `folds[i]` is row i's fold label (non-negative integers, at least 3 distinct:
 * test, validation and at least one training fold).
 */
export function crossValidatedRidge(learner: RidgeLearner, y: Float64Array, folds: Int32Array, alphas: readonly number[]): CvResult {
  if (folds.length !== y.length) throw new RangeError(`crossValidatedRidge: ${folds.length} fold labels for ${y.length} rows`);
  const labels = [...new Set(folds)].sort((a, b) => a - b);
  if (labels.length < 3) throw new RangeError(`crossValidatedRidge: needs at least 3 folds, got ${labels.length}`);
  if (alphas.length === 0) throw new RangeError('crossValidatedRidge: empty alpha grid');
  const predictions = new Float64Array(y.length).fill(NaN);
  const fits: FoldFit[] = [];
  labels.forEach((test, i) => {
    const validation = labels[(i + 1) % labels.length]!;
    const testRows = rowsWhere(folds, (f) => f === test);
    const trainRows = rowsWhere(folds, (f) => f !== test);
    const innerRows = rowsWhere(folds, (f) => f !== test && f !== validation);
    const validRows = rowsWhere(folds, (f) => f === validation);
    const inner = learner.train(innerRows, pick(y, innerRows));
    const yValid = pick(y, validRows);
    let best = alphas[alphas.length - 1]!;
    let bestLoss = Infinity;
    const scores: FoldFit['scores'] = [];
    for (const alpha of alphas) {
      const p = inner(alpha)(validRows);
      let loss = 0;
      for (let k = 0; k < p.length; k++) loss += (p[k]! - yValid[k]!) ** 2;
      loss /= p.length;
      const s = predictionSpearman(p, yValid);
      scores.push({ alpha, mse: loss, spearman: Number.isFinite(s) ? s : null });
      // Ascending grid, <=: ties go to the larger alpha (the simpler model).
      if (loss <= bestLoss) {
        best = alpha;
        bestLoss = loss;
      }
    }
    const p = learner.train(trainRows, pick(y, trainRows))(best)(testRows);
    testRows.forEach((r, k) => (predictions[r] = p[k]!));
    fits.push({ test, validation, alpha: best, trainRows: trainRows.length, testRows: testRows.length, scores });
  });
  return { predictions, spearman: predictionSpearman(predictions, y), folds: fits };
}

/** The rows `rows` of `x` as a new matrix. */
function subMatrix(x: Matrix, rows: Int32Array): Matrix {
  const d = x.cols;
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, k) => {
    for (let j = 0; j < d; j++) data[k * d + j] = x.data[r * d + j]!;
  });
  return { data, rows: rows.length, cols: d };
}

/**
 * The embedding learner: features standardized on the training rows (mean 0, population sd 1; scikit-learn
 * StandardScaler), then `Ridge(alpha, fit_intercept=True)` (src/probe fitStandardizer / fitRidge).
 */
export function denseRidgeLearner(x: Matrix): RidgeLearner {
  return {
    train(rows, y) {
      const xt = subMatrix(x, rows);
      const scaler = fitStandardizer(xt);
      const z = applyStandardizer(scaler, xt);
      return (alpha) => {
        const model = fitRidge(z, y, { alpha });
        return (target) => predictRidge(model, applyStandardizer(scaler, subMatrix(x, target))).data;
      };
    },
  };
}
