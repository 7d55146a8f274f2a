import type { ForwardRequest, ModelHandle, ResidueWindow } from '../../src/model/index.js';
import { bestWindowPerResidue, slidingWindows } from '../../src/model/index.js';
import { TaskFailure } from '../../src/task/index.js';

/** Sequences per forward call: bounds the per-residue rows held in memory at once. */
export const CHUNK = 48;

export function windowPolicy(model: ModelHandle): string {
  const size = model.maxResidues;
  return `sequences over ${size} residues: windows of ${size} residues, stride ${Math.max(1, Math.floor(size / 2))}; each residue's hidden state taken from the window where it is farthest from a window edge (bestWindowPerResidue)`;
}

export interface ResidueEmbeddingStats {
  windowed: number;
  requests: number;
  dim: number;
}

/**
 * Per-residue hidden states (`[n x D]`, rows = residues, special tokens excluded) of each sequence,
 * handed to `consume` chunk by chunk and then dropped, so memory holds one chunk at a time. One forward
 * pass per sequence (batched and cached by the runner); a sequence longer than the model is read in
 * overlapping windows and each residue takes its row from the window that gives it the most context.
 */
export async function forEachResidueEmbedding(
  model: ModelHandle,
  sequences: string[],
  consume: (index: number, rows: Float32Array, dim: number) => void,
  onProgress?: (done: number) => void,
): Promise<ResidueEmbeddingStats> {
  const off = model.vocab.residueOffset;
  const specials = model.vocab.specialCount;
  const size = model.maxResidues;
  const stride = Math.max(1, Math.floor(size / 2));
  const stats: ResidueEmbeddingStats = { windowed: 0, requests: 0, dim: -1 };
  for (let c0 = 0; c0 < sequences.length; c0 += CHUNK) {
    const chunk = sequences.slice(c0, c0 + CHUNK);
    const plans: ResidueWindow[][] = chunk.map((s) => slidingWindows(s.length, size, stride));
    const requests: ForwardRequest[] = [];
    const lens: number[] = [];
    plans.forEach((ws, k) => {
      if (ws.length > 1) stats.windowed++;
      for (const w of ws) {
        requests.push({ tokens: model.encode(chunk[k]!.slice(w.start, w.end)) });
        lens.push(w.end - w.start);
      }
    });
    stats.requests += requests.length;
    const rows = await model.forward(requests, {
      outputs: ['hidden_states'],
      reducer: 'secondary-structure.hidden-residue-rows.v1',
      // Depends on the tokens and outputs only (the cache key): the rows of the real tokens minus the specials.
      reduce: (o) => {
        const h = o.outputs.hidden_states!;
        const D = h.dims[h.dims.length - 1]!;
        return Float32Array.from(h.data.subarray(off * D, (off + o.length - specials) * D));
      },
    });
    let r0 = 0;
    plans.forEach((ws, k) => {
      const n = chunk[k]!.length;
      const D = rows[r0]!.length / lens[r0]!;
      if (stats.dim < 0) stats.dim = D;
      else if (D !== stats.dim) throw new TaskFailure('E_MODEL_OUTPUT', `hidden_states width changed between sequences (${stats.dim} then ${D})`);
      let out: Float32Array;
      if (ws.length === 1) {
        out = rows[r0] as Float32Array;
      } else {
        out = new Float32Array(n * D);
        const best = bestWindowPerResidue(n, ws);
        for (let i = 0; i < n; i++) {
          const w = ws[best[i]!]!;
          const src = rows[r0 + best[i]!]!;
          out.set(src.subarray((i - w.start) * D, (i - w.start + 1) * D), i * D);
        }
      }
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(out[i]!)) throw new TaskFailure('E_MODEL_OUTPUT', `sequence ${c0 + k + 1}: a hidden state is not finite (${out[i]})`);
      }
      consume(c0 + k, out, D);
      r0 += ws.length;
    });
    onProgress?.(Math.min(sequences.length, c0 + CHUNK));
  }
  return stats;
}
