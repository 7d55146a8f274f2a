import { BenchError } from '../util/errors.js';
import type { Labels, Matrix, Matrix64 } from './types.js';

/** Wraps row-major data as a matrix, checking that the length is `rows * cols`. */
export function matrix<T extends Float64Array | Float32Array>(
  data: T,
  rows: number,
  cols: number,
): { data: T; rows: number; cols: number } {
  const m = { data, rows, cols };
  checkMatrix(m, 'matrix');
  return m;
}

/** Throws unless `m` is a well-formed matrix (an internal bug otherwise: shapes come from code). */
export function checkMatrix(m: Matrix, what: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    throw new RangeError(`${what}: rows and cols must be non-negative integers, got ${m.rows} x ${m.cols}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`${what}: data length ${m.data.length} is not rows * cols = ${m.rows} x ${m.cols}`);
  }
}

/** Throws a user-facing error when a feature value is NaN or infinite (a model emitting NaN, a bad file). */
export function checkFinite(m: Matrix, what: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      const r = Math.floor(i / Math.max(1, m.cols));
      throw new BenchError('E_DATA', `${what}: features must be finite, got ${v} at row ${r}, column ${i - r * m.cols}`);
    }
  }
}

/** The rows of `m` as a Float64Array matrix; shares `m.data` when it already is one. */
export function asFloat64(m: Matrix): Matrix64 {
  if (m.data instanceof Float64Array) return { data: m.data, rows: m.rows, cols: m.cols };
  return { data: Float64Array.from(m.data), rows: m.rows, cols: m.cols };
}

/** The rows of `a` followed by the rows of `b` (used to refit on train + validation). */
export function vstack(a: Matrix, b: Matrix): Matrix64 {
  if (a.cols !== b.cols) throw new RangeError(`vstack: column counts differ, ${a.cols} vs ${b.cols}`);
  const out = new Float64Array((a.rows + b.rows) * a.cols);
  out.set(a.data, 0);
  out.set(b.data, a.rows * a.cols);
  return { data: out, rows: a.rows + b.rows, cols: a.cols };
}

/** Checks labels (non-negative integers, one per row) and returns them as Int32Array. */
export function checkLabels(y: Labels, rows: number, what: string): Int32Array {
  if (y.length !== rows) throw new RangeError(`${what}: ${y.length} labels for ${rows} rows`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = y[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new BenchError('E_DATA', `${what}: labels must be non-negative integers, got ${v} at row ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Sorted distinct labels and, for each row, the index of its label among them. */
export function encodeLabels(y: Int32Array): { classes: Int32Array; index: Int32Array } {
  const classes = Int32Array.from(new Set(y)).sort();
  const pos = new Map<number, number>();
  classes.forEach((c, k) => pos.set(c, k));
  const index = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) index[i] = pos.get(y[i]!)!;
  return { classes, index };
}
