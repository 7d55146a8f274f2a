import type { ForwardRequest, ModelHandle } from '../../src/model/index.js';
import { bestWindowPerResidue, slidingWindows } from '../../src/model/index.js';
import { TaskFailure } from '../../src/task/index.js';

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
  const size = model.maxResidues;
  return `sequences over ${size} residues: windows of ${size} residues, stride ${Math.max(1, Math.floor(size / 2))}; each residue's hidden state taken from the window where it is farthest from a window edge (bestWindowPerResidue), then averaged`;
}

/**
 * Mean of `hidden_states` over the residue positions of each sequence (special tokens excluded:
 * positions `residueOffset .. residueOffset + n - 1`), one forward pass per sequence, batched and
 * cached by the runner. A sequence longer than the model is read in overlapping windows; each residue's
 * hidden state comes from the window that gives it the most context, and the mean is over all residues.
 */
export async function meanEmbeddings(model: ModelHandle, sequences: string[], onProgress?: (done: number, total: number) => void): Promise<Embeddings> {
  const off = model.vocab.residueOffset;
  const specials = model.vocab.specialCount;
  const size = model.maxResidues;
  const stride = Math.max(1, Math.floor(size / 2));
  const short: number[] = [];
  const long: { seq: number; windows: { start: number; end: number }[] }[] = [];
  sequences.forEach((s, i) => {
    if (s.length <= size) short.push(i);
    else long.push({ seq: i, windows: slidingWindows(s.length, size, stride) });
  });
  const total = sequences.length;
  let dim = -1;
  const checkDim = (d: number) => {
    if (dim < 0) dim = d;
    else if (d !== dim) throw new TaskFailure('E_MODEL_OUTPUT', `hidden_states width changed between sequences (${dim} then ${d})`);
  };
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
          for (let j = 0; j < D; j++) acc[j] += h.data[row + j]!;
        }
        const out = new Float32Array(D);
        for (let j = 0; j < D; j++) out[j] = acc[j]! / n;
        return out;
      },
    },
    (d) => onProgress?.(d, total),
  );
  const winReq: ForwardRequest[] = [];
  const winLen: number[] = [];
  for (const l of long) {
    for (const w of l.windows) {
      winReq.push({ tokens: model.encode(sequences[l.seq]!.slice(w.start, w.end)) });
      winLen.push(w.end - w.start);
    }
  }
  const rows = winReq.length === 0 ? [] : await model.forward(
    winReq,
    {
      outputs: ['hidden_states'],
      reducer: 'fold.hidden-residue-rows.v1',
      reduce: (o) => {
        const h = o.outputs.hidden_states!;
        const D = h.dims[h.dims.length - 1]!;
        return h.data.slice(off * D, (off + o.length - specials) * D);
      },
    },
    (d) => onProgress?.(short.length + Math.round((d / winReq.length) * long.length), total),
  );
  let data = new Float32Array(0);
  const place = (i: number, v: Float32Array | Float64Array) => {
    checkDim(v.length);
    if (data.length === 0) data = new Float32Array(total * dim);
    data.set(v, i * dim);
  };
  means.forEach((m, k) => place(short[k]!, m));
  let w0 = 0;
  for (const l of long) {
    const n = sequences[l.seq]!.length;
    const D = rows[w0]!.length / winLen[w0]!;
    const best = bestWindowPerResidue(n, l.windows);
    const acc = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const wi = best[i]!;
      const w = l.windows[wi]!;
      const r = rows[w0 + wi]!;
      const o = (i - w.start) * D;
      for (let j = 0; j < D; j++) acc[j] += r[o + j]!;
    }
    const mean = new Float32Array(D);
    for (let j = 0; j < D; j++) mean[j] = acc[j]! / n;
    place(l.seq, mean);
    w0 += l.windows.length;
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new TaskFailure('E_MODEL_OUTPUT', `sequence ${Math.floor(i / dim) + 1}: the mean hidden state is not finite (${data[i]})`);
    }
  }
  return { data, rows: total, dim, windowed: long.length, requests: meanReq.length + winReq.length };
}
