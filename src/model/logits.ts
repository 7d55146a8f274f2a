import type { OutputView } from './runner.js';

/** log-sum-exp of row `row` of a `[L, V]` logits view, in float64. */
export function logSumExpRow(logits: OutputView, row: number): number {
  const V = logits.dims[logits.dims.length - 1]!;
  const d = logits.data;
  const off = row * V;
  let max = -Infinity;
  for (let j = 0; j < V; j++) if (d[off + j]! > max) max = d[off + j]!;
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(d[off + j]! - max);
  return max + Math.log(s);
}

/** log p(token | row) under the softmax of a logits row. */
export function logProbAt(logits: OutputView, row: number, token: number): number {
  const V = logits.dims[logits.dims.length - 1]!;
  return logits.data[row * V + token]! - logSumExpRow(logits, row);
}

/** The whole log-softmax of one row, as float64. */
export function logSoftmaxRow(logits: OutputView, row: number): Float64Array {
  const V = logits.dims[logits.dims.length - 1]!;
  const lse = logSumExpRow(logits, row);
  const out = new Float64Array(V);
  for (let j = 0; j < V; j++) out[j] = logits.data[row * V + j]! - lse;
  return out;
}
