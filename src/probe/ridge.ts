import { BenchError } from '../util/errors.js';
import { checkFinite, checkMatrix } from './matrix.js';
import type { Matrix, Matrix64, RidgeModel, RidgeOptions } from './types.js';

/**
 * In-place Cholesky factorisation of the symmetric positive definite `d x d` matrix `a` (row-major; the
 * lower triangle is read and overwritten with L, A = L L^T). Returns false when `a` is not positive definite
 * to working precision (a pivot below 1e-12 of its diagonal entry).
 */
export function cholesky(a: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const ajj = a[j * d + j]!;
    let s = ajj;
    for (let k = 0; k < j; k++) s -= a[j * d + k]! * a[j * d + k]!;
    if (!(s > 1e-12 * ajj)) return false; // a pivot lost to rounding: singular to working precision
    const ljj = Math.sqrt(s);
    a[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= a[i * d + k]! * a[j * d + k]!;
      a[i * d + j] = t / ljj;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (`b` becomes x), with L from `cholesky`. */
export function choleskySolve(l: Float64Array, d: number, b: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * b[k]!;
    b[i] = s / l[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * b[k]!;
    b[i] = s / l[i * d + i]!;
  }
}

/**
 * Ridge regression, as scikit-learn's `Ridge(alpha, fit_intercept)`: minimises
 * `||Y - X W^T - 1 b^T||_F^2 + alpha * ||W||_F^2` (intercept unpenalised). Closed form: with column-centred
 * X and Y (when fitting the intercept), `(Xc^T Xc + alpha I) W^T = Xc^T Yc` by Cholesky, then
 * `b = mean(Y) - W mean(X)`. `y` is one target per row (array) or a `rows x targets` matrix.
 */
export function fitRidge(x: Matrix, y: Float64Array | readonly number[] | Matrix, options: RidgeOptions): RidgeModel {
  checkMatrix(x, 'fitRidge');
  const alpha = options.alpha;
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`fitRidge: alpha must be a finite number >= 0, got ${alpha}`);
  const fitIntercept = options.fitIntercept ?? true;
  const { rows: n, cols: d } = x;
  const Y: Matrix = 'rows' in y ? y : { data: Float64Array.from(y), rows: y.length, cols: 1 };
  checkMatrix(Y, 'fitRidge: y');
  if (Y.rows !== n) throw new RangeError(`fitRidge: ${Y.rows} targets for ${n} rows`);
  if (n === 0) throw new BenchError('E_DATA', 'fitRidge: no training rows');
  checkFinite(x, 'fitRidge');
  checkFinite(Y, 'fitRidge: y');
  const t = Y.cols;
  const xMean = new Float64Array(d);
  const yMean = new Float64Array(t);
  if (fitIntercept) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) xMean[j]! += x.data[i * d + j]!;
      for (let k = 0; k < t; k++) yMean[k]! += Y.data[i * t + k]!;
    }
    for (let j = 0; j < d; j++) xMean[j] = xMean[j]! / n;
    for (let k = 0; k < t; k++) yMean[k] = yMean[k]! / n;
  }
  // Gram matrix (lower triangle) and right-hand sides, one centred row at a time
  const A = new Float64Array(d * d);
  const B = new Float64Array(t * d); // row k: Xc^T yc_k
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x.data[i * d + j]! - xMean[j]!;
    for (let j = 0; j < d; j++) {
      const v = row[j]!;
      if (v === 0) continue;
      const o = j * d;
      for (let k = 0; k <= j; k++) A[o + k]! += v * row[k]!;
    }
    for (let k = 0; k < t; k++) {
      const yk = Y.data[i * t + k]! - yMean[k]!;
      const o = k * d;
      for (let j = 0; j < d; j++) B[o + j]! += yk * row[j]!;
    }
  }
  for (let j = 0; j < d; j++) A[j * d + j]! += alpha;
  if (!cholesky(A, d)) {
    throw new BenchError(
      'E_DATA',
      `fitRidge: X^T X + alpha I is not positive definite (alpha = ${alpha}); the features are collinear, use alpha > 0`,
    );
  }
  const coef = new Float64Array(t * d);
  const intercept = new Float64Array(t);
  for (let k = 0; k < t; k++) {
    const w = B.subarray(k * d, (k + 1) * d);
    choleskySolve(A, d, w);
    coef.set(w, k * d);
    let b = yMean[k]!;
    for (let j = 0; j < d; j++) b -= w[j]! * xMean[j]!;
    intercept[k] = fitIntercept ? b : 0;
  }
  return { kind: 'ridge', nFeatures: d, targets: t, coef, intercept, alpha };
}

/** Predictions, `rows x targets`. */
export function predictRidge(model: RidgeModel, x: Matrix): Matrix64 {
  checkMatrix(x, 'predictRidge');
  const d = model.nFeatures;
  if (x.cols !== d) throw new RangeError(`predictRidge: model has ${d} features, got ${x.cols}`);
  checkFinite(x, 'predictRidge');
  const t = model.targets;
  const out = new Float64Array(x.rows * t);
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < t; k++) {
      let s = model.intercept[k]!;
      for (let j = 0; j < d; j++) s += x.data[i * d + j]! * model.coef[k * d + j]!;
      out[i * t + k] = s;
    }
  }
  return { data: out, rows: x.rows, cols: t };
}
