/**
 * Sampling from a causal model, defined exactly (see README, "Sampling"):
 *
 * At each step the logits of the last position are turned into a distribution over the allowed tokens:
 * 1. allowed tokens: the 20 standard amino-acid letters and the vocabulary's end token; every other token
 *    (padding, start, the other specials, '1' and '2' where they are not the end token, X B Z U O, unused
 *    ids) gets probability 0. The end token is not allowed before `minLength` residues.
 * 2. temperature T > 0: z = logits / T;
 * 3. top-k (k > 0): keep the allowed tokens whose z is >= the k-th largest allowed z (ties at the boundary are
 *    all kept, as Hugging Face's TopKLogitsWarper does); k = 0 keeps all;
 * 4. softmax over the kept tokens (float64);
 * 5. top-p (nucleus, 0 < p <= 1): sort the kept tokens by probability, highest first (ties: lower id first), and
 *    keep the smallest prefix whose probability is >= p, i.e. a token is kept when the mass before it is < p
 *    (Hugging Face's TopPLogitsWarper); renormalise; p = 1 keeps all;
 * 6. draw: u uniform in [0, 1) from the sample's own stream; the first token, in increasing id order, at which
 *    the cumulative probability exceeds u.
 * This is Hugging Face's warper order (temperature, top-k, top-p).
 *
 * A sample stops when it draws the end token (ended) or reaches `maxLength` residues (truncated, no end token).
 * Each sample draws from its own stream `rng.fork("sample:<i>")`, one number per step, so the samples do not
 * depend on batching or on how many other samples run.
 */
import type { ModelHandle } from '../../src/model/index.js';
import type { Rng } from '../../src/util/rng.js';
import { STANDARD } from './sequence.js';

export interface SamplingSettings {
  samples: number;
  temperature: number;
  /** 0 < topP <= 1; 1 = off. */
  topP: number;
  /** 0 = off. */
  topK: number;
  /** Residues before the end token is allowed. */
  minLength: number;
  /** Residues at most; a sample that reaches it stops without an end token. */
  maxLength: number;
}

/** Token ids of the 20 standard residues (in `STANDARD` order) and of the end token. */
export interface SamplingAlphabet {
  residues: Int32Array;
  end: number | null;
}

/** The allowed tokens of a vocabulary, or the letters it lacks. */
export function samplingAlphabet(model: ModelHandle): SamplingAlphabet | { missing: string } {
  const residues = new Int32Array(20);
  let missing = '';
  for (let i = 0; i < 20; i++) {
    const id = model.vocab.residueId(STANDARD[i]!);
    if (id < 0) missing += STANDARD[i]!;
    residues[i] = id;
  }
  if (missing) return { missing };
  return { residues, end: model.vocab.end };
}

/**
 * Steps 2 to 5 above. `logits` is one row of V values; `allowed` lists the allowed token ids. Returns the final
 * probabilities over the vocabulary (0 outside the kept set), in float64.
 */
export function warp(logits: ArrayLike<number>, allowed: ArrayLike<number>, temperature: number, topK: number, topP: number): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`warp: temperature must be > 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new RangeError(`warp: top_p must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`warp: top_k must be an integer >= 0, got ${topK}`);
  const n = allowed.length;
  if (n === 0) throw new RangeError('warp: no allowed token');
  const ids = Array.from(allowed);
  const z = ids.map((id) => logits[id]! / temperature);
  for (const v of z) if (Number.isNaN(v)) throw new RangeError('warp: NaN logit');
  let keep = ids.map((_, i) => i);
  if (topK > 0 && topK < n) {
    const kth = [...z].sort((a, b) => b - a)[topK - 1]!;
    keep = keep.filter((i) => z[i]! >= kth);
  }
  let max = -Infinity;
  for (const i of keep) if (z[i]! > max) max = z[i]!;
  if (max === -Infinity) throw new RangeError('warp: every allowed logit is -Infinity');
  const e = new Map<number, number>();
  let total = 0;
  for (const i of keep) {
    const v = max === Infinity ? (z[i] === Infinity ? 1 : 0) : Math.exp(z[i]! - max);
    e.set(i, v);
    total += v;
  }
  let kept = keep.map((i) => ({ i, id: ids[i]!, p: e.get(i)! / total }));
  if (topP < 1) {
    kept.sort((a, b) => b.p - a.p || a.id - b.id);
    let before = 0;
    const nucleus: typeof kept = [];
    for (const t of kept) {
      if (before >= topP) break;
      nucleus.push(t);
      before += t.p;
    }
    kept = nucleus;
  }
  const out = new Float64Array(logits.length);
  let s = 0;
  for (const t of kept) s += t.p;
  for (const t of kept) out[t.id] = t.p / s;
  return out;
}

