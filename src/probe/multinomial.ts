import { BenchError } from '../util/errors.js';
import { gemmABtAcc, gemmAtBAcc, transposeBlock } from './kernels.js';
import { minimizeLbfgs } from './lbfgs.js';
import { asFloat64, checkFinite, checkLabels, checkMatrix, encodeLabels } from './matrix.js';
import { centeringPreconditioner } from './precondition.js';
import { applyStandardizer, fitStandardizer } from './standardize.js';
import type { Labels, Matrix, Matrix64, MultinomialModel, MultinomialOptions, ObjectiveFn, Standardizer } from './types.js';

/** Rows per block: the logits of a block (classes x BLOCK doubles) stay in cache. */
const BLOCK = 64;

/** Up to this many classes the "narrow" layout is used (see `multinomialObjective`). */
export const NARROW_MAX_CLASSES = 16;

/**
 * The multinomial objective on parameters `theta = [W (K x d, row-major), b (K)]`, divided by `C * n`:
 *
 *   F(W, b) = (1/n) * sum_i [ logsumexp_k(W_k . x_i + b_k) - (W_{y_i} . x_i + b_{y_i}) ] + ||W||_F^2 / (2 C n)
 *
 * which has the minimiser of scikit-learn's `C * sum_i logloss_i + 0.5 * ||W||_F^2` (intercept unpenalised)
 * while its gradient tolerance does not depend on n. `yIdx[i]` is the class index (0..K-1) of row i.
 * Rows are processed in blocks of 64, so memory use does not grow with n. Two layouts, chosen so that the
 * operand re-read by every register tile is the small, cache-resident one:
 * - "wide" (many classes): logits `Z^T = W X_b^T` (K x block), residuals `R^T = (P - Y)^T / n`,
 *   `grad_W += R^T (X_b^T)^T` with the block transposed once;
 * - "narrow" (K <= NARROW_MAX_CLASSES): logits `Z = X_b W^T` (block x K), `grad_W += R^T X_b` streamed row by row.
 * Both give the same values up to rounding; `layout` forces one (for tests).
 */
export function multinomialObjective(
  x: Matrix64,
  yIdx: Int32Array,
  K: number,
  C: number,
  layout: 'auto' | 'wide' | 'narrow' = 'auto',
): ObjectiveFn {
  const { data: X, rows: n, cols: d } = x;
  if (yIdx.length !== n) throw new RangeError(`multinomialObjective: ${yIdx.length} labels for ${n} rows`);
  for (let i = 0; i < n; i++) {
    const v = yIdx[i]!;
    if (!(v >= 0 && v < K)) throw new RangeError(`multinomialObjective: class index ${v} at row ${i} is outside 0..${K - 1}`);
  }
  const narrow = layout === 'narrow' || (layout === 'auto' && K <= NARROW_MAX_CLASSES);
  const z = new Float64Array(K * BLOCK);
  const xbt = narrow ? new Float64Array(0) : new Float64Array(d * BLOCK);
  const invN = 1 / n;
  const penalty = 1 / (C * n);
  const wSize = K * d;
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let r0 = 0; r0 < n; r0 += BLOCK) {
      const bs = Math.min(BLOCK, n - r0);
      z.fill(0, 0, K * bs);
      // element (row r, class k) of the block's logits is z[r * rs + k * ks]
      let rs: number;
      let ks: number;
      if (narrow) {
        gemmABtAcc(bs, K, d, X, r0 * d, d, theta, 0, d, z, 0, K);
        rs = K;
        ks = 1;
      } else {
        gemmABtAcc(K, bs, d, theta, 0, d, X, r0 * d, d, z, 0, bs);
        rs = 1;
        ks = bs;
      }
      for (let r = 0; r < bs; r++) {
        const o = r * rs;
        let zmax = -Infinity;
        for (let k = 0; k < K; k++) {
          const v = z[o + k * ks]! + theta[wSize + k]!;
          z[o + k * ks] = v;
          if (v > zmax) zmax = v;
        }
        const y = yIdx[r0 + r]!;
        const zy = z[o + y * ks]! - zmax;
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const e = Math.exp(z[o + k * ks]! - zmax);
          z[o + k * ks] = e;
          sum += e;
        }
        // -log p_y = logsumexp_k z_k - z_y = log(sum) - (z_y - zmax)
        loss += Math.log(sum) - zy;
        const scale = invN / sum;
        for (let k = 0; k < K; k++) z[o + k * ks] = z[o + k * ks]! * scale;
        z[o + y * ks] = z[o + y * ks]! - invN;
      }
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let r = 0; r < bs; r++) s += z[r * rs + k * ks]!;
        grad[wSize + k]! += s;
      }
      if (narrow) {
        gemmAtBAcc(K, d, bs, z, 0, K, X, r0 * d, d, grad, d);
      } else {
        transposeBlock(X, r0 * d, d, bs, d, xbt);
        gemmABtAcc(K, d, bs, z, 0, bs, xbt, 0, bs, grad, 0, d);
      }
    }
    let ww = 0;
    for (let i = 0; i < wSize; i++) {
      const w = theta[i]!;
      ww += w * w;
      grad[i]! += penalty * w;
    }
    return loss * invN + 0.5 * penalty * ww;
  };
}

