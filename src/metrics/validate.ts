import type { NumericArray } from './types.js';

/*
 * Input checks shared by the metrics. Internal: not re-exported from index.ts.
 * Every failure is a RangeError whose message names the function, the argument and what was received,
 * so a caller can wrap it into a user error unchanged.
 */

/** Throws unless `x` is non-empty and holds no NaN (and, unless `allowInfinite`, no infinity). */
export function checkNumbers(fn: string, name: string, x: NumericArray, allowInfinite = false): void {
  if (x.length === 0) throw new RangeError(`${fn}: ${name} must not be empty`);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new RangeError(`${fn}: ${name}[${i}] must be a number, got ${String(v)}`);
    }
    if (!allowInfinite && !Number.isFinite(v)) {
      throw new RangeError(`${fn}: ${name}[${i}] must be finite, got ${v}`);
    }
  }
}

/** Throws unless `x` is non-empty and every element is exactly 0 or 1. */
export function checkBinary(fn: string, name: string, x: NumericArray): void {
  if (x.length === 0) throw new RangeError(`${fn}: ${name} must not be empty`);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== 0 && v !== 1) throw new RangeError(`${fn}: ${name}[${i}] must be 0 or 1, got ${String(v)}`);
  }
}

/** Throws unless both arrays have the same length. */
export function checkSameLength(fn: string, nameA: string, a: ArrayLike<unknown>, nameB: string, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new RangeError(`${fn}: ${nameA} and ${nameB} must have the same length, got ${a.length} and ${b.length}`);
  }
}

/** Throws unless `k` is an integer in [min, max]. */
export function checkInteger(fn: string, name: string, k: number, min: number, max: number): void {
  if (!Number.isInteger(k) || k < min || k > max) {
    throw new RangeError(`${fn}: ${name} must be an integer in [${min}, ${max}], got ${k}`);
  }
}
