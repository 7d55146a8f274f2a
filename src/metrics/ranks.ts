import type { NumericArray } from './types.js';
import { checkNumbers } from './validate.js';

/**
 * 1-based ranks with ties given their average rank, as `scipy.stats.rankdata(x)` (method 'average').
 * Infinities are allowed (they rank first / last); NaN throws.
 */
export function ranks(x: NumericArray): number[] {
  checkNumbers('ranks', 'x', x, true);
  return averageRanks(x);
}

/** @internal `ranks` without input checks. */
export function averageRanks(x: NumericArray): number[] {
  const n = x.length;
  const order = ascendingOrder(x);
  const r = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const avg = (i + j + 2) / 2; // mean of the 1-based positions i+1 .. j+1
    for (let t = i; t <= j; t++) r[order[t]!] = avg;
    i = j + 1;
  }
  return r;
}

/** @internal Indices that sort `x` ascending; equal values keep index order (stable). */
export function ascendingOrder(x: NumericArray): Uint32Array {
  return indices(x.length).sort((i, j) => {
    const a = x[i]!;
    const b = x[j]!;
    return a < b ? -1 : a > b ? 1 : i - j;
  });
}

/**
 * @internal Indices that sort `x` descending; equal values keep index order, so among ties the
 * lower index comes first. Same as numpy `np.argsort(-x, kind='stable')`.
 */
export function descendingOrder(x: NumericArray): Uint32Array {
  return indices(x.length).sort((i, j) => {
    const a = x[i]!;
    const b = x[j]!;
    return a > b ? -1 : a < b ? 1 : i - j;
  });
}

function indices(n: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}
