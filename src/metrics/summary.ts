import type { NumericArray } from './types.js';
import { checkNumbers } from './validate.js';

/** Sum with Neumaier compensation (accurate for long arrays of mixed magnitudes). Finite inputs only. */
export function sum(x: NumericArray): number {
  checkNumbers('sum', 'x', x);
  return compensatedSum(x);
}

/** Arithmetic mean. Finite, non-empty input only. */
export function mean(x: NumericArray): number {
  checkNumbers('mean', 'x', x);
  return compensatedSum(x) / x.length;
}

/**
 * Median with numpy's semantics (`np.median`, which pandas' `Series.median` matches on NaN-free
 * data): the middle value for odd n, `(a + b) / 2` of the two middle values for even n.
 */
export function median(x: NumericArray): number {
  checkNumbers('median', 'x', x);
  const s = sortedCopy(x);
  const n = s.length;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * Quantile `q` in [0, 1] with numpy's default method (`np.quantile(x, q)`, method 'linear',
 * Hyndman-Fan type 7), reproduced operation by operation (numpy >= 1.22 `_quantile` / `_lerp`), so
 * that comparisons against the result (`x > quantile`) agree with numpy bit for bit.
 */
export function quantile(x: NumericArray, q: number): number {
  checkNumbers('quantile', 'x', x);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  return sortedQuantile(sortedCopy(x), q);
}

/** Percentile `p` in [0, 100], as `np.percentile(x, p)`: numpy divides `p / 100` first, so do we. */
export function percentile(x: NumericArray, p: number): number {
  checkNumbers('percentile', 'x', x);
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
  return sortedQuantile(sortedCopy(x), p / 100);
}

/** @internal numpy 'linear' quantile of an ascending-sorted, NaN-free array. */
export function sortedQuantile(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return s[n - 1]!; // numpy clamps both neighbours to the last element
  const prev = Math.floor(virtual);
  const gamma = virtual - prev;
  const a = s[prev]!;
  const b = s[prev + 1]!;
  const diff = b - a;
  // numpy's _lerp: a + diff*t, replaced by b - diff*(1-t) where t >= 0.5
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** @internal Ascending copy (numeric order, not string order). */
export function sortedCopy(x: NumericArray): Float64Array {
  return Float64Array.from(x).sort();
}

/** @internal Neumaier-compensated sum, no checks. */
export function compensatedSum(x: NumericArray): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}
