import type { ForwardRequest, ModelHandle, ResidueWindow } from '../model/index.js';
import { bestWindowPerResidue, slidingWindows } from '../model/index.js';
import { TaskFailure } from './index.js';

/**
 * Per-residue hidden states of sequences of any length (the fold and secondary-structure tasks): a sequence
 * longer than the model is read in overlapping windows of `maxResidues` residues, stride half a window, and
 * each residue takes its row from the window that gives it the most context (`bestWindowPerResidue`).
 */

/** Stride of the windows: half a window (at least 1). */
export function residueWindowStride(model: ModelHandle): number {
  return Math.max(1, Math.floor(model.maxResidues / 2));
}

/** The window policy of `residueHiddenRows`, as recorded in results. */
export function residueWindowPolicy(model: ModelHandle): string {
  const size = model.maxResidues;
  return `sequences over ${size} residues: windows of ${size} residues, stride ${residueWindowStride(model)}; each residue's hidden state taken from the window where it is farthest from a window edge (bestWindowPerResidue)`;
}

export interface ResidueRows {
  /** Sequences read in more than one window. */
  windowed: number;
  /** Forward requests made (one per window; one per sequence that fits the model). */
  requests: number;
  /** Width of the hidden states of sequence `k` (read from its first window). */
  dimOf(k: number): number;
  /**
   * The hidden states of sequence `k` at its residues (special tokens excluded), `[n x dimOf(k)]` row-major:
   * the model's rows when the sequence took one window, else stitched from its windows (a new array).
   */
  rowsOf(k: number): Float32Array;
}

/**
 * Hidden states at the residue positions of each sequence, from one forward call over the windows of all
 * of them (batched and cached by the runner under `reducer`, which names what the reducer keeps: the rows
 * of the real tokens minus the specials, a function of the tokens and outputs only). No forward call
 * when `sequences` is empty. `onProgress` gets the runner's progress over the windows (done, windows).
 * The caller checks the widths (`checkWidth`) and the values.
 */
export async function residueHiddenRows(
  model: ModelHandle,
  sequences: readonly string[],
  reducer: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ResidueRows> {
  const off = model.vocab.residueOffset;
  const specials = model.vocab.specialCount;
  const size = model.maxResidues;
  const stride = residueWindowStride(model);
  const plans: ResidueWindow[][] = sequences.map((s) => slidingWindows(s.length, size, stride));
  const requests: ForwardRequest[] = [];
  const lens: number[] = [];
  const first: number[] = [];
  let windowed = 0;
  plans.forEach((ws, k) => {
    if (ws.length > 1) windowed++;
    first.push(requests.length);
    for (const w of ws) {
      requests.push({ tokens: model.encode(sequences[k]!.slice(w.start, w.end)) });
      lens.push(w.end - w.start);
    }
  });
  const rows =
    requests.length === 0
      ? []
      : await model.forward(
          requests,
          {
            outputs: ['hidden_states'],
            reducer,
            reduce: (o) => {
              const h = o.outputs.hidden_states!;
              const D = h.dims[h.dims.length - 1]!;
              return h.data.slice(off * D, (off + o.length - specials) * D);
            },
          },
          (d) => onProgress?.(d, requests.length),
        );
  const dimOf = (k: number) => rows[first[k]!]!.length / lens[first[k]!]!;
  return {
    windowed,
    requests: requests.length,
    dimOf,
    rowsOf(k) {
      const ws = plans[k]!;
      const r0 = first[k]!;
      const n = sequences[k]!.length;
      const D = dimOf(k);
      if (ws.length === 1) return rows[r0] as Float32Array;
      const out = new Float32Array(n * D);
      const best = bestWindowPerResidue(n, ws);
      for (let i = 0; i < n; i++) {
        const w = ws[best[i]!]!;
        const src = rows[r0 + best[i]!]!;
        out.set(src.subarray((i - w.start) * D, (i - w.start + 1) * D), i * D);
      }
      return out;
    },
  };
}

/**
 * The hidden-state width seen so far (-1: none yet) after one more sequence of width `d`; a width that
 * differs from the earlier ones is a model-output failure.
 */
export function checkWidth(dim: number, d: number): number {
  if (dim >= 0 && d !== dim) throw new TaskFailure('E_MODEL_OUTPUT', `hidden_states width changed between sequences (${dim} then ${d})`);
  return d;
}

/** Index of the first NaN or infinite value, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