/**
 * Fits multinomial logistic regression with an L2 penalty on the weights (not the intercepts):
 * minimises `C * sum_i -log P(y_i | x_i) + 0.5 * ||coef||_F^2`, the objective of scikit-learn's
 * `LogisticRegression(penalty='l2', C=C, multi_class='multinomial', solver='lbfgs')`, with L-BFGS from zero
 * (or `options.init`), preconditioned as if the features were standardized (`centeringPreconditioner`; the
 * solution is that of the features as given). Classes are the distinct labels of `y`; every class has its own weight row
 * (full parametrisation; with two classes the rows are negatives of each other).
 */
export function fitMultinomial(x: Matrix, y: Labels, options: MultinomialOptions): MultinomialModel {
  checkMatrix(x, 'fitMultinomial');
  const C = options.C;
  if (!(C > 0) || !Number.isFinite(C)) throw new RangeError(`fitMultinomial: C must be a positive finite number, got ${C}`);
  return fitPrepared(prepareFit(x, y, options.standardize ?? false), options);
}

/** Training rows checked and made ready for `fitPrepared`, the part of a fit that does not depend on C. */
export interface PreparedFit {
  classes: Int32Array;
  /** Class index (into `classes`) of each row. */
  index: Int32Array;
  standardizer: Standardizer | null;
  /** The features as fitted: standardized when `standardizer`, else the rows as Float64. */
  xs: Matrix64;
}

/**
 * The C-independent part of `fitMultinomial` (after its shape and C checks): rows, finiteness and labels
 * checked, labels encoded, features standardized when asked. `fitWithValidation` prepares once for its grid.
 */
export function prepareFit(x: Matrix, y: Labels, standardize: boolean): PreparedFit {
  if (x.rows === 0) throw new BenchError('E_DATA', 'fitMultinomial: no training rows');
  checkFinite(x, 'fitMultinomial');
  const { classes, index } = encodeLabels(checkLabels(y, x.rows, 'fitMultinomial'));
  const K = classes.length;
  if (K < 2) throw new BenchError('E_DATA', `fitMultinomial: training labels must contain at least 2 classes, got ${K}`);
  const standardizer = standardize ? fitStandardizer(x) : null;
  const xs = standardizer ? applyStandardizer(standardizer, x) : asFloat64(x);
  return { classes, index, standardizer, xs };
}

/** `fitMultinomial` on prepared rows (`options.C` checked by the caller; `options.standardize` is the preparation's). */
export function fitPrepared(prepared: PreparedFit, options: MultinomialOptions): MultinomialModel {
  const { classes, index, standardizer, xs } = prepared;
  const C = options.C;
  const K = classes.length;
  const d = xs.cols;
  const theta0 = new Float64Array(K * d + K);
  if (options.init) {
    const { coef, intercept } = options.init;
    if (coef.length !== K * d || intercept.length !== K) {
      throw new RangeError(`fitMultinomial: init has ${coef.length} + ${intercept.length} values, expected ${K} x ${d} + ${K}`);
    }
    theta0.set(coef, 0);
    theta0.set(intercept, K * d);
  }
  const fg = multinomialObjective(xs, index, K, C);
  const { x: theta, report } = minimizeLbfgs(fg, theta0, options, centeringPreconditioner(xs, K, 1 / (C * xs.rows)));
  const coef = theta.slice(0, K * d);
  const intercept = theta.slice(K * d);
  let mean = 0;
  for (let k = 0; k < K; k++) mean += intercept[k]!;
  mean /= K;
  for (let k = 0; k < K; k++) intercept[k] = intercept[k]! - mean;
  return {
    kind: 'multinomial',
    classes,
    nFeatures: d,
    coef,
    intercept,
    C,
    standardizer,
    objective: report.value * C * xs.rows,
    report,
  };
}

