import type { ForwardRequest, ModelHandle } from '../../src/model/index.js';
import { TaskFailure } from '../../src/task/index.js';
import { checkWidth, firstNonFinite, residueHiddenRows, residueWindowPolicy } from '../../src/task/residue-embedding.js';

/** Mean-pooled embeddings, one row of `dim` floats per sequence. */
export interface Embeddings {
  data: Float32Array;
  rows: number;
  dim: number;
  /** Sequences longer than the model, read in windows. */
  windowed: number;
  /** Forward requests made (one per sequence, one per window for long ones). */
  requests: number;
}

/** Window policy for sequences longer than the model, as recorded in results. */
export function windowPolicy(model: ModelHandle): string {
  return `${residueWindowPolicy(model)}, then averaged`;
}

/**
 * Mean of `hidden_states` over the residue positions of each sequence (special tokens excluded:
 * positions `residueOffset .. residueOffset + n - 1`), one forward pass per sequence, batched and
 * cached by the runner. A sequence longer than the model is read in overlapping windows; each residue's
 * hidden state comes from the window that gives it the most context, and the mean is over all residues.
 */
export async function meanEmbeddings(
  model: ModelHandle,
  sequences: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<Embeddings> {
  const off = model.vocab.residueOffset;
  const specials = model.vocab.specialCount;
  const size = model.maxResidues;
  const short: number[] = [];
  const long: number[] = [];
  sequences.forEach((s, i) => (s.length <= size ? short : long).push(i));
  const total = sequences.length;
  let dim = -1;
  const meanReq: ForwardRequest[] = short.map((i) => ({ tokens: model.encode(sequences[i]!) }));
  const means = await model.forward(
    meanReq,
    {
      outputs: ['hidden_states'],
      reducer: 'fold.mean-hidden-residues.v1',
      // Depends on the tokens and outputs only (the cache key): n = real tokens minus the special tokens.
      reduce: (o) => {
        const h = o.outputs.hidden_states!;
        const D = h.dims[h.dims.length - 1]!;
        const n = o.length - specials;
        const acc = new Float64Array(D);
        for (let r = off; r < off + n; r++) {
          const row = r * D;
          for (let j = 0; j < D; j++) acc[j]! += h.data[row + j]!;
        }
        const out = new Float32Array(D);
        for (let j = 0; j < D; j++) out[j] = acc[j]! / n;
        return out;
      },
    },
    (d) => onProgress?.(d, total),
  );
  // Long sequences: per-residue rows from their windows (one forward call), averaged below.
  const longRows = await residueHiddenRows(
    model,
    long.map((i) => sequences[i]!),
    'fold.hidden-residue-rows.v1',
    (d, windows) => onProgress?.(short.length + Math.round((d / windows) * long.length), total),
  );
  let data = new Float32Array(0);
  const place = (i: number, v: Float32Array | Float64Array) => {
    dim = checkWidth(dim, v.length);
    if (data.length === 0) data = new Float32Array(total * dim);
    data.set(v, i * dim);
  };
  means.forEach((m, k) => {
    place(short[k]!, m);
  });
  long.forEach((seq, k) => {
    const n = sequences[seq]!.length;
    const D = longRows.dimOf(k);
    const rows = longRows.rowsOf(k);
    const acc = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const o = i * D;
      for (let j = 0; j < D; j++) acc[j]! += rows[o + j]!;
    }
    const mean = new Float32Array(D);
    for (let j = 0; j < D; j++) mean[j] = acc[j]! / n;
    place(seq, mean);
  });
  const bad = firstNonFinite(data);
  if (bad >= 0)
    throw new TaskFailure('E_MODEL_OUTPUT', `sequence ${Math.floor(bad / dim) + 1}: the mean hidden state is not finite (${data[bad]})`);
  return { data, rows: total, dim, windowed: long.length, requests: meanReq.length + longRows.requests };
}
