/**
 * Sharded runs (`bench all --shard i/n`): which forward passes shard i computes, and what a task sees
 * of the others'.
 *
 * The unit of work is a *batch of the single-process run*: every shard plans each forward call exactly
 * as one process would (same requests, same cache state, same batch policy), so every batch is
 * computed with the same rows and padding as in a single run and its values are bit for bit the
 * single run's. Each batch goes to the shard with the fewest tokens so far (batch size x padded
 * length, ties to the lowest index), batches taken longest first: the same split on every machine,
 * balanced by tokens rather than by count. A shard stores its own batches in its own cache folder; the
 * merge is an ordinary run that reads every shard's folder and finds each pass cached.
 *
 * Requests another shard computes get stand-in values (the task's reducer applied to zero outputs of
 * the right shape) so the task goes on to its next forward call; a shard's task results are thrown
 * away and its item cache is off, so stand-ins never reach a result or a cache.
 */
import { createHash } from 'node:crypto';
import type { CachedArray } from '../cache/store.js';
import type { OutputName } from './contract.js';
import {
  newMeter,
  planBatches,
  type ForwardCache,
  type ForwardRequest,
  type ForwardSpec,
  type Meter,
  type OutputView,
  type Runner,
} from './runner.js';

/**
 * How a task is sharded. `split`: its forward passes are spread over the shards (requests must not
 * depend on earlier outputs). `whole`: one shard runs it entirely and keeps its per-item cache (tasks
 * whose passes are uncached but whose items are cached, e.g. contacts' attention features). `merge`:
 * no shard runs it; the merge does (sampling, whose requests depend on earlier outputs).
 */
export type ShardMode = 'split' | 'whole' | 'merge';

export interface ShardSpec {
  /** 0-based. */
  index: number;
  count: number;
}

/** What one shard did for one task, as recorded in its partial run. */
export interface ShardTaskRecord {
  mode: ShardMode;
  /** `whole`: the shard that runs it; otherwise null. */
  owner: number | null;
  /** This shard's computed work: batches of the single-run plan, their requests, tokens (padded), padding. */
  batches: number;
  requests: number;
  tokens: number;
  paddedTokens: number;
  inferenceSeconds: number;
  /** `split`: passes of uncached calls (no key to share them by) left to the merge. */
  deferred: number;
  /** Ids of the batches this shard computed (sha256 over the batch's cache keys, 16 hex). */
  covered: string[];
  /** `whole`, on its owner: the task's meter as a single run would record it. */
  meter?: Meter;
  seconds: number;
  /** Why the task stopped early on this shard (stand-in values may upset it); the merge runs it on real values. */
  note?: string;
  /** `bench plan` only: tokens per shard, and of passes left to the merge. */
  perShard?: number[];
  mergeTokens?: number;
}

export class ShardSession {
  /** Tokens (batch size x padded length) of the split batches given to each shard so far. */
  readonly loads: number[];
  readonly tasks: Record<string, ShardTaskRecord> = {};
  /** A failure of a real computation on this shard (not of stand-ins): it fails the shard. */
  realError: unknown = null;
  /** Keys the single run would hold by now (computed by any shard, earlier in the run). */
  private readonly seen = new Set<string>();
  private current: ShardTaskRecord | null = null;
  private wholeCount = 0;
  private readonly templates = new Map<string, { dims: number[]; lAxes: number[] }[]>();

  /** `planOnly`: `bench plan`: no pass is computed, every task is walked on stand-ins and its batches tallied. */
  constructor(
    readonly spec: ShardSpec,
    readonly planOnly = false,
  ) {
    this.loads = new Array<number>(spec.count).fill(0);
  }

  /**
   * Starts a task; returns whether this shard runs it. `whole` tasks go round the shards from the
   * last one (the split batches fill the least-loaded shards, so the first shards tend to start fuller).
   */
  beginTask(name: string, mode: ShardMode): boolean {
    const owner = mode === 'whole' ? this.spec.count - 1 - (this.wholeCount++ % this.spec.count) : null;
    const rec: ShardTaskRecord = {
      mode,
      owner,
      batches: 0,
      requests: 0,
      tokens: 0,
      paddedTokens: 0,
      inferenceSeconds: 0,
      deferred: 0,
      covered: [],
      seconds: 0,
    };
    this.tasks[name] = rec;
    if (this.planOnly) {
      rec.perShard = new Array<number>(this.spec.count).fill(0);
      rec.mergeTokens = 0;
    }
    const here = this.planOnly || mode === 'split' || (mode === 'whole' && owner === this.spec.index);
    this.current = here ? rec : null;
    return here;
  }

