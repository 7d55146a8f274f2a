/**
 * From the model's outputs to per-pair numbers, one sequence (window) at a time, as the outputs arrive:
 * the raw `[layers, heads, L, L]` maps of a sequence are read inside the reducer and never kept.
 *
 * - Training chains: APC features (see `src/contacts/pairs.ts`) written straight into the rows of the regression's design
 *   matrix (one row per observed pair, `layers * heads` columns), then cached per chain in the task cache.
 * - Evaluation chains: per pair, the unsupervised score (mean over layers and heads of the APC features) and
 *   either the regression's logit or the model's own `contacts` output.
 *
 * Windows: a chain longer than the model (`maxResidues`) is read in windows of `maxResidues` residues, stride
 * half a window (`slidingWindows`); a pair's value is the mean over the windows that hold both residues (the
 * features are averaged, and since the regression is linear in them, so are its logits); a pair no window
 * holds gets no value (NaN) and is excluded and counted.
 */
import type { ModelHandle, ResidueWindow, SequenceOutputs } from '../../src/model/index.js';
import { slidingWindows } from '../../src/model/index.js';
import type { StructureEntry } from '../../src/bio/index.js';
import type { TaskContext } from '../../src/task/index.js';
import { TaskFailure } from '../../src/task/index.js';
import { sha256 } from '../../src/util/hash.js';
import type { Rng } from '../../src/util/rng.js';
import { apcFeatures, forEachWindowPair, mapCount, MIN_SEPARATION, pairCount } from '../../src/contacts/index.js';

export interface WindowPolicy {
  size: number;
  stride: number;
  description: string;
}

export function windowPolicy(model: ModelHandle): WindowPolicy {
  const size = model.maxResidues;
  const stride = Math.max(1, Math.floor(size / 2));
  return {
    size,
    stride,
    description: `chains over ${size} residues: windows of ${size} residues, stride ${stride} (last window aligned to the end); a pair's value is the mean over the windows holding both residues; pairs no window holds get no prediction (excluded, counted)`,
  };
}

export interface ChainWindows {
  windows: ResidueWindow[];
  /** Per pair (pairs.ts order): how many windows hold both residues. */
  cover: Uint16Array;
}

export function windowChain(length: number, policy: WindowPolicy): ChainWindows {
  const windows = slidingWindows(length, policy.size, policy.stride);
  const cover = new Uint16Array(pairCount(length));
  for (const w of windows) forEachWindowPair(length, w.start, w.end - w.start, (_, p) => cover[p]!++);
  return { windows, cover };
}

/** layers * heads: from the graph's declared shapes, else from one short forward pass. */
export async function featureCount(model: ModelHandle): Promise<number> {
  const { layers, heads } = model.shape;
  if (layers && heads) return layers * heads;
  const [r] = await model.forward([{ tokens: model.encode('MKTAYIAKQR'.slice(0, Math.max(1, model.maxResidues))) }], {
    outputs: ['attentions'],
    reducer: 'contacts.feature-count.v1',
    reduce: (o) => Float32Array.of(mapCount(o.outputs.attentions!)),
  });
  return r![0]!;
}

function residuesOf(o: SequenceOutputs, model: ModelHandle, w: ResidueWindow, id: string): number {
  const n = o.length - model.vocab.specialCount;
  if (n !== w.end - w.start) throw new Error(`internal: ${id}: window of ${w.end - w.start} residues came back with ${n}`);
  return n;
}

function nonFinite(id: string, what: string): TaskFailure {
  return new TaskFailure('E_MODEL_OUTPUT', `chain ${id}: the model's ${what} contain NaN or infinite values`);
}

// ---------------------------------------------------------------------------------------------------------
// Training features

export interface TrainingSet {
  /** Row-major design matrix, rows x features. */
  x: Float32Array;
  y: Uint8Array;
  rows: number;
  features: number;
  positives: number;
  /** Fraction of the observed, covered pairs kept (1 unless the matrix would exceed the memory budget). */
  fraction: number;
  chainsComputed: number;
  chainsCached: number;
  chainsWindowed: number;
  /** Observed pairs that no window held (not used). */
  uncovered: number;
  /** sha256 over every chain's cache key: identifies the training data and feature definition. */
  digest: string;
}

interface TrainChain {
  entry: StructureEntry;
  cw: ChainWindows;
  /** Per pair: row within this chain, or -1. */
  rowOf: Int32Array;
  rows: number;
  offset: number;
  key: string;
}

