import type { ForwardRequest, ModelHandle, OutputView } from '../../src/model/index.js';
import { bestWindowPerResidue, centeredWindow, logProbAt, logSoftmaxRow, slidingWindows } from '../../src/model/index.js';
import type { Direction, ResidueWindow } from '../../src/model/index.js';
import { BenchError } from '../../src/util/errors.js';
import { mutatedSequence, type Assay } from './assays.js';

/*
 * Zero-shot variant scores, as ProteinGym computes them (OATML-Markslab/ProteinGym @ bb685245):
 *
 * - masked-marginals, wt-marginals, pseudo-ppl: `proteingym/baselines/esm/compute_fitness.py`
 *   (`main`, its three `--scoring-strategy` branches, and `label_row`); windows from
 *   `proteingym/utils/scoring_utils.py` `get_optimal_window` (= `centeredWindow`).
 * - causal-llr: log p(mutant) - log p(wild type); long sequences use the window that Tranception's
 *   `get_sequence_slices` (scoring_window="optimal") gives to ProteinGym's autoregressive baselines:
 *   `get_optimal_window` around the mutations' barycenter, the same window for the wild type.
 * - progen2-proteingym: `proteingym/baselines/progen2/compute_fitness.py` `calc_fitness`, exactly.
 *
 * Every reducer is a pure function of the token ids it is given (the cache key), and keeps only a
 * few numbers per forward pass (a log-softmax row, or one sum).
 */

export type MaskedStrategy = 'masked-marginals' | 'wt-marginals' | 'pseudo-ppl';
export type CausalStrategy = 'causal-llr' | 'progen2-proteingym';
export type Strategy = MaskedStrategy | CausalStrategy;

export interface AssayScoring {
  /** One score per variant; higher = predicted fitter. */
  scores: Float64Array;
  /** Variants at least one of whose forward passes saw a window of the sequence instead of all of it. */
  windowed: number;
  /** Forward passes this assay asked for (computed or served from the cache). */
  passes: number;
}

export type Progress = (done: number) => void;

/** Reducer ids: part of the forward cache key. Change the version when a reduction changes. */
export const REDUCERS = {
  maskedRow: 'fitness.masked-row-log-softmax.v1',
  allRows: 'fitness.all-rows-log-softmax.v1',
  causalSum: 'fitness.causal-sum-log-prob.v1',
  progen2: 'fitness.progen2-proteingym-mean-ll.v1',
} as const;

/** At most this many requests per forward call when requests grow with the variants (memory bound). */
const CHUNK_REQUESTS = 4096;

/** Distinct mutated positions of an assay (0-based residues), ascending. */
export function distinctPositions(a: Assay): Int32Array {
  return Int32Array.from(new Set(a.positions)).sort();
}

/**
 * A copy of `tokens` with token `t` masked, cut to ProteinGym's optimal window when the sequence is
 * longer than the model: `get_optimal_window(mutation_position_relative = t, seq_len_wo_special =
 * tokens incl. specials, model_window = maxLength)`, applied to the encoded sequence as
 * compute_fitness.py does (`batch_tokens_masked[:, start:end]`): windows inside a long protein carry
 * no start or end token.
 */
export function maskedRequest(
  tokens: Int32Array,
  t: number,
  maxLength: number,
  mask: number,
): { tokens: Int32Array; start: number; windowed: boolean } {
  const windowed = tokens.length > maxLength;
  const w = windowed ? centeredWindow(tokens.length, maxLength, t) : { start: 0, end: tokens.length };
  const out = tokens.slice(w.start, w.end);
  out[t - w.start] = mask;
  return { tokens: out, start: w.start, windowed };
}

/** The log-softmax row at the (single) mask token: what masked-marginals and pseudo-ppl keep of a pass. */
function maskedRowReducer(mask: number) {
  return (o: { length: number; tokens: Int32Array; outputs: { logits?: OutputView } }) => {
    let at = -1;
    for (let j = 0; j < o.length; j++) {
      if (o.tokens[j] === mask) {
        if (at >= 0) throw new Error('internal: a masked-marginal request holds two mask tokens');
        at = j;
      }
    }
    if (at < 0) throw new Error('internal: a masked-marginal request holds no mask token');
    return logSoftmaxRow(o.outputs.logits!, at);
  };
}