  endTask(meter: Meter, seconds: number, note?: string): void {
    const rec = this.current;
    if (!rec) return;
    rec.seconds = seconds;
    rec.inferenceSeconds = Math.round(rec.inferenceSeconds * 1000) / 1000;
    if (rec.mode === 'whole') rec.meter = { ...meter, inferenceSeconds: Math.round(meter.inferenceSeconds * 1000) / 1000 };
    if (note) rec.note = note;
    this.current = null;
  }

  /** The forward call of a task on this shard, in place of Runner.run. */
  async forward(
    runner: Runner,
    requests: ForwardRequest[],
    spec: ForwardSpec,
    cache: ForwardCache | null,
    keys: string[] | null,
    meter: Meter,
    onProgress?: (done: number, total: number) => void,
  ): Promise<CachedArray[]> {
    const rec = this.current;
    if (!rec) throw new Error('internal: a forward call outside a task of this shard');
    try {
      if (this.planOnly) return await this.forwardPlan(rec, runner, requests, spec, keys);
      return rec.mode === 'whole'
        ? await this.forwardWhole(rec, runner, requests, spec, cache, keys, meter)
        : await this.forwardSplit(rec, runner, requests, spec, cache, keys, meter, onProgress);
    } catch (e) {
      if (this.realError === null && isRealFailure(e)) this.realError = e;
      throw e;
    }
  }

  /** `bench plan`: the batches a real shard would compute, tallied per shard; stand-ins for every value. */
  private async forwardPlan(
    rec: ShardTaskRecord,
    runner: Runner,
    requests: ForwardRequest[],
    spec: ForwardSpec,
    keys: string[] | null,
  ): Promise<CachedArray[]> {
    checkLengths(requests, runner.maxLength);
    const lengths = requests.map((r) => r.tokens.length);
    const todo = keys ? requests.map((_, i) => i).filter((i) => !this.seen.has(keys[i]!)) : requests.map((_, i) => i);
    for (const batch of planBatches(lengths, todo, { ...runner.policy, ...spec.batch }, runner.outputFloats(spec.outputs))) {
      const cost = batch.length * Math.max(...batch.map((i) => lengths[i]!));
      rec.batches++;
      rec.requests += batch.length;
      rec.tokens += cost;
      rec.paddedTokens += cost - batch.reduce((s, i) => s + lengths[i]!, 0);
      if (rec.mode === 'merge' || (rec.mode === 'split' && !keys)) rec.mergeTokens! += cost;
      else if (rec.mode === 'whole') rec.perShard![rec.owner!]! += cost;
      else {
        const owner = argmin(this.loads);
        this.loads[owner]! += cost;
        rec.perShard![owner]! += cost;
      }
    }
    if (keys) for (const i of todo) this.seen.add(keys[i]!);
    const out: CachedArray[] = [];
    for (let i = 0; i < requests.length; i++) out.push(await this.standIn(runner, requests[i]!, spec, i));
    return out;
  }

