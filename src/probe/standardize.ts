import { checkMatrix } from './matrix.js';
import type { Matrix, Matrix64, Standardizer } from './types.js';

/**
 * Per-column mean and population standard deviation (ddof = 0) of the training rows, as scikit-learn's
 * `StandardScaler`. A column is constant when its variance is within rounding of zero (scikit-learn's rule:
 * `var <= n*eps*var + (n*eps*mean)^2`); its scale is 1, so it maps to 0 (and its weight stays 0 under L2).
 */
export function fitStandardizer(x: Matrix): Standardizer {
  checkMatrix(x, 'fitStandardizer');
  const { rows: n, cols: d, data } = x;
  if (n === 0) throw new RangeError('fitStandardizer: no rows');
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += data[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const c = data[o + j]! - mean[j]!;
      m2[j]! += c * c;
    }
  }
  const scale = new Float64Array(d);
  const constant: number[] = [];
  const eps = Number.EPSILON;
  for (let j = 0; j < d; j++) {
    const v = m2[j]! / n;
    const bound = n * eps * v + (n * eps * mean[j]!) ** 2;
    if (v <= bound) {
      scale[j] = 1;
      constant.push(j);
    } else {
      scale[j] = Math.sqrt(v);
    }
  }
  return { mean, scale, constant };
}

/** `(x - mean) / scale`, column-wise, into a new Float64Array matrix. */
export function applyStandardizer(s: Standardizer, x: Matrix): Matrix64 {
  checkMatrix(x, 'applyStandardizer');
  const d = x.cols;
  if (d !== s.mean.length) throw new RangeError(`applyStandardizer: fitted on ${s.mean.length} columns, got ${d}`);
  const out = new Float64Array(x.rows * d);
  const src = x.data;
  const { mean, scale } = s;
  for (let i = 0; i < x.rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = (src[o + j]! - mean[j]!) / scale[j]!;
  }
  return { data: out, rows: x.rows, cols: d };
}
