/**
 * Residue pairs and the attention features of ESM's contact head, as pure functions.
 *
 * Pairs: every (i, j) with i < j and j - i >= 6 (the smallest separation any metric here uses), numbered
 * row-major: (0, 6), (0, 7), ..., (0, n-1), (1, 7), ... A sequence of n residues has (n-6)(n-5)/2 of them.
 *
 * Features (ESM's `ContactPredictionHead`, `esm/modules.py`): for each layer and head, the attention map over
 * the residues only (start and end tokens dropped), symmetrized `S = A + A^T`, then the average product
 * correction `F_ij = S_ij - (sum_k S_ik)(sum_k S_kj) / sum_kl S_kl`. One feature per layer and head, in
 * layer-major order (layer * heads + head). A map whose residue block sums to 0 gets no correction (ESM would
 * divide by zero).
 */
import type { OutputView } from '../model/index.js';

export const MIN_SEPARATION = 6;

/** Number of pairs (i < j, j - i >= 6) among n residues. */
export function pairCount(n: number): number {
  const m = n - MIN_SEPARATION;
  return m > 0 ? (m * (m + 1)) / 2 : 0;
}

/** Index of the first pair of row i (pairs (i, i+6), (i, i+7), ...). */
export function rowStart(n: number, i: number): number {
  return i * (n - MIN_SEPARATION) - (i * (i - 1)) / 2;
}

/** Index of pair (i, j), i < j, j - i >= 6, among n residues. */
export function pairIndex(n: number, i: number, j: number): number {
  return rowStart(n, i) + (j - i - MIN_SEPARATION);
}

/**
 * The pairs of a window of `n` residues starting at residue `start` of a sequence of `length` residues: calls
 * fn(q, p) for each, q its index among the window's own pairs (in index order), p its index among the sequence's.
 */
export function forEachWindowPair(length: number, start: number, n: number, fn: (q: number, p: number) => void): void {
  let q = 0;
  for (let a = 0; a + MIN_SEPARATION < n; a++) {
    const p0 = pairIndex(length, start + a, start + a + MIN_SEPARATION);
    for (let b = a + MIN_SEPARATION; b < n; b++, q++) fn(q, p0 + b - a - MIN_SEPARATION);
  }
}

/** Calls fn(p, i, j) for every pair of n residues, in index order. */
export function forEachPair(n: number, fn: (p: number, i: number, j: number) => void): void {
  let p = 0;
  for (let i = 0; i + MIN_SEPARATION < n; i++) {
    for (let j = i + MIN_SEPARATION; j < n; j++) fn(p++, i, j);
  }
}

/** Attention maps of one sequence: the runner's `[layers, heads, Lpad, Lpad]` view. */
export interface AttentionBlock {
  view: OutputView;
  /** Token position of the first residue (1 when a start token precedes the residues). */
  offset: number;
  /** Residues in this sequence (window). */
  residues: number;
}

/** layers * heads of an attention view. */
export function mapCount(view: OutputView): number {
  const d = view.dims;
  if (d.length !== 4 || d[2] !== d[3])
    throw new RangeError(`attentions: expected [layers, heads, L, L] per sequence, got [${d.join(', ')}]`);
  return d[0]! * d[1]!;
}

/**
 * APC'd symmetrized attention of map m, for every pair of the block's residues: calls
 * `emit(p, value)` with the block-local pair index p. `scratch` holds 2 * residues doubles.
 * Returns false when a value is not finite (the caller reports the model's failure).
 */
export function apcFeatures(block: AttentionBlock, m: number, scratch: Float64Array, emit: (p: number, value: number) => void): boolean {
  const { view, offset, residues: n } = block;
  const Lpad = view.dims[2]!;
  const data = view.data;
  const base = m * Lpad * Lpad;
  const row = scratch.subarray(0, n);
  const col = scratch.subarray(n, 2 * n);
  row.fill(0);
  col.fill(0);
  for (let a = 0; a < n; a++) {
    const r = base + (offset + a) * Lpad + offset;
    for (let b = 0; b < n; b++) {
      const v = data[r + b]!;
      row[a]! += v;
      col[b]! += v;
    }
  }
  // S = A + A^T: its row sums are row + col of A; its total is twice A's.
  let total = 0;
  for (let a = 0; a < n; a++) {
    row[a] = row[a]! + col[a]!;
    total += row[a]!;
  }
  if (!Number.isFinite(total)) return false;
  const inv = total !== 0 ? 1 / total : 0;
  let p = 0;
  for (let a = 0; a + MIN_SEPARATION < n; a++) {
    const ra = row[a]! * inv;
    const r = base + (offset + a) * Lpad + offset;
    for (let b = a + MIN_SEPARATION; b < n; b++) {
      const s = data[r + b]! + data[base + (offset + b) * Lpad + offset + a]!;
      emit(p++, s - ra * row[b]!);
    }
  }
  return true;
}
