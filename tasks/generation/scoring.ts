/**
 * What the models say about a set of sequences (samples, the natural control, the proxy's validation set):
 *
 * - causal models: log p(residue i | start token and residues before i), one pass per sequence;
 * - masked models: log p(residue i | the sequence with residue i masked), estimated with strided masking: the
 *   residues are split into `stride` interleaved groups (i mod stride), one pass per group with the whole group
 *   masked, each residue read in the pass that masks it. stride >= length is the exact pseudo-log-likelihood of
 *   Salazar et al. 2020 (one residue per pass); a smaller stride costs `stride` passes instead of L and masks
 *   1/stride of the residues at once (ESM-2 was trained with 15% of residues selected, 12% replaced by <mask>);
 * - contact confidence (models with an `attentions` output): from the unsupervised contact map (src/contacts
 *   `meanApcScores`: mean over layers and heads of the APC'd symmetrized attention over residues), the z-score of
 *   the mean of the top-L long-range pairs (separation >= 24) against all pairs (separation >= 6).
 *
 * The reducers return values that depend only on the request's tokens and the outputs (the rows at the masked
 * positions are kept whole; the true residue is picked afterwards), so the forward cache may serve them.
 */
import type { ModelHandle, SequenceOutputs } from '../../src/model/index.js';
import { logProbAt, logSoftmaxRow } from '../../src/model/index.js';
import { forEachPair, meanApcScores } from '../../src/contacts/index.js';
import { TaskFailure } from '../../src/task/index.js';

/** Per-residue log-probabilities of one sequence under a model, and its contact confidence. */
export interface SequenceScores {
  /** log p(residue i | context), natural log, one per residue. */
  logProbs: Float64Array;
  /** z-score of the top-L long-range contact scores; null without attentions or with too few long-range pairs. */
  contactConfidence: number | null;
}

/** Long-range separation and the smallest number of long-range pairs the contact confidence needs (>= L). */
export const LONG_RANGE = 24;

export interface ScoreOptions {
  /** Masked models: residues per group stride (see above). */
  maskStride: number;
  /** Compute the contact confidence (needs attentions). */
  contacts: boolean;
  /** A label for errors ("samples", "natural control"...). */
  what: string;
  onProgress?: (done: number, total: number) => void;
}

/** What `scoreSequences` returns: one score per sequence, and the sequence passes it asked the model for. */
export interface ScoredSet {
  scores: SequenceScores[];
  /** Forward requests made (causal: one per sequence; masked: one per mask group, plus one per sequence for contacts). */
  passes: number;
}

