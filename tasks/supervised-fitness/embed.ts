import type { ForwardRequest, ModelHandle } from '../../src/model/index.js';
import { centeredWindow } from '../../src/model/index.js';
import type { Matrix } from '../../src/probe/index.js';
import { TaskFailure } from '../../src/task/index.js';
import { checkWidth, firstNonFinite } from '../../src/task/residue-embedding.js';
import { variantSequence, type FoldAssay } from './data.js';

export type Pooling = 'mean' | 'mutated-position';
export const POOLINGS: readonly Pooling[] = ['mean', 'mutated-position'];

export const POOLING_TEXT: Record<Pooling, string> = {
  mean: 'mean of hidden_states over the residue positions of the variant sequence (special tokens excluded)',
  'mutated-position':
    'hidden_states at the substituted position of the variant sequence (mean over the substituted positions of a multi-mutant)',
};

/** Window policy, as recorded in results. */
export function windowPolicy(model: ModelHandle): string {
  return `sequences over ${model.maxResidues} residues: one window of ${model.maxResidues} residues per variant, centred on the rounded mean of its substituted positions (ProteinGym get_optimal_window rule, centeredWindow), pooled over that window`;
}

export interface VariantEmbeddings {
  x: Matrix;
  /** Forward requests (one per variant). */
  requests: number;
  /** Variants read through a window (the wild type is longer than the model). */
  windowed: number;
  /** Forward calls made (one; mutated-position: one per distinct set of substituted token positions). */
  calls: number;
}

/**
 * One embedding per variant of `a`, from one forward pass of its sequence (batched and cached by the runner
 * under the request's tokens and the reducer id, so an assay is embedded once for all three fold schemes and
 * a rerun reads the cache). The mutated-position reducer is keyed by the token positions it reads, so a cached
 * value is always a function of the tokens and the reducer id: requests are grouped by those positions.
 */
export async function variantEmbeddings(
  model: ModelHandle,
  a: FoldAssay,
  pooling: Pooling,
  onProgress?: (done: number, total: number) => void,
): Promise<VariantEmbeddings> {
  const off = model.vocab.residueOffset;
  const specials = model.vocab.specialCount;
  const L = a.wildType.length;
  const requests: ForwardRequest[] = [];
  const readAt: number[][] = [];
  let windowed = 0;
  for (let v = 0; v < a.n; v++) {
    const seq = variantSequence(a, v);
    const pos: number[] = [];
    for (let k = a.offsets[v]!; k < a.offsets[v + 1]!; k++) pos.push(a.positions[k]!);
    let w = { start: 0, end: L };
    if (L > model.maxResidues) {
      windowed++;
      w = centeredWindow(L, model.maxResidues, Math.round(pos.reduce((s, p) => s + p, 0) / pos.length));
    }
    requests.push({ tokens: model.encode(seq.slice(w.start, w.end)) });
    readAt.push([...new Set(pos.map((p) => p - w.start + off))].sort((x, y) => x - y));
  }
  const total = requests.length;
  let done = 0;
  let dim = -1;
  let data = new Float32Array(0);
  const place = (v: number, row: Float32Array | Float64Array) => {
    dim = checkWidth(dim, row.length);
    if (data.length === 0) data = new Float32Array(a.n * dim);
    data.set(row, v * dim);
  };
  let calls = 0;
  if (pooling === 'mean') {
    calls = 1;
    const rows = await model.forward(
      requests,
      {
        outputs: ['hidden_states'],
        reducer: 'supervised-fitness.mean-hidden-residues.v1',
        // A function of the tokens and outputs only: the residue rows are the real tokens minus the specials.
        reduce: (o) => {
          const h = o.outputs.hidden_states!;
          const D = h.dims[h.dims.length - 1]!;
          const n = o.length - specials;
          const acc = new Float64Array(D);
          for (let r = off; r < off + n; r++) for (let j = 0; j < D; j++) acc[j]! += h.data[r * D + j]!;
          return Float32Array.from(acc, (s) => s / n);
        },
      },
      (d) => onProgress?.(d, total),
    );
    rows.forEach((r, v) => {
      place(v, r);
    });
  } else {
    const groups = new Map<string, number[]>();
    readAt.forEach((p, v) => {
      const key = p.join(',');
      const g = groups.get(key);
      if (g) g.push(v);
      else groups.set(key, [v]);
    });
    for (const [key, members] of groups) {
      const at = readAt[members[0]!]!;
      calls++;
      const rows = await model.forward(
        members.map((v) => requests[v]!),
        {
          outputs: ['hidden_states'],
          // The token positions read are part of the reducer id, hence of the cache key.
          reducer: `supervised-fitness.hidden-at-tokens.v1:${key}`,
          reduce: (o) => {
            const h = o.outputs.hidden_states!;
            const D = h.dims[h.dims.length - 1]!;
            const acc = new Float64Array(D);
            for (const r of at) for (let j = 0; j < D; j++) acc[j]! += h.data[r * D + j]!;
            return Float32Array.from(acc, (s) => s / at.length);
          },
        },
        (d) => onProgress?.(done + d, total),
      );
      done += members.length;
      rows.forEach((r, k) => {
        place(members[k]!, r);
      });
    }
  }
  const bad = firstNonFinite(data);
  if (bad >= 0)
    throw new TaskFailure(
      'E_MODEL_OUTPUT',
      `${a.id}: variant ${a.mutants[Math.floor(bad / dim)]}: the pooled hidden state is not finite (${data[bad]})`,
    );
  return { x: { data, rows: a.n, cols: dim }, requests: total, windowed, calls };
}