export interface TrainingPlan {
  chains: TrainChain[];
  features: number;
  rows: number;
  fraction: number;
  uncovered: number;
  /** sha256 over every chain's cache key: identifies the training data, windows and feature definition. */
  digest: string;
}

/**
 * Which pairs of `chains` train the regression (observed, held by a window), without running the model.
 * At most `maxFloats` feature values are held: above that, each pair is kept with probability
 * maxFloats / (pairs * features), drawn from `rng` (recorded).
 */
export function planTraining(chains: StructureEntry[], F: number, policy: WindowPolicy, maxFloats: number, rng: Rng): TrainingPlan {
  const prepared = chains.map((entry) => {
    const cw = windowChain(entry.length, policy);
    const L = entry.length;
    let valid = 0;
    let uncovered = 0;
    let p = 0;
    for (let i = 0; i + MIN_SEPARATION < L; i++) {
      for (let j = i + MIN_SEPARATION; j < L; j++, p++) {
        if (!entry.observed[i] || !entry.observed[j]) continue;
        if (cw.cover[p]! > 0) valid++;
        else uncovered++;
      }
    }
    return { entry, cw, valid, uncovered };
  });
  const totalValid = prepared.reduce((s, c) => s + c.valid, 0);
  const fraction = totalValid * F > maxFloats ? maxFloats / (totalValid * F) : 1;
  let offset = 0;
  const plan: TrainChain[] = prepared.map(({ entry, cw }) => {
    const L = entry.length;
    const rowOf = new Int32Array(pairCount(L)).fill(-1);
    const pick = fraction < 1 ? rng.fork(`train-pairs:${entry.id}`) : null;
    let rows = 0;
    let p = 0;
    for (let i = 0; i + MIN_SEPARATION < L; i++) {
      for (let j = i + MIN_SEPARATION; j < L; j++, p++) {
        if (!entry.observed[i] || !entry.observed[j] || cw.cover[p] === 0) continue;
        if (pick && pick.next() >= fraction) continue;
        rowOf[p] = rows++;
      }
    }
    const key = [
      'contacts.train-features.v1',
      entry.id,
      sha256(entry.sequence),
      sha256(entry.observed),
      `window=${policy.size}/${policy.stride}`,
      `fraction=${fraction}`,
      fraction < 1 ? `seed=${rng.seed}` : '',
    ].join('|');
    const c: TrainChain = { entry, cw, rowOf, rows, offset, key };
    offset += rows;
    return c;
  });
  return {
    chains: plan,
    features: F,
    rows: offset,
    fraction,
    uncovered: prepared.reduce((s, c) => s + c.uncovered, 0),
    // The fit depends on the labels too, and on which residues are observed (the contact convention decides both).
    digest: sha256(plan.map((c) => `${c.key}|labels=${sha256(c.entry.contacts)}|observed=${sha256(c.entry.observed)}`).join('\n')),
  };
}