/** Scores `sequences` under `model` (causal or masked), every sequence at most `model.maxResidues` long. */
export async function scoreSequences(model: ModelHandle, sequences: readonly string[], opts: ScoreOptions): Promise<ScoredSet> {
  for (const s of sequences) {
    if (s.length > model.maxResidues)
      throw new Error(`internal: a ${s.length}-residue sequence is longer than ${model.card.id} reads (${model.maxResidues})`);
  }
  const wantContacts = opts.contacts && model.capabilities.has('attentions');
  const out: SequenceScores[] = sequences.map((s) => ({ logProbs: new Float64Array(s.length), contactConfidence: null }));
  let passes: number;
  if (model.card.objective === 'clm') {
    passes = sequences.length;
    const results = await model.forward(
      sequences.map((s) => ({ tokens: model.encode(s) })),
      {
        outputs: wantContacts ? ['logits', 'attentions'] : ['logits'],
        reducer: wantContacts ? 'generation.causal-logprobs+contact-z.v1' : 'generation.causal-logprobs.v1',
        reduce: (o) => {
          // r[j] = log p(token j+1 | tokens 0..j); then the contact z-score (NaN when undefined).
          const r = new Float64Array(o.length);
          for (let j = 0; j + 1 < o.length; j++) r[j] = logProbAt(o.outputs.logits!, j, o.tokens[j + 1]!);
          r[o.length - 1] = wantContacts ? contactZ(o, model) : Number.NaN;
          return r;
        },
      },
      opts.onProgress,
    );
    results.forEach((r, k) => {
      const lp = out[k]!.logProbs;
      const off = model.vocab.residueOffset;
      // Residue i is token off + i, predicted by row off + i - 1.
      for (let i = 0; i < lp.length; i++) lp[i] = r[off + i - 1]!;
      out[k]!.contactConfidence = wantContacts && Number.isFinite(r[r.length - 1]!) ? r[r.length - 1]! : null;
    });
  } else {
    const maskId = model.vocab.mask;
    if (maskId === null) throw new Error('internal: a masked model without a mask token');
    const stride = Math.max(1, opts.maskStride);
    const requests: { tokens: Int32Array }[] = [];
    const owner: { seq: number; group: number }[] = [];
    sequences.forEach((s, k) => {
      const full = model.encode(s);
      const groups = Math.min(stride, s.length);
      for (let g = 0; g < groups; g++) {
        const t = full.slice();
        for (let i = g; i < s.length; i += stride) t[model.vocab.residueOffset + i] = maskId;
        requests.push({ tokens: t });
        owner.push({ seq: k, group: g });
      }
    });
    const total = requests.length + (wantContacts ? sequences.length : 0);
    passes = total;
    const rows = await model.forward(
      requests,
      {
        outputs: ['logits'],
        reducer: 'generation.masked-rows.v1',
        reduce: (o) => {
          // The whole log-softmax row at every masked position, in position order.
          const V = o.outputs.logits!.dims[1]!;
          const positions: number[] = [];
          for (let j = 0; j < o.length; j++) if (o.tokens[j] === maskId) positions.push(j);
          const r = new Float64Array(positions.length * V);
          positions.forEach((j, q) => {
            r.set(logSoftmaxRow(o.outputs.logits!, j), q * V);
          });
          return r;
        },
      },
      (d) => opts.onProgress?.(d, total),
    );
    const V = model.vocab.size;
    rows.forEach((r, q) => {
      const { seq, group } = owner[q]!;
      const s = sequences[seq]!;
      let row = 0;
      for (let i = group; i < s.length; i += stride, row++) {
        out[seq]!.logProbs[i] = r[row * V + model.vocab.residueId(s[i]!)]!;
      }
    });
    if (wantContacts) {
      const z = await model.forward(
        sequences.map((s) => ({ tokens: model.encode(s) })),
        {
          outputs: ['attentions'],
          reducer: 'generation.contact-z.v1',
          reduce: (o) => Float64Array.of(contactZ(o, model)),
        },
        (d) => opts.onProgress?.(requests.length + d, total),
      );
      z.forEach((r, k) => (out[k]!.contactConfidence = Number.isFinite(r[0]!) ? r[0]! : null));
    }
  }
  out.forEach((s, k) => {
    for (const v of s.logProbs) {
      if (!Number.isFinite(v))
        throw new TaskFailure(
          'E_MODEL_OUTPUT',
          `${opts.what} ${k + 1}: ${model.card.id} gives a non-finite log-probability (NaN or infinite logits)`,
        );
    }
  });
  return { scores: out, passes };
}

/**
 * Contact confidence of one sequence from its attention maps: z = (mean of the top-L long-range scores - mean of
 * all scores) / standard deviation of all scores, over pairs with separation >= 6 of the unsupervised map. NaN when
 * there are fewer than L long-range pairs or the scores are constant.
 */
export function contactZ(o: SequenceOutputs, model: ModelHandle): number {
  const n = o.length - model.vocab.specialCount;
  const scores = meanApcScores({ view: o.outputs.attentions!, offset: model.vocab.residueOffset, residues: n });
  if (!scores) throw new TaskFailure('E_MODEL_OUTPUT', `${model.card.id}: attentions contain NaN or infinite values`);
  return contactZFromScores(scores, n);
}

/** The z-score above from per-pair scores (pairs.ts order) of n residues. */
export function contactZFromScores(scores: ArrayLike<number>, n: number): number {
  const long: number[] = [];
  let sum = 0;
  let count = 0;
  forEachPair(n, (p, i, j) => {
    const v = scores[p]!;
    sum += v;
    count++;
    if (j - i >= LONG_RANGE) long.push(v);
  });
  if (long.length < n || count < 2) return Number.NaN;
  const mean = sum / count;
  let ss = 0;
  forEachPair(n, (p) => (ss += (scores[p]! - mean) ** 2));
  const sd = Math.sqrt(ss / count);
  if (!(sd > 0)) return Number.NaN;
  long.sort((a, b) => b - a);
  let top = 0;
  for (let k = 0; k < n; k++) top += long[k]!;
  return (top / n - mean) / sd;
}