function tokenId(model: ModelHandle, letter: string): number {
  const id = model.vocab.residueId(letter);
  if (id < 0) throw new BenchError('E_DATA', `letter "${letter}" is not in the ${model.vocab.name} vocabulary`);
  return id;
}

/**
 * masked-marginals (ESM-1v; ProteinGym's score for ESM-2): for each distinct mutated position i,
 * one pass of the wild type with i masked; a variant's score is Σ over its substitutions of
 * log p(mut_i) - log p(wt_i) read at the masked position (`label_row`). Multi-mutants sum the
 * single-site terms, each from the wild-type context with only that site masked.
 */
export async function maskedMarginals(model: ModelHandle, a: Assay, progress?: Progress): Promise<AssayScoring> {
  const mask = model.vocab.mask!;
  const tokens = model.encode(a.wildType);
  const off = model.vocab.residueOffset;
  const positions = distinctPositions(a);
  const reqs = Array.from(positions, (p) => maskedRequest(tokens, off + p, model.maxLength, mask));
  const rows = await model.forward(
    reqs.map((r) => ({ tokens: r.tokens })),
    { outputs: ['logits'], reducer: REDUCERS.maskedRow, reduce: maskedRowReducer(mask) },
    (d) => progress?.(d),
  );
  const rowAt = new Map<number, ArrayLike<number>>();
  positions.forEach((p, i) => rowAt.set(p, rows[i]!));
  const scores = new Float64Array(a.n);
  for (let v = 0; v < a.n; v++) {
    let s = 0;
    for (let k = a.offsets[v]!; k < a.offsets[v + 1]!; k++) {
      const row = rowAt.get(a.positions[k]!)!;
      s += row[tokenId(model, String.fromCharCode(a.mtCodes[k]!))]! - row[tokenId(model, String.fromCharCode(a.wtCodes[k]!))]!;
    }
    scores[v] = s;
  }
  return { scores, windowed: tokens.length > model.maxLength ? a.n : 0, passes: reqs.length };
}

/**
 * The windows wt-marginals reads: the whole wild type when it fits, else windows of `maxLength` tokens,
 * stride half that (last window aligned to the end); `best[t]`: the window token t is read from (the most
 * context); `used`: the windows that some mutated position is read from, ascending (one pass each).
 */
function wtMarginalWindows(
  model: ModelHandle,
  a: Assay,
): { tokens: Int32Array; windowed: boolean; windows: ResidueWindow[]; best: Int32Array; used: number[] } {
  const tokens = model.encode(a.wildType);
  const off = model.vocab.residueOffset;
  const n = tokens.length;
  const windowed = n > model.maxLength;
  const windows = windowed ? slidingWindows(n, model.maxLength, Math.max(1, Math.floor(model.maxLength / 2))) : [{ start: 0, end: n }];
  const best = windowed ? bestWindowPerResidue(n, windows) : new Int32Array(n);
  const positions = distinctPositions(a);
  const used = [...new Set(Array.from(positions, (p) => best[off + p]!))].sort((x, y) => x - y);
  return { tokens, windowed, windows, best, used };
}

/**
 * wt-marginals: one unmasked pass of the wild type; score = Σ log p(mut_i) - log p(wt_i) at each
 * mutated position (`label_row` on the unmasked log-probabilities). Sequences longer than the model:
 * windows of `maxLength` tokens overlapping by half, each position read from the window where it has
 * the most context (ProteinGym's default runs the whole sequence and defines no window for this
 * strategy; its `overlapping` option blends windows with ESM-specific weights).
 */
export async function wtMarginals(model: ModelHandle, a: Assay, progress?: Progress): Promise<AssayScoring> {
  const { tokens, windowed, windows, best, used } = wtMarginalWindows(model, a);
  const off = model.vocab.residueOffset;
  const V = model.vocab.size;
  const results = await model.forward(
    used.map((w) => ({ tokens: tokens.slice(windows[w]!.start, windows[w]!.end) })),
    {
      outputs: ['logits'],
      reducer: REDUCERS.allRows,
      reduce: (o) => {
        const out = new Float64Array(o.length * V);
        for (let j = 0; j < o.length; j++) out.set(logSoftmaxRow(o.outputs.logits!, j), j * V);
        return out;
      },
    },
    (d) => progress?.(d),
  );
  const resultOf = new Map<number, ArrayLike<number>>();
  used.forEach((w, i) => resultOf.set(w, results[i]!));
  const scores = new Float64Array(a.n);
  for (let v = 0; v < a.n; v++) {
    let s = 0;
    for (let k = a.offsets[v]!; k < a.offsets[v + 1]!; k++) {
      const t = off + a.positions[k]!;
      const w = best[t]!;
      const base = (t - windows[w]!.start) * V;
      const r = resultOf.get(w)!;
      s += r[base + tokenId(model, String.fromCharCode(a.mtCodes[k]!))]! - r[base + tokenId(model, String.fromCharCode(a.wtCodes[k]!))]!;
    }
    scores[v] = s;
  }
  return { scores, windowed: windowed ? a.n : 0, passes: used.length };
}