  /** A split task: the batches given to this shard are computed, the rest get stand-ins. */
  private async forwardSplit(
    rec: ShardTaskRecord,
    runner: Runner,
    requests: ForwardRequest[],
    spec: ForwardSpec,
    cache: ForwardCache | null,
    keys: string[] | null,
    meter: Meter,
    onProgress?: (done: number, total: number) => void,
  ): Promise<CachedArray[]> {
    checkLengths(requests, runner.maxLength);
    const results: CachedArray[] = new Array<CachedArray>(requests.length);
    if (!cache || !keys) {
      // Uncached: no key to hand the values to the merge by, so the merge computes them.
      rec.deferred += requests.length;
      for (let i = 0; i < requests.length; i++) results[i] = await this.standIn(runner, requests[i]!, spec, i);
      return results;
    }
    const todo: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      meter.forwardPasses++;
      meter.tokens += requests[i]!.tokens.length;
      if (this.seen.has(keys[i]!)) {
        meter.cached++;
        results[i] = cache.get(keys[i]!) ?? (await this.standIn(runner, requests[i]!, spec, i));
      } else todo.push(i);
    }
    const lengths = requests.map((r) => r.tokens.length);
    const batches = planBatches(lengths, todo, { ...runner.policy, ...spec.batch }, runner.outputFloats(spec.outputs));
    let done = requests.length - todo.length;
    for (const batch of batches) {
      const L = Math.max(...batch.map((i) => lengths[i]!));
      const cost = batch.length * L;
      const owner = argmin(this.loads);
      this.loads[owner]! += cost;
      if (owner === this.spec.index) {
        const values = await this.computeOwn(runner, requests, spec, cache, keys, batch, meter);
        batch.forEach((r, b) => (results[r] = values[b]!));
        rec.batches++;
        rec.requests += batch.length;
        rec.tokens += cost;
        rec.paddedTokens += cost - batch.reduce((s, i) => s + lengths[i]!, 0);
        rec.covered.push(batchId(batch.map((i) => keys[i]!)));
      } else {
        for (const i of batch) results[i] = await this.standIn(runner, requests[i]!, spec, i);
      }
      done += batch.length;
      onProgress?.(done, requests.length);
    }
    for (const i of todo) this.seen.add(keys[i]!);
    return results;
  }

  /** A whole task on its owner: every pass real, planned as the single run plans it. */
  private async forwardWhole(
    rec: ShardTaskRecord,
    runner: Runner,
    requests: ForwardRequest[],
    spec: ForwardSpec,
    cache: ForwardCache | null,
    keys: string[] | null,
    meter: Meter,
  ): Promise<CachedArray[]> {
    if (!cache || !keys) {
      const m = newMeter();
      const out = await runner.run(requests, spec, null, null, m, undefined);
      addMeter(meter, m);
      this.account(rec, m);
      return out;
    }
    checkLengths(requests, runner.maxLength);
    const results: CachedArray[] = new Array<CachedArray>(requests.length);
    const todo: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      meter.forwardPasses++;
      meter.tokens += requests[i]!.tokens.length;
      if (this.seen.has(keys[i]!)) {
        meter.cached++;
        const v = cache.get(keys[i]!);
        if (v) results[i] = v;
        else missing.push(i); // computed by another shard earlier in the run: needed for real here
      } else todo.push(i);
    }
    if (missing.length > 0) {
      const m = newMeter();
      const values = await runner.run(
        missing.map((i) => requests[i]!),
        spec,
        cache,
        missing.map((i) => keys[i]!),
        m,
      );
      missing.forEach((r, b) => (results[r] = values[b]!));
      rec.inferenceSeconds += m.inferenceSeconds;
    }
    const lengths = requests.map((r) => r.tokens.length);
    for (const batch of planBatches(lengths, todo, { ...runner.policy, ...spec.batch }, runner.outputFloats(spec.outputs))) {
      const values = await this.computeOwn(runner, requests, spec, cache, keys, batch, meter);
      batch.forEach((r, b) => (results[r] = values[b]!));
      const L = Math.max(...batch.map((i) => lengths[i]!));
      rec.batches++;
      rec.requests += batch.length;
      rec.tokens += batch.length * L;
      rec.paddedTokens += batch.length * L - batch.reduce((s, i) => s + lengths[i]!, 0);
      rec.covered.push(batchId(batch.map((i) => keys[i]!)));
    }
    for (const i of todo) this.seen.add(keys[i]!);
    return results;
  }

  /**
   * One batch of this shard: from its own cache when an earlier attempt of this shard computed it
   * (a preempted array task resumes), else computed now and stored. Counted as computed either way,
   * so the merged cost is the single run's.
   */
  private async computeOwn(
    runner: Runner,
    requests: ForwardRequest[],
    spec: ForwardSpec,
    cache: ForwardCache,
    keys: string[],
    batch: number[],
    meter: Meter,
  ): Promise<CachedArray[]> {
    const L = Math.max(...batch.map((i) => requests[i]!.tokens.length));
    meter.batches++;
    meter.paddedTokens += batch.reduce((s, i) => s + L - requests[i]!.tokens.length, 0);
    const stored = batch.map((i) => cache.get(keys[i]!));
    if (stored.every((v) => v !== undefined)) return stored;
    const m = newMeter();
    const values = await runner.computeBatch(
      batch.map((i) => requests[i]!),
      spec,
      batch,
      m,
    );
    meter.inferenceSeconds += m.inferenceSeconds;
    this.current!.inferenceSeconds += m.inferenceSeconds;
    cache.putMany(batch.map((i, b) => ({ key: keys[i]!, value: values[b]! })));
    return values;
  }

  private account(rec: ShardTaskRecord, m: Meter): void {
    rec.batches += m.batches;
    rec.requests += m.forwardPasses - m.cached;
    rec.paddedTokens += m.paddedTokens;
    rec.tokens += m.tokens + m.paddedTokens;
    rec.inferenceSeconds += m.inferenceSeconds;
  }

  /**
   * The task's reducer applied to zero outputs of the shape the model would return for this request.
   * The shape of each output (which axes grow with the sequence) is learnt once per output set from
   * two tiny real passes.
   */
  private async standIn(runner: Runner, req: ForwardRequest, spec: ForwardSpec, index: number): Promise<CachedArray> {
    const shapes = await this.template(runner, spec.outputs, req.tokens);
    const L = req.tokens.length;
    const outputs: Partial<Record<OutputName, OutputView>> = {};
    spec.outputs.forEach((name, k) => {
      const t = shapes[k]!;
      const dims = t.dims.map((d, ax) => (t.lAxes.includes(ax) ? L : d));
      outputs[name] = { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims };
    });
    try {
      return spec.reduce({ length: L, tokens: req.tokens, outputs }, index);
    } catch {
      return new Float32Array(0); // the task may fail on it; its result on a shard is not kept
    }
  }

  private async template(runner: Runner, outputs: OutputName[], tokens: Int32Array): Promise<{ dims: number[]; lAxes: number[] }[]> {
    const id = outputs.join(',');
    const known = this.templates.get(id);
    if (known) return known;
    const probe = async (n: number) => {
      const t = Int32Array.from({ length: n }, (_, i) => tokens[Math.min(i, tokens.length - 1)]!);
      let dims: number[][] = [];
      await runner.computeBatch(
        [{ tokens: t }],
        {
          outputs,
          reducer: 'shard.shape-probe',
          reduce: (o) => ((dims = outputs.map((name) => o.outputs[name]!.dims)), new Float32Array(0)),
        },
        [0],
        newMeter(),
      );
      return dims;
    };
    const a = await probe(2);
    const b = await probe(3);
    const shapes = a.map((dims, k) => ({
      dims,
      lAxes: dims.map((d, ax) => (d === 2 && b[k]![ax] === 3 ? ax : -1)).filter((ax) => ax >= 0),
    }));
    this.templates.set(id, shapes);
    return shapes;
  }
}

