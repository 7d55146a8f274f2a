import type * as Ort from 'onnxruntime-node';
import { BenchError } from '../util/errors.js';
import type { CachedArray } from '../cache/store.js';
import type { IoMap, OutputName } from './contract.js';

/**
 * What the runner needs of a cache shard (the store's CacheShard has this shape); an interface so a
 * layered view (a merge reading the shards' caches) can stand in for one.
 */
export interface ForwardCache {
  get(key: string): CachedArray | undefined;
  putMany(items: { key: string; value: CachedArray }[]): void;
  /** Reads what other writers published since the last look; returns the records read. */
  refresh(): number;
  /** Whether entries live on disk (other writers may share them), not in memory only. */
  readonly onDisk: boolean;
  /** Damaged records dropped since the last call (they are recomputed and counted as cacheRepaired). */
  takeDamaged(): number;
}

/** One sequence to run: token ids with their special tokens, at most the model's maximum length. */
export interface ForwardRequest {
  tokens: Int32Array;
}

/**
 * One output of one sequence, without the batch axis. Arrays keep the batch's padded length: a
 * `[L, V]` logits view has `dims = [Lpad, V]` and only its first `length` rows are real.
 */
export interface OutputView {
  data: Float32Array;
  dims: number[];
}

export interface SequenceOutputs {
  /** Real tokens of this sequence (without padding). */
  length: number;
  tokens: Int32Array;
  outputs: Partial<Record<OutputName, OutputView>>;
}

export interface ForwardSpec {
  outputs: OutputName[];
  /**
   * Stable identity of what `reduce` computes, with its version and parameters, e.g.
   * `fitness.masked-marginal.v1`. Part of the cache key: change it when the reduction changes.
   */
  reducer: string;
  /**
   * Turns one sequence's outputs into the small array the task keeps (called once per sequence).
   * Results are cached by the request's tokens, so the value must depend only on `o.tokens` and the
   * outputs, never on per-request facts kept elsewhere (`index` is for bookkeeping, not for values:
   * two requests with the same tokens share one cache entry).
   */
  reduce: (o: SequenceOutputs, index: number) => CachedArray;
  /** Default true. Sampling turns it off: its prefixes are never asked for twice. */
  cache?: boolean;
  /** Overrides of the batch policy for this call (the conformance check forces padding with it). */
  batch?: Partial<BatchPolicy>;
}

/** Work done for a task, as recorded in `cost`. */
export interface Meter {
  /** Sequence passes the protocol needed (computed now or served from the cache). */
  forwardPasses: number;
  /** Passes served from the cache instead of being computed. */
  cached: number;
  /** Non-padding tokens of the passes the protocol needed. */
  tokens: number;
  /** Padding tokens of the batches actually computed. */
  paddedTokens: number;
  batches: number;
  /** Seconds spent inside the runtime. */
  inferenceSeconds: number;
  /** Damaged cache records found (checksum or length wrong) and dropped: their passes were recomputed. Absent when none. */
  cacheRepaired?: number;
}

/** Largest logit magnitude a model may produce (see conformance.ts for why). */
export const MAX_ABS_LOGIT = 1e6;

export function newMeter(): Meter {
  return { forwardPasses: 0, cached: 0, tokens: 0, paddedTokens: 0, batches: 0, inferenceSeconds: 0 };
}

export interface BatchPolicy {
  /** Token budget of one batch: batch size x padded length. */
  maxTokens: number;
  /** Output floats budget of one batch (attention maps grow with L^2). */
  maxOutputFloats: number;
  maxBatch: number;
  /**
   * A sequence joins a batch only if it is at least (1 - maxPadFraction) as long as the batch's
   * longest, so padding stays under this fraction of every batch.
   */
  maxPadFraction: number;
}

export const DEFAULT_BATCH_POLICY: BatchPolicy = { maxTokens: 4096, maxOutputFloats: 48 * 1024 * 1024, maxBatch: 256, maxPadFraction: 0.1 };

/** Per-sequence output sizes in floats, for a padded length L, used to size batches. */
export type OutputSizer = (name: OutputName, L: number) => number;

/**
 * Plans batches: sequences sorted by length (longest first, so a batch that does not fit in memory
 * fails at once) and packed while batch size x longest length stays within the token budget, the
 * outputs within the float budget, and each sequence within `maxPadFraction` of the batch's longest.
 * Returns request indices per batch.
 */