/**
 * pseudo-ppl: the pseudo-log-likelihood of the mutated sequence (each residue masked in turn, log p
 * of the true residue at the mask, summed) minus that of the wild type. ProteinGym's `compute_pppl`
 * ranks by PLL(mutant) alone; subtracting the wild type's constant changes no metric. Differences
 * from `compute_pppl`, on purpose: every residue is scored (its loop `range(1, len(sequence) - 1)`
 * over token positions skips the last two residues), and long sequences use the masked-marginals
 * window for each masked position (it has none). One pass per residue per variant: expensive.
 */
export async function pseudoPpl(model: ModelHandle, a: Assay, progress?: Progress): Promise<AssayScoring> {
  const mask = model.vocab.mask!;
  const off = model.vocab.residueOffset;
  const L = a.wildType.length;
  const spec = { outputs: ['logits' as const], reducer: REDUCERS.maskedRow, reduce: maskedRowReducer(mask) };
  let done = 0;
  const pll = async (seqs: string[]): Promise<Float64Array> => {
    const reqs: ForwardRequest[] = [];
    const truth: number[] = [];
    for (const seq of seqs) {
      const tokens = model.encode(seq);
      for (let p = 0; p < L; p++) {
        truth.push(tokens[off + p]!);
        reqs.push({ tokens: maskedRequest(tokens, off + p, model.maxLength, mask).tokens });
      }
    }
    const rows = await model.forward(reqs, spec, (d) => progress?.(done + d));
    done += reqs.length;
    const out = new Float64Array(seqs.length);
    rows.forEach((r, i) => (out[Math.floor(i / L)]! += r[truth[i]!]!));
    return out;
  };
  const wt = (await pll([a.wildType]))[0]!;
  const scores = new Float64Array(a.n);
  const perChunk = Math.max(1, Math.floor(CHUNK_REQUESTS / L));
  for (let v0 = 0; v0 < a.n; v0 += perChunk) {
    const ids = Array.from({ length: Math.min(perChunk, a.n - v0) }, (_, i) => v0 + i);
    const p = await pll(ids.map((v) => mutatedSequence(a, v)));
    ids.forEach((v, i) => (scores[v] = p[i]! - wt));
  }
  const windowed = L + model.vocab.specialCount > model.maxLength;
  return { scores, windowed: windowed ? a.n : 0, passes: done };
}

/** Directions a causal model is scored in: both when its vocabulary defines the reverse (ProGen2). */
export function causalDirections(model: ModelHandle): Direction[] {
  return model.vocab.hasReverse ? ['forward', 'reverse'] : ['forward'];
}

/**
 * causal-llr scores every token after token 0, which must be a start token that is context only, or the
 * first residue would never be scored (in the reverse direction: the reverse start token). The harness
 * refuses causal models whose vocabulary has no start token when it loads them, so reaching this with one
 * is an internal bug, not a user error.
 */
export function assertCausalStart(model: Pick<ModelHandle, 'vocab'>, dirs: readonly Direction[]): void {
  const v = model.vocab;
  for (const dir of dirs) {
    const start = dir === 'forward' ? v.start : v.reverseStart;
    if (start === null) {
      throw new Error(
        `internal: causal-llr scores every token after the ${dir === 'forward' ? 'start' : 'reverse start'} token, but the ${v.name} vocabulary has none (the first residue would go unscored); causal models without a start token must be refused at load time`,
      );
    }
  }
}

/**
 * The residue window of a variant for a causal model: the whole sequence when it fits, else
 * `get_optimal_window(barycenter, len(target_seq), model_context_len)` with barycenter =
 * int(mean of the 0-based mutated positions), as Tranception's `get_sequence_slices` does.
 */