/** Fills the training matrix of a plan: cached chains are copied in, the others computed window by window. */
export async function computeTraining(
  ctx: TaskContext,
  tp: TrainingPlan,
  policy: WindowPolicy,
  onProgress?: (done: number, total: number) => void,
): Promise<TrainingSet> {
  const model = ctx.model;
  const { chains: plan, features: F, rows: N } = tp;
  const x = new Float32Array(N * F);
  const y = new Uint8Array(N);
  let positives = 0;
  for (const c of plan) {
    const L = c.entry.length;
    let p = 0;
    for (let i = 0; i + MIN_SEPARATION < L; i++) {
      for (let j = i + MIN_SEPARATION; j < L; j++, p++) {
        const r = c.rowOf[p]!;
        if (r < 0) continue;
        const label = c.entry.contacts[i * L + j]!;
        y[c.offset + r] = label;
        positives += label;
      }
    }
  }

  // Cached chains are copied in; the others are computed from the attention maps, window by window.
  const todo: TrainChain[] = [];
  let cached = 0;
  for (const c of plan) {
    const hit = ctx.cache.get(c.key);
    if (hit && hit.length === c.rows * F) {
      x.set(hit, c.offset * F);
      cached++;
    } else todo.push(c);
  }
  const requests: { chain: TrainChain; window: ResidueWindow }[] = [];
  for (const c of todo) for (const w of c.cw.windows) requests.push({ chain: c, window: w });
  const scratch = new Float64Array(2 * policy.size);
  await model.forward(
    requests.map((r) => ({ tokens: model.encode(r.chain.entry.sequence.slice(r.window.start, r.window.end)) })),
    {
      outputs: ['attentions'],
      reducer: 'contacts.train-apc.v1',
      // The features are kept per chain in the task cache; the raw windows are not worth a second copy.
      cache: false,
      reduce: (o, index) => {
        const { chain, window } = requests[index]!;
        const view = o.outputs.attentions!;
        if (mapCount(view) !== F)
          throw new TaskFailure('E_MODEL_OUTPUT', `chain ${chain.entry.id}: attentions have ${mapCount(view)} maps, expected ${F}`);
        const n = residuesOf(o, model, window, chain.entry.id);
        const L = chain.entry.length;
        const block = { view, offset: model.vocab.residueOffset, residues: n };
        // Row of each block-local pair in the design matrix (-1: not used).
        const rowsHere = new Int32Array(pairCount(n));
        forEachWindowPair(L, window.start, n, (q, p) => {
          const r = chain.rowOf[p]!;
          rowsHere[q] = r < 0 ? -1 : (chain.offset + r) * F;
        });
        for (let m = 0; m < F; m++) {
          const ok = apcFeatures(block, m, scratch, (lp, v) => {
            const at = rowsHere[lp]!;
            if (at >= 0) x[at + m]! += v;
          });
          if (!ok) throw nonFinite(chain.entry.id, 'attentions');
        }
        return new Float32Array(0);
      },
    },
    onProgress,
  );
  let windowed = 0;
  for (const c of plan) {
    if (c.cw.windows.length > 1) {
      windowed++;
      if (todo.includes(c)) {
        // Sums over windows -> means.
        for (let p = 0; p < c.rowOf.length; p++) {
          const r = c.rowOf[p]!;
          if (r < 0) continue;
          const k = c.cw.cover[p]!;
          const o = (c.offset + r) * F;
          for (let m = 0; m < F; m++) x[o + m] = x[o + m]! / k;
        }
      }
    }
  }
  for (const c of todo) ctx.cache.put(c.key, x.subarray(c.offset * F, (c.offset + c.rows) * F));
  return {
    x,
    y,
    rows: N,
    features: F,
    positives,
    fraction: tp.fraction,
    chainsComputed: todo.length,
    chainsCached: cached,
    chainsWindowed: windowed,
    uncovered: tp.uncovered,
    digest: tp.digest,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation scores

export interface LinearHead {
  coef: Float64Array;
  intercept: number;
  /** Identifies the fit (part of the forward cache key). */
  digest: string;
}

export interface EvalRequest {
  /** Mean APC feature per pair (needs attentions). */
  unsupervised: boolean;
  /** The prediction: the regression's logit on the APC features, or the model's own `contacts` output. */
  prediction: { kind: 'regression'; head: LinearHead } | { kind: 'contacts' } | null;
}

export interface ChainScores {
  /** Per pair (pairs.ts order); NaN where no window held the pair. Null when not requested. */
  unsupervised: Float32Array | null;
  prediction: Float32Array | null;
  windows: number;
}

/** Per-pair scores of the evaluation chains, each window reduced as it arrives. */
export async function evaluationScores(
  ctx: TaskContext,
  chains: StructureEntry[],
  policy: WindowPolicy,
  want: EvalRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<ChainScores[]> {
  const model = ctx.model;
  const plan = chains.map((entry) => ({ entry, cw: windowChain(entry.length, policy) }));
  const requests: { chain: number; window: ResidueWindow }[] = [];
  plan.forEach((c, k) => {
    c.cw.windows.forEach((w) => requests.push({ chain: k, window: w }));
  });
  const pred = want.prediction;
  const useAttn = want.unsupervised || pred?.kind === 'regression';
  const outputs: ('attentions' | 'contacts' | 'logits')[] = [];
  if (useAttn) outputs.push('attentions');
  if (pred?.kind === 'contacts') outputs.push('contacts', 'logits');
  const parts = (want.unsupervised ? 1 : 0) + (pred ? 1 : 0);
  const reducer = [
    'contacts.eval.v1',
    want.unsupervised ? 'unsup' : '',
    pred?.kind === 'regression' ? `regression:${pred.head.digest}` : (pred?.kind ?? ''),
    `offset=${model.vocab.residueOffset}`,
  ].join('|');
  const scratch = new Float64Array(2 * policy.size);
  const results = await model.forward(
    requests.map((r) => ({ tokens: model.encode(plan[r.chain]!.entry.sequence.slice(r.window.start, r.window.end)) })),
    {
      outputs,
      reducer,
      reduce: (o, index) => {
        const { chain, window } = requests[index]!;
        const id = plan[chain]!.entry.id;
        const n = residuesOf(o, model, window, id);
        const P = pairCount(n);
        const out = new Float32Array(parts * P);
        const unsup = want.unsupervised ? out.subarray(0, P) : null;
        const predOut = pred ? out.subarray(want.unsupervised ? P : 0) : null;
        if (useAttn) {
          const view = o.outputs.attentions!;
          const F = mapCount(view);
          const block = { view, offset: model.vocab.residueOffset, residues: n };
          const coef = pred?.kind === 'regression' ? pred.head.coef : null;
          if (coef && coef.length !== F)
            throw new TaskFailure('E_MODEL_OUTPUT', `chain ${id}: attentions have ${F} maps, the regression was fitted on ${coef.length}`);
          const acc = new Float64Array(P);
          const lin = coef ? new Float64Array(P) : null;
          for (let m = 0; m < F; m++) {
            const w = coef ? coef[m]! : 0;
            if (!unsup && w === 0) continue;
            const ok = apcFeatures(block, m, scratch, (lp, v) => {
              acc[lp]! += v;
              if (lin && w !== 0) lin[lp]! += w * v;
            });
            if (!ok) throw nonFinite(id, 'attentions');
          }
          if (unsup) for (let p = 0; p < P; p++) unsup[p] = acc[p]! / F;
          if (lin && predOut && pred?.kind === 'regression') for (let p = 0; p < P; p++) predOut[p] = lin[p]! + pred.head.intercept;
        }
        if (pred?.kind === 'contacts' && predOut) readContacts(o, model, n, id, predOut);
        return out;
      },
    },
    onProgress,
  );
  const stitched = stitch(plan, requests, results, parts);
  return stitched.map((m, k) => ({
    unsupervised: want.unsupervised ? m[0]! : null,
    prediction: pred ? m[parts - 1]! : null,
    windows: plan[k]!.cw.windows.length,
  }));
}

/** Mean over the windows holding each pair; NaN where none does. */
function stitch(
  plan: { entry: StructureEntry; cw: ChainWindows }[],
  requests: { chain: number; window: ResidueWindow }[],
  results: ArrayLike<number>[],
  parts: number,
): Float32Array[][] {
  const sums = plan.map((c) => Array.from({ length: parts }, () => new Float64Array(c.cw.cover.length)));
  requests.forEach(({ chain, window }, k) => {
    const L = plan[chain]!.entry.length;
    const n = window.end - window.start;
    const P = pairCount(n);
    const r = results[k]!;
    const s = sums[chain]!;
    forEachWindowPair(L, window.start, n, (q, p) => {
      for (let t = 0; t < parts; t++) s[t]![p]! += r[t * P + q]!;
    });
  });
  return plan.map((c, k) =>
    sums[k]!.map((s) => {
      const out = new Float32Array(s.length);
      for (let p = 0; p < s.length; p++) out[p] = c.cw.cover[p]! > 0 ? s[p]! / c.cw.cover[p]! : Number.NaN;
      return out;
    }),
  );
}

function readContacts(o: SequenceOutputs, model: ModelHandle, n: number, id: string, out: Float32Array): void {
  const c = o.outputs.contacts!;
  const logits = o.outputs.logits!;
  const Lpad = logits.dims[0]!;
  const C = c.dims[0]!;
  if (c.dims.length !== 2 || c.dims[1] !== C)
    throw new TaskFailure('E_MODEL_OUTPUT', `chain ${id}: contacts must be [L', L'] per sequence, got [${c.dims.join(', ')}]`);
  // ESM's head drops the start and end tokens (L' = L - 2); a head over all tokens keeps them.
  let off: number;
  if (C === Lpad - model.vocab.specialCount) off = 0;
  else if (C === Lpad) off = model.vocab.residueOffset;
  else
    throw new TaskFailure(
      'E_MODEL_OUTPUT',
      `chain ${id}: contacts are ${C} x ${C} for ${Lpad} tokens; expected ${Lpad - model.vocab.specialCount} (residues only) or ${Lpad}`,
    );
  let p = 0;
  for (let a = 0; a + MIN_SEPARATION < n; a++) {
    for (let b = a + MIN_SEPARATION; b < n; b++, p++) {
      const v = (c.data[(off + a) * C + off + b]! + c.data[(off + b) * C + off + a]!) / 2;
      if (!Number.isFinite(v)) throw nonFinite(id, 'contacts');
      out[p] = v;
    }
  }
}