export function planBatches(lengths: number[], indices: number[], policy: BatchPolicy, outputFloats: (L: number) => number): number[][] {
  const order = [...indices].sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let cur: number[] = [];
  let curMax = 0;
  for (const i of order) {
    const L = Math.max(curMax, lengths[i]!);
    const n = cur.length + 1;
    const fits =
      n <= policy.maxBatch &&
      n * L <= policy.maxTokens &&
      n * outputFloats(L) <= policy.maxOutputFloats &&
      lengths[i]! >= (1 - policy.maxPadFraction) * L;
    if (cur.length > 0 && !fits) {
      batches.push(cur);
      cur = [];
      curMax = 0;
    }
    cur.push(i);
    curMax = Math.max(curMax, lengths[i]!);
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

export interface RunnerDeps {
  session: Ort.InferenceSession;
  ort: typeof Ort;
  io: IoMap;
  padId: number;
  maxLength: number;
  policy: BatchPolicy;
  sizer: OutputSizer;
  /** Extra feeds for inputs with a fixed meaning beyond the contract (none today). */
  modelPath: string;
  /** Residues of a request's tokens, to name the sequence in errors. */
  decode?: (tokens: Int32Array) => string;
}

/**
 * Runs sequences through the session in padded batches, fetching only the outputs asked for, and
 * hands each sequence's outputs to the task's reducer as views (no copies). Results are cached by
 * the caller's shard.
 */
export class Runner {
  constructor(private readonly deps: RunnerDeps) {}

  async run(
    requests: ForwardRequest[],
    spec: ForwardSpec,
    shard: ForwardCache | null,
    keys: string[] | null,
    meter: Meter,
    onProgress?: (done: number, total: number) => void,
  ): Promise<CachedArray[]> {
    const { maxLength, policy } = this.deps;
    const results = new Array<CachedArray | undefined>(requests.length);
    const todo: number[] = [];
    if (shard) shard.refresh();
    for (let i = 0; i < requests.length; i++) {
      const len = requests[i]!.tokens.length;
      if (len > maxLength)
        throw new Error(`internal: request ${i} has ${len} tokens, more than the model's ${maxLength}; the task must window it`);
      if (len === 0) throw new Error(`internal: request ${i} has no tokens`);
      meter.forwardPasses++;
      meter.tokens += len;
      const hit = shard && keys ? shard.get(keys[i]!) : undefined;
      if (hit) {
        results[i] = hit;
        meter.cached++;
      } else todo.push(i);
    }
    let done = requests.length - todo.length;
    onProgress?.(done, requests.length);
    const lengths = requests.map((r) => r.tokens.length);
    const perSeqFloats = (L: number) => spec.outputs.reduce((s, o) => s + this.deps.sizer(o, L), 0);
    const batches = planBatches(lengths, todo, { ...policy, ...spec.batch }, perSeqFloats);
    // Under concurrency (other runs, or shards of one run, writing one cache), each writer takes the
    // batches in its own random order, so that writers started together do not compute the same batches
    // in lockstep, and before each batch it reads what the others have published: a pass published
    // before a batch starts is served from the cache, never computed again. Two writers may still
    // compute one pass at the same moment (no lock is held); each stores it at most once, and readers
    // keep one entry per key. Values do not depend on the order: batches keep their composition.
    const order = batches.map((_, k) => k);
    if (shard?.onDisk && keys) {
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(Math.random() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
    }
    for (let k = 0; k < batches.length; k++) {
      let batch = batches[order[k]!]!;
      if (shard && keys) {
        if (k > 0) shard.refresh();
        batch = batch.filter((i) => {
          const hit = shard.get(keys[i]!);
          if (hit) {
            results[i] = hit;
            meter.cached++;
            done++;
          }
          return !hit;
        });
        this.noteRepaired(shard, meter);
        if (batch.length === 0) {
          onProgress?.(done, requests.length);
          continue;
        }
      }
      const computed = await this.runBatch(
        batch.map((i) => requests[i]!),
        spec,
        batch,
        meter,
      );
      const toStore: { key: string; value: CachedArray }[] = [];
      batch.forEach((reqIndex, b) => {
        results[reqIndex] = computed[b]!;
        if (keys) toStore.push({ key: keys[reqIndex]!, value: computed[b]! });
      });
      if (shard) shard.putMany(toStore);
      done += batch.length;
      onProgress?.(done, requests.length);
    }
    if (shard) this.noteRepaired(shard, meter);
    return results as CachedArray[];
  }

  private noteRepaired(shard: ForwardCache, meter: Meter): void {
    const n = shard.takeDamaged();
    if (n > 0) meter.cacheRepaired = (meter.cacheRepaired ?? 0) + n;
  }

  /** One planned batch, computed now (sharded runs plan the batches themselves; see shard-plan.ts). */
  computeBatch(reqs: ForwardRequest[], spec: ForwardSpec, indices: number[], meter: Meter): Promise<CachedArray[]> {
    return this.runBatch(reqs, spec, indices, meter);
  }

  get maxLength(): number {
    return this.deps.maxLength;
  }

  get policy(): BatchPolicy {
    return this.deps.policy;
  }

  /** Per-sequence output floats of a padded length L for these outputs (the batch planner's sizer). */
  outputFloats(outputs: OutputName[]): (L: number) => number {
    return (L: number) => outputs.reduce((s, o) => s + this.deps.sizer(o, L), 0);
  }

  private async runBatch(reqs: ForwardRequest[], spec: ForwardSpec, indices: number[], meter: Meter): Promise<CachedArray[]> {
    const { ort, session, io, padId } = this.deps;
    const B = reqs.length;
    const L = reqs.reduce((m, r) => Math.max(m, r.tokens.length), 0);
    // int64 tensors written through 32-bit views (little-endian; ids and mask values are small and
    // non-negative), which avoids one BigInt per token.
    const ids = new BigInt64Array(B * L);
    const ids32 = new Int32Array(ids.buffer);
    const mask = io.attentionMask ? new BigInt64Array(B * L) : null;
    const mask32 = mask ? new Int32Array(mask.buffer) : null;
    for (let b = 0; b < B; b++) {
      const t = reqs[b]!.tokens;
      const row = b * L;
      for (let j = 0; j < L; j++) ids32[2 * (row + j)] = j < t.length ? t[j]! : padId;
      if (mask32) for (let j = 0; j < t.length; j++) mask32[2 * (row + j)] = 1;
      meter.paddedTokens += L - t.length;
    }
    const feeds: Record<string, Ort.Tensor> = { [io.inputIds]: new ort.Tensor('int64', ids, [B, L]) };
    if (mask && io.attentionMask) feeds[io.attentionMask] = new ort.Tensor('int64', mask, [B, L]);
    const fetches = spec.outputs.map((o) => io.outputs[o]!); // the model's forward checked that each is exported
    const t0 = performance.now();
    let out: Ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run(feeds, fetches);
    } catch (e) {
      throw new BenchError(
        'E_MODEL',
        `${this.deps.modelPath}: forward pass failed on a batch of ${B} x ${L} tokens (${(e as Error).message.split('\n')[0]})`,
      );
    }
    meter.inferenceSeconds += (performance.now() - t0) / 1000;
    meter.batches++;
    const tensors = spec.outputs.map((o) => {
      const t = out[io.outputs[o]!] as Ort.Tensor;
      const dims = t.dims.map(Number);
      if (dims[0] !== B) throw new BenchError('E_MODEL', `${this.deps.modelPath}: output ${o} has batch size ${dims[0]}, expected ${B}`);
      return { name: o, data: toFloat32(t), dims };
    });
    const logitsT = tensors.find((t) => t.name === 'logits');
    if (logitsT && (logitsT.dims.length !== 3 || logitsT.dims[1] !== L || logitsT.dims[2]! * L !== this.deps.sizer('logits', L))) {
      throw new BenchError(
        'E_MODEL',
        `${this.deps.modelPath}: output logits has shape [${logitsT.dims.join(', ')}], expected [${B}, ${L}, ${this.deps.sizer('logits', 1)}] (batch, length, vocabulary)`,
      );
    }
    const results: CachedArray[] = [];
    for (let b = 0; b < B; b++) {
      const outputs: Partial<Record<OutputName, OutputView>> = {};
      for (const t of tensors) {
        const stride = t.data.length / B;
        outputs[t.name] = { data: t.data.subarray(b * stride, (b + 1) * stride), dims: t.dims.slice(1) };
      }
      checkRealRows(outputs, reqs[b]!.tokens, this.deps.modelPath, this.deps.decode);
      results.push(spec.reduce({ length: reqs[b]!.tokens.length, tokens: reqs[b]!.tokens, outputs }, indices[b]!));
    }
    for (const t of Object.values(out)) (t as { dispose?: () => void }).dispose?.();
    return results;
  }
}

/**
 * The model's logits at a sequence's real positions must lie within ±MAX_ABS_LOGIT: beyond, scores
 * overflow to infinity far from the cause (logits of 3e38 once gave a null perplexity on a task marked
 * ok). Padding positions are not checked. The error names the sequence and fails the task (E_MODEL): the
 * model produced the values, never the cache. NaN and infinite values are left to the tasks, whose
 * messages name the item (assay and row, FASTA record); the cache never stores them.
 */
function checkRealRows(
  outputs: Partial<Record<OutputName, OutputView>>,
  tokens: Int32Array,
  modelPath: string,
  decode?: (t: Int32Array) => string,
): void {
  const v = outputs.logits;
  if (!v || v.dims.length !== 2) return;
  const width = v.dims[1]!;
  const n = Math.min(tokens.length, v.dims[0]!) * width;
  for (let i = 0; i < n; i++) {
    const x = v.data[i]!;
    if (x > MAX_ABS_LOGIT || x < -MAX_ABS_LOGIT) {
      const residues = decode ? decode(tokens) : '';
      const seq = residues
        ? `sequence ${residues.slice(0, 24)}${residues.length > 24 ? '…' : ''} (${residues.length} residues)`
        : `a sequence of ${tokens.length} tokens`;
      throw new BenchError(
        'E_MODEL',
        `${modelPath}: the model's logits are ${x.toExponential(2)}, beyond ±${MAX_ABS_LOGIT}, at position ${Math.floor(i / width)} of ${seq}`,
      );
    }
  }
}

function toFloat32(t: Ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    const src = t.data as Uint16Array;
    const dst = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) dst[i] = halfToFloat(src[i]!);
    return dst;
  }
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new BenchError('E_MODEL', `output of type ${t.type} is not a floating-point tensor`);
}

function halfToFloat(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  if (e === 0) return (s ? -1 : 1) * Math.pow(2, -14) * (f / 1024);
  if (e === 0x1f) return f ? NaN : (s ? -1 : 1) * Infinity;
  return (s ? -1 : 1) * Math.pow(2, e - 15) * (1 + f / 1024);
}
