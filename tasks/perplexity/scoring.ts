import type { ModelHandle, ForwardRequest } from '../../src/model/index.js';
import { centeredWindow, logProbAt, logSoftmaxRow } from '../../src/model/index.js';

/** Per-sequence negative log-likelihoods, in nats, and how they were obtained. */
export interface SequenceNll {
  /** Sum of NLL over the scored tokens. */
  nll: number;
  /** Scored tokens (causal: residues + end token; masked: residues). */
  tokens: number;
  /** Forward passes that did not see the whole sequence. */
  windowed: number;
}

/**
 * Causal NLL: for a sequence encoded as start + residues + end, every token after the start is
 * scored from the logits of the position before it. Sequences longer than the model are read in
 * windows of `maxLength` tokens advancing by half a window; each token is scored once, in the first
 * window that reaches it, so it sees at least half a window of left context (the Hugging Face
 * "strided perplexity" scheme).
 */
export async function causalNll(
  model: ModelHandle,
  sequences: string[],
  onProgress?: (d: number, t: number) => void,
): Promise<SequenceNll[]> {
  assertCausalStart(model);
  const plans = sequences.map((s) => planCausal(model.encode(s), model.maxLength));
  const requests: ForwardRequest[] = plans.flatMap((p) => p.windows.map((w) => ({ tokens: w.tokens })));
  const results = await model.forward(
    requests,
    {
      outputs: ['logits'],
      reducer: 'perplexity.causal-token-nll.v1',
      reduce: (o) => {
        // nll[j] = -log p(token j+1 | tokens 0..j)
        const out = new Float64Array(o.length - 1);
        for (let j = 0; j + 1 < o.length; j++) out[j] = -logProbAt(o.outputs.logits!, j, o.tokens[j + 1]!);
        return out;
      },
    },
    onProgress,
  );
  let k = 0;
  return plans.map((p) => {
    let nll = 0;
    let tokens = 0;
    for (const w of p.windows) {
      const r = results[k++]!;
      // Tokens at window positions [w.scoreFrom, len) are scored here; position j is predicted by row j-1.
      for (let j = w.scoreFrom; j < w.tokens.length; j++) {
        nll += r[j - 1]!;
        tokens++;
      }
    }
    return { nll, tokens, windowed: p.windows.length > 1 ? p.windows.length : 0 };
  });
}

/**
 * Causal scoring starts at token 1: token 0 must be a start token that is context only, or residue 1
 * would never be scored. The harness refuses causal models whose vocabulary has no start token when it
 * loads them, so reaching this with one is an internal bug, not a user error.
 */
export function assertCausalStart(model: Pick<ModelHandle, 'vocab'>): void {
  if (model.vocab.start === null) {
    throw new Error(
      `internal: causal perplexity scores every token after the start token, but the ${model.vocab.name} vocabulary has none (the first residue would go unscored); causal models without a start token must be refused at load time`,
    );
  }
}

interface CausalWindow {
  tokens: Int32Array;
  /** First position in this window whose token is scored here (>= 1). */
  scoreFrom: number;
}

export function planCausal(tokens: Int32Array, maxLength: number): { windows: CausalWindow[] } {
  if (tokens.length <= maxLength) return { windows: [{ tokens, scoreFrom: 1 }] };
  const stride = Math.max(1, Math.floor(maxLength / 2));
  const windows: CausalWindow[] = [];
  let scoredUpTo = 1; // next absolute position to score
  for (let b = 0; scoredUpTo < tokens.length; b += stride) {
    const e = Math.min(b + maxLength, tokens.length);
    windows.push({ tokens: tokens.subarray(b, e), scoreFrom: scoredUpTo - b });
    scoredUpTo = e;
  }
  return { windows };
}

/**
 * Masked pseudo-log-likelihood (Salazar et al. 2020; ESM's pseudo-perplexity): each residue is
 * masked once, and its NLL is read at the masked position. Sequences longer than the model use, for
 * each residue, a window of the model's length centred on it (ProteinGym's choice for long proteins).
 */
export async function maskedNll(
  model: ModelHandle,
  sequences: string[],
  onProgress?: (d: number, t: number) => void,
): Promise<SequenceNll[]> {
  const vocab = model.vocab;
  const maskId = vocab.mask!;
  const requests: ForwardRequest[] = [];
  const trueToken: number[] = [];
  const owner: number[] = [];
  const windowedCount = new Array<number>(sequences.length).fill(0);
  sequences.forEach((seq, si) => {
    const full = model.encode(seq);
    const off = vocab.residueOffset;
    for (let i = 0; i < seq.length; i++) {
      let tokens: Int32Array;
      let pos: number;
      if (full.length <= model.maxLength) {
        tokens = full.slice();
        pos = off + i;
      } else {
        const w = centeredWindow(seq.length, model.maxResidues, i);
        tokens = model.encode(seq.slice(w.start, w.end));
        pos = off + (i - w.start);
        windowedCount[si]!++;
      }
      trueToken.push(tokens[pos]!);
      tokens[pos] = maskId;
      requests.push({ tokens });
      owner.push(si);
    }
  });
  // The cached value must depend on the request's tokens only: two sequences that differ just at the
  // masked residue send the same tokens, so the reducer keeps the whole log-softmax row at the mask and
  // the true residue is looked up afterwards.
  const results = await model.forward(
    requests,
    {
      outputs: ['logits'],
      reducer: 'perplexity.masked-log-softmax-row.v2',
      reduce: (o) => logSoftmaxRow(o.outputs.logits!, o.tokens.indexOf(maskId)),
    },
    onProgress,
  );
  const out: SequenceNll[] = sequences.map((_, si) => ({ nll: 0, tokens: 0, windowed: windowedCount[si]! }));
  results.forEach((r, k) => {
    const s = out[owner[k]!]!;
    s.nll -= r[trueToken[k]!]!;
    s.tokens++;
  });
  return out;
}