/** Logits `coef . s(x) + intercept`, `rows x classes`. */
export function decisionFunction(model: MultinomialModel, x: Matrix): Matrix64 {
  return logitsOf(model, featuresOf(model, x));
}

/** `s(x)`: the rows checked (shape, width, finiteness) and standardized as the model was fitted (else as Float64). */
export function featuresOf(model: MultinomialModel, x: Matrix): Matrix64 {
  checkMatrix(x, 'decisionFunction');
  if (x.cols !== model.nFeatures) throw new RangeError(`decisionFunction: model has ${model.nFeatures} features, got ${x.cols}`);
  checkFinite(x, 'decisionFunction');
  return model.standardizer ? applyStandardizer(model.standardizer, x) : asFloat64(x);
}

/** Logits `coef . xs + intercept` of rows already in the model's feature space (`featuresOf`). */
export function logitsOf(model: MultinomialModel, xs: Matrix64): Matrix64 {
  const K = model.classes.length;
  const n = xs.rows;
  const d = xs.cols;
  const out = new Float64Array(n * K);
  gemmABtAcc(n, K, d, xs.data, 0, d, model.coef, 0, d, out, 0, K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) out[i * K + k]! += model.intercept[k]!;
  }
  return { data: out, rows: n, cols: K };
}

/** Class probabilities, `rows x classes` (columns in the order of `model.classes`); rows sum to 1. */
export function predictProba(model: MultinomialModel, x: Matrix): Matrix64 {
  return softmaxRows(decisionFunction(model, x));
}

/** Softmax of each row of logits, in place; returns `z`. */
export function softmaxRows(z: Matrix64): Matrix64 {
  const K = z.cols;
  const p = z.data;
  for (let i = 0; i < z.rows; i++) {
    const o = i * K;
    let zmax = -Infinity;
    for (let k = 0; k < K; k++) if (p[o + k]! > zmax) zmax = p[o + k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(p[o + k]! - zmax);
      p[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) p[o + k] = p[o + k]! / sum;
  }
  return z;
}

/** Most probable label of each row (ties: the smaller label). */
export function predict(model: MultinomialModel, x: Matrix): Int32Array {
  return predictTopK(model, x, 1);
}

/**
 * The `k` most probable labels of each row, most probable first: `rows x k`, row-major
 * (ties: the smaller label first). `k` is capped at the number of classes.
 */
export function predictTopK(model: MultinomialModel, x: Matrix, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`predictTopK: k must be a positive integer, got ${k}`);
  return topKOfLogits(model, decisionFunction(model, x), k);
}

/** `predictTopK` from the logits (`decisionFunction`); `k` a positive integer. */
export function topKOfLogits(model: MultinomialModel, z: Matrix64, k: number): Int32Array {
  const K = z.cols;
  const kk = Math.min(k, K);
  const out = new Int32Array(z.rows * kk);
  const best = new Int32Array(kk);
  for (let i = 0; i < z.rows; i++) {
    const o = i * K;
    let filled = 0;
    for (let c = 0; c < K; c++) {
      const v = z.data[o + c]!;
      if (filled === kk && !(v > z.data[o + best[kk - 1]!]!)) continue;
      // insert c, keeping best[] sorted by decreasing logit; equal logits keep the earlier (smaller) class first
      let pos = filled === kk ? kk - 1 : filled++;
      while (pos > 0 && v > z.data[o + best[pos - 1]!]!) {
        best[pos] = best[pos - 1]!;
        pos--;
      }
      best[pos] = c;
    }
    for (let t = 0; t < kk; t++) out[i * kk + t] = model.classes[best[t]!]!;
  }
  return out;
}

/** Fraction of rows whose predicted label equals `y`. */
export function accuracy(model: MultinomialModel, x: Matrix, y: Labels): number {
  if (y.length !== x.rows) throw new RangeError(`accuracy: ${y.length} labels for ${x.rows} rows`);
  if (x.rows === 0) return NaN;
  return hitRate(predict(model, x), y);
}

/** Fraction of predicted labels equal to `y` (same length, at least one). */
export function hitRate(pred: Int32Array, y: Labels): number {
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) hit++;
  return hit / pred.length;
}
