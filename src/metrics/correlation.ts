import type { NumericArray } from './types.js';
import { averageRanks } from './ranks.js';
import { checkNumbers, checkSameLength } from './validate.js';

/**
 * Pearson correlation, as `scipy.stats.pearsonr(x, y)[0]` (two-pass centred sums, clipped to
 * [-1, 1]). Returns NaN when either side is constant (scipy warns and returns NaN), including n = 1
 * (where scipy raises instead). Inputs must be finite.
 */
export function pearson(x: NumericArray, y: NumericArray): number {
  checkSameLength('pearson', 'x', x, 'y', y);
  checkNumbers('pearson', 'x', x);
  checkNumbers('pearson', 'y', y);
  return pearsonUnchecked(x, y);
}

/**
 * Spearman rank correlation, as `scipy.stats.spearmanr(x, y)[0]`: Pearson correlation of the
 * average ranks (ties share their mean rank). Returns NaN when either side is constant (scipy's
 * ConstantInputWarning case), including n = 1. Infinities are allowed (they are ranked); NaN throws.
 */
export function spearman(x: NumericArray, y: NumericArray): number {
  checkSameLength('spearman', 'x', x, 'y', y);
  checkNumbers('spearman', 'x', x, true);
  checkNumbers('spearman', 'y', y, true);
  if (isConstant(x) || isConstant(y)) return NaN;
  return pearsonUnchecked(averageRanks(x), averageRanks(y));
}

function isConstant(x: NumericArray): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

function pearsonUnchecked(x: NumericArray, y: NumericArray): number {
  const n = x.length;
  if (isConstant(x) || isConstant(y)) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return Math.max(-1, Math.min(1, r));
}