export function causalWindow(a: Assay, v: number, maxResidues: number): { start: number; end: number } {
  const L = a.wildType.length;
  if (L <= maxResidues) return { start: 0, end: L };
  let sum = 0;
  const k0 = a.offsets[v]!;
  const k1 = a.offsets[v + 1]!;
  for (let k = k0; k < k1; k++) sum += a.positions[k]!;
  return centeredWindow(L, maxResidues, Math.trunc(sum / (k1 - k0)));
}

/**
 * causal-llr: score = mean over directions of [log p(mutant) - log p(wild type)], each the sum of
 * log p(token_j | tokens_<j) over every token after the start token (the residues and the end
 * token), with the vocabulary's special tokens (ProGen2: `1` + residues + `2` N to C, `2` + reversed
 * residues + `1` C to N). Both directions when the vocabulary defines the reverse, as ProGen2's
 * published ProteinGym scores average both (compute_fitness.py `calc_fitness`). Long sequences: the
 * barycenter window of {@link causalWindow}, the same for the mutant and the wild type.
 */
export async function causalLlr(model: ModelHandle, a: Assay, progress?: Progress): Promise<AssayScoring> {
  const dirs = causalDirections(model);
  assertCausalStart(model, dirs);
  const spec = {
    outputs: ['logits' as const],
    reducer: REDUCERS.causalSum,
    reduce: (o: { length: number; tokens: Int32Array; outputs: { logits?: OutputView } }) => {
      let s = 0;
      for (let j = 1; j < o.length; j++) s += logProbAt(o.outputs.logits!, j - 1, o.tokens[j]!);
      return Float64Array.of(s);
    },
  };
  const windowOf = (v: number) => causalWindow(a, v, model.maxResidues);
  let done = 0;
  // Wild type: one pass per distinct window per direction.
  const wtKeys = new Map<string, number>();
  const wtReqs: ForwardRequest[] = [];
  let windowed = 0;
  for (let v = 0; v < a.n; v++) {
    const w = windowOf(v);
    if (w.end - w.start < a.wildType.length) windowed++;
    for (const dir of dirs) {
      const key = `${w.start}:${w.end}:${dir}`;
      if (!wtKeys.has(key)) {
        wtKeys.set(key, wtReqs.length);
        wtReqs.push({ tokens: model.encode(a.wildType.slice(w.start, w.end), dir) });
      }
    }
  }
  const wtLl = await model.forward(wtReqs, spec, (d) => progress?.(done + d));
  done += wtReqs.length;
  const scores = new Float64Array(a.n);
  const perChunk = Math.max(1, Math.floor(CHUNK_REQUESTS / dirs.length));
  for (let v0 = 0; v0 < a.n; v0 += perChunk) {
    const ids = Array.from({ length: Math.min(perChunk, a.n - v0) }, (_, i) => v0 + i);
    const reqs: ForwardRequest[] = [];
    for (const v of ids) {
      const w = windowOf(v);
      const seq = mutatedSequence(a, v).slice(w.start, w.end);
      for (const dir of dirs) reqs.push({ tokens: model.encode(seq, dir) });
    }
    const ll = await model.forward(reqs, spec, (d) => progress?.(done + d));
    done += reqs.length;
    ids.forEach((v, i) => {
      const w = windowOf(v);
      let s = 0;
      dirs.forEach((dir, di) => {
        s += ll[i * dirs.length + di]![0]! - wtLl[wtKeys.get(`${w.start}:${w.end}:${dir}`)!]![0]!;
      });
      scores[v] = s / dirs.length;
    });
  }
  return { scores, windowed, passes: done };
}

/** ProGen2 token ids of the residue letters (`first_token, last_token = 5, 29` in calc_fitness). */
const PROGEN2_FIRST = 5;
const PROGEN2_LAST = 29;

/**
 * ProteinGym's ProGen2 score, exactly (`calc_fitness` with reduction='mean'): the mutated sequence
 * is fed as raw residues, without the `1` / `2` terminal tokens (ProteinGym's files carry a
 * `mutated_sequence` column, so its `"1" + seq + "2"` branch is not taken); sequences of at least
 * `model_context_len` residues are cut into consecutive chunks of that length; each chunk is scored
 * N to C and C to N, each direction as the mean log-likelihood of its residues after the first under
 * a softmax restricted to the 25 letter tokens (ids 5..29); the chunk-direction means are summed,
 * halved, and divided by the sequence length. The score is that value itself (ProteinGym's
 * `Progen2_score`), not a difference from the wild type; the metrics are unchanged by the constant.
 * Chunks of fewer than 2 residues (where ProteinGym would get NaN or fail) are skipped.
 */
