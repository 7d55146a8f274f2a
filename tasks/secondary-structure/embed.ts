import type { ModelHandle } from '../../src/model/index.js';
import { TaskFailure } from '../../src/task/index.js';
import { checkWidth, firstNonFinite, residueHiddenRows, residueWindowPolicy } from '../../src/task/residue-embedding.js';

/** Sequences per forward call: bounds the per-residue rows held in memory at once. */
export const CHUNK = 48;

export function windowPolicy(model: ModelHandle): string {
  return residueWindowPolicy(model);
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
  const stats: ResidueEmbeddingStats = { windowed: 0, requests: 0, dim: -1 };
  for (let c0 = 0; c0 < sequences.length; c0 += CHUNK) {
    const chunk = sequences.slice(c0, c0 + CHUNK);
    const res = await residueHiddenRows(model, chunk, 'secondary-structure.hidden-residue-rows.v1');
    stats.windowed += res.windowed;
    stats.requests += res.requests;
    chunk.forEach((_, k) => {
      const D = res.dimOf(k);
      stats.dim = checkWidth(stats.dim, D);
      const out = res.rowsOf(k);
      const bad = firstNonFinite(out);
      if (bad >= 0) throw new TaskFailure('E_MODEL_OUTPUT', `sequence ${c0 + k + 1}: a hidden state is not finite (${out[bad]})`);
      consume(c0 + k, out, D);
    });
    onProgress?.(Math.min(sequences.length, c0 + CHUNK));
  }
  return stats;
}
