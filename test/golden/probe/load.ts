import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Matrix64 } from '../../../src/probe/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A golden file written by make_golden.py (scikit-learn values on seeded synthetic data). */
export function loadGolden<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, name), 'utf8')) as T;
}

/** JSON matrix as stored by make_golden.py. */
export interface JsonMatrix {
  rows: number;
  cols: number;
  data: number[];
}

export function toMatrix(m: JsonMatrix): Matrix64 {
  return { data: Float64Array.from(m.data), rows: m.rows, cols: m.cols };
}

/** max_i |a_i - b_i|; throws on a length mismatch. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** max_i |a_i| */
export function maxAbsOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