export async function progen2ProteinGym(model: ModelHandle, a: Assay, progress?: Progress): Promise<AssayScoring> {
  if (model.vocab.name !== 'progen2') throw new BenchError('E_USAGE', 'strategy progen2-proteingym needs the progen2 vocabulary');
  const C = model.maxLength;
  const L = a.wildType.length;
  const chunks: { start: number; end: number }[] = [];
  if (L < C) chunks.push({ start: 0, end: L });
  else for (let k = 0; k < 1 + Math.floor(L / C); k++) chunks.push({ start: k * C, end: Math.min(L, (k + 1) * C) });
  const scored = chunks.filter((c) => c.end - c.start >= 2);
  const raw = (s: string) => Int32Array.from(s, (c) => tokenId(model, c));
  const spec = {
    outputs: ['logits' as const],
    reducer: REDUCERS.progen2,
    reduce: (o: { length: number; tokens: Int32Array; outputs: { logits?: OutputView } }) => {
      const logits = o.outputs.logits!;
      const V = logits.dims[logits.dims.length - 1]!;
      let s = 0;
      for (let j = 1; j < o.length; j++) {
        const off = (j - 1) * V;
        let max = -Infinity;
        for (let t = PROGEN2_FIRST; t <= PROGEN2_LAST; t++) max = Math.max(max, logits.data[off + t]!);
        let z = 0;
        for (let t = PROGEN2_FIRST; t <= PROGEN2_LAST; t++) z += Math.exp(logits.data[off + t]! - max);
        s += logits.data[off + o.tokens[j]!]! - max - Math.log(z);
      }
      return Float64Array.of(s / (o.length - 1));
    },
  };
  const per = scored.length * 2;
  const scores = new Float64Array(a.n);
  const perChunk = Math.max(1, Math.floor(CHUNK_REQUESTS / per));
  let done = 0;
  for (let v0 = 0; v0 < a.n; v0 += perChunk) {
    const ids = Array.from({ length: Math.min(perChunk, a.n - v0) }, (_, i) => v0 + i);
    const reqs: ForwardRequest[] = [];
    for (const v of ids) {
      const seq = mutatedSequence(a, v);
      for (const c of scored) {
        const chunk = seq.slice(c.start, c.end);
        reqs.push({ tokens: raw(chunk) }, { tokens: raw([...chunk].reverse().join('')) });
      }
    }
    const means = await model.forward(reqs, spec, (d) => progress?.(done + d));
    done += reqs.length;
    ids.forEach((v, i) => {
      let s = 0;
      for (let k = 0; k < per; k++) s += means[i * per + k]![0]!;
      scores[v] = s / 2 / L;
    });
  }
  return { scores, windowed: chunks.length > 1 ? a.n : 0, passes: done };
}

export async function scoreAssay(model: ModelHandle, a: Assay, strategy: Strategy, progress?: Progress): Promise<AssayScoring> {
  switch (strategy) {
    case 'masked-marginals':
      return maskedMarginals(model, a, progress);
    case 'wt-marginals':
      return wtMarginals(model, a, progress);
    case 'pseudo-ppl':
      return pseudoPpl(model, a, progress);
    case 'causal-llr':
      return causalLlr(model, a, progress);
    case 'progen2-proteingym':
      return progen2ProteinGym(model, a, progress);
  }
}

/** Forward passes a strategy will ask for on an assay (for progress bars). */
export function plannedPasses(model: ModelHandle, a: Assay, strategy: Strategy): number {
  const L = a.wildType.length;
  switch (strategy) {
    case 'masked-marginals':
      return distinctPositions(a).length;
    case 'wt-marginals':
      return wtMarginalWindows(model, a).used.length;
    case 'pseudo-ppl':
      return (a.n + 1) * L;
    case 'causal-llr':
      return (a.n + 1) * causalDirections(model).length;
    case 'progen2-proteingym':
      return a.n * 2 * Math.max(1, Math.ceil(L / model.maxLength));
  }
}