/** Step 6: the first id (increasing) at which the cumulative probability exceeds u in [0, 1). */
export function drawToken(probs: ArrayLike<number>, u: number): number {
  let acc = 0;
  let last = -1;
  for (let id = 0; id < probs.length; id++) {
    const p = probs[id]!;
    if (p <= 0) continue;
    acc += p;
    last = id;
    if (u < acc) return id;
  }
  if (last < 0) throw new RangeError('drawToken: no token has positive probability');
  return last; // u within rounding of 1
}

export interface GeneratedSample {
  /** Residue letters. */
  sequence: string;
  /** True when the sample drew the end token; false when it stopped at maxLength. */
  ended: boolean;
}

export interface GenerationResult {
  samples: GeneratedSample[];
  /** Decoding steps (forward calls over the active samples). */
  steps: number;
  /** Prefix tokens sent to the model over all steps (the recompute cost). */
  tokens: number;
}

/**
 * Draws `settings.samples` sequences from a causal model by recomputation: at every step the whole prefix of
 * every unfinished sample is run again (one batched `forward` call, no cache), and the logits of its last
 * position give the next token.
 */
export async function generate(
  model: ModelHandle,
  settings: SamplingSettings,
  rng: Rng,
  onStep?: (step: number, active: number) => void,
): Promise<GenerationResult> {
  const alphabet = samplingAlphabet(model);
  if ('missing' in alphabet) throw new RangeError(`generate: the vocabulary lacks ${alphabet.missing}`);
  const start = model.vocab.start;
  if (start === null) throw new RangeError('generate: the vocabulary has no start token');
  if (settings.maxLength + 1 > model.maxLength)
    throw new RangeError(
      `generate: maxLength ${settings.maxLength} needs ${settings.maxLength + 1} input tokens, the model reads ${model.maxLength}`,
    );
  const withEnd = Array.from(alphabet.residues);
  if (alphabet.end !== null) withEnd.push(alphabet.end);
  const withoutEnd = Array.from(alphabet.residues);
  const letterOf = new Map<number, string>();
  alphabet.residues.forEach((id, i) => letterOf.set(id, STANDARD[i]!));

  const n = settings.samples;
  const streams = Array.from({ length: n }, (_, i) => rng.fork(`sample:${i}`));
  const prefix: number[][] = Array.from({ length: n }, () => [start]);
  const done = new Array<GeneratedSample | null>(n).fill(null);
  let active = Array.from({ length: n }, (_, i) => i);
  let steps = 0;
  let tokens = 0;
  if (!(settings.minLength >= 1 && settings.maxLength >= settings.minLength))
    throw new RangeError('generate: need 1 <= minLength <= maxLength');
  while (active.length > 0) {
    const requests = active.map((i) => ({ tokens: Int32Array.from(prefix[i]!) }));
    tokens += requests.reduce((s, r) => s + r.tokens.length, 0);
    const rows = await model.forward(requests, {
      outputs: ['logits'],
      reducer: 'generation.last-logits.v1',
      cache: false,
      reduce: (o) => {
        const v = o.outputs.logits!;
        const V = v.dims[v.dims.length - 1]!;
        return v.data.slice((o.length - 1) * V, o.length * V);
      },
    });
    steps++;
    const next: number[] = [];
    active.forEach((i, k) => {
      const residues = prefix[i]!.length - 1;
      const allowed = residues >= settings.minLength ? withEnd : withoutEnd;
      const probs = warp(rows[k]!, allowed, settings.temperature, settings.topK, settings.topP);
      const token = drawToken(probs, streams[i]!.next());
      if (token === alphabet.end) {
        done[i] = { sequence: decode(prefix[i]!, letterOf), ended: true };
        return;
      }
      prefix[i]!.push(token);
      if (residues + 1 >= settings.maxLength) done[i] = { sequence: decode(prefix[i]!, letterOf), ended: false };
      else next.push(i);
    });
    active = next;
    onStep?.(steps, active.length);
  }
  return { samples: done as GeneratedSample[], steps, tokens };
}

function decode(tokens: number[], letterOf: Map<number, string>): string {
  let s = '';
  for (let j = 1; j < tokens.length; j++) s += letterOf.get(tokens[j]!)!;
  return s;
}