/** A cost-balanced split's spread: the most loaded shard over the mean (1 is perfect). */
export function balance(tokens: readonly number[]): { max: number; mean: number; ratio: number } {
  const max = Math.max(...tokens);
  const mean = tokens.reduce((s, t) => s + t, 0) / tokens.length;
  return { max, mean, ratio: mean > 0 ? Math.round((max / mean) * 1000) / 1000 : 1 };
}

export function parseShard(s: string): ShardSpec | null {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1 || index >= count) return null;
  return { index, count };
}

function argmin(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[best]!) best = i;
  return best;
}

function batchId(keys: string[]): string {
  const h = createHash('sha256');
  for (const k of keys) h.update(k);
  return h.digest('hex').slice(0, 16);
}

function addMeter(into: Meter, m: Meter): void {
  into.forwardPasses += m.forwardPasses;
  into.cached += m.cached;
  into.tokens += m.tokens;
  into.paddedTokens += m.paddedTokens;
  into.batches += m.batches;
  into.inferenceSeconds += m.inferenceSeconds;
}

function checkLengths(requests: ForwardRequest[], maxLength: number): void {
  requests.forEach((r, i) => {
    if (r.tokens.length > maxLength)
      throw new Error(`internal: request ${i} has ${r.tokens.length} tokens, more than the model's ${maxLength}; the task must window it`);
    if (r.tokens.length === 0) throw new Error(`internal: request ${i} has no tokens`);
  });
}

/** Failures of real passes (the runtime, a model error) fail the shard; anything else may come from stand-ins. */
function isRealFailure(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'E_MODEL';
}
