import { errorMessage, isBenchError, type BenchError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { sha256 } from '../util/hash.js';
import { round3 } from '../util/round.js';
import type { CacheStore } from '../cache/store.js';
import type { LoadedModel, ModelHandle } from '../model/model.js';
import { newMeter, type Meter } from '../model/runner.js';
import type { RegisteredTask } from './registry.js';
import { TaskSkip, type ArtifactSink, type ItemCache, type TaskContext, type Logger, type ProgressReporter, type TaskOutcome, type Tier } from './types.js';

/** Work recorded per task: the runner's meter, plus the task's wall time and memory. */
export interface TaskCost extends Meter {
  seconds: number;
  /** Peak resident set size of the process at the end of the task, in MiB. */
  peakRssMiB: number;
}

export type TaskRunResult =
  | ({ version: string; status: 'ok'; headline: string; cost: TaskCost } & TaskOutcome)
  | { version: string; status: 'skipped'; reason: string }
  | { version: string; status: 'failed'; code: string; reason: string; cost?: TaskCost };

/** A model-caused failure that fails one task (e.g. NaN scores) while the others go on. */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

export interface ExecuteOptions {
  tier: Tier;
  seed: number;
  cache: CacheStore;
  refModel: ModelHandle | null;
  options: Record<string, Record<string, string>>;
  data: Record<string, string>;
  artifacts: ArtifactSink;
  progress: ProgressReporter;
  log: Logger;
  failFast: boolean;
  /** Called once every task's `check` passed, before the first task runs. */
  onReady?: () => void;
  onTaskStart?: (name: string) => void;
  onTaskEnd?: (name: string, r: TaskRunResult) => void;
}

/** Why the model cannot serve a task, or null when it can. */
export function missingNeeds(task: RegisteredTask, caps: ReadonlySet<string>): string | null {
  const missing = task.module.needs.filter((n) => !caps.has(n));
  const groups = (task.module.needsAnyOf ?? []).filter((g) => !g.some((n) => caps.has(n)));
  if (missing.length === 0 && groups.length === 0) return null;
  const parts = [
    ...missing.map((n) => (n === 'mlm' || n === 'clm' ? `a ${n === 'mlm' ? 'masked' : 'causal'} LM` : `a "${n}" output`)),
    ...groups.map((g) => `one of ${g.map((n) => `"${n}"`).join(' or ')}`),
  ];
  return `the model lacks ${parts.join(' and ')}`;
}

/**
 * Runs the tasks one after another. User errors (bad data, bad options) stop the run: they are the
 * user's to fix and nothing is written. A model-caused failure or an internal error fails that task
 * only, unless `failFast`.
 */
export async function executeTasks(model: LoadedModel, tasks: RegisteredTask[], opts: ExecuteOptions): Promise<Record<string, TaskRunResult>> {
  const results: Record<string, TaskRunResult> = {};
  const root = new Rng(opts.seed);
  const contexts = new Map<string, { ctx: TaskContext; meter: Meter }>();
  for (const task of tasks) {
    if (missingNeeds(task, model.capabilities)) continue;
    const meter = newMeter();
    const ctx = contextFor(task, model, meter, root, opts);
    contexts.set(task.module.name, { ctx, meter });
    await task.module.check?.(ctx);
  }
  opts.onReady?.();
  for (const task of tasks) {
    const m = task.module;
    const name = m.name;
    opts.onTaskStart?.(name);
    const skip = missingNeeds(task, model.capabilities);
    if (skip) {
      results[name] = { version: m.version, status: 'skipped', reason: skip };
      opts.onTaskEnd?.(name, results[name]);
      continue;
    }
    const { ctx, meter } = contexts.get(name)!;
    const t0 = performance.now();
    const cost = (): TaskCost => ({
      ...meter,
      inferenceSeconds: round3(meter.inferenceSeconds),
      seconds: round3((performance.now() - t0) / 1000),
      peakRssMiB: Math.round(peakRssBytes() / 1048576),
    });
    try {
      const outcome = await m.run(ctx);
      const { headline, ...rest } = outcome;
      results[name] = { version: m.version, status: 'ok', headline: headline ?? m.describe().headline, ...rest, cost: cost() };
    } catch (e) {
      // Matched by name too: plugins may see another module instance of these classes.
      const kind = e instanceof Error ? e.name : '';
      if (e instanceof TaskSkip || kind === 'TaskSkip') {
        results[name] = { version: m.version, status: 'skipped', reason: (e as TaskSkip).reason };
      } else if (isBenchError(e) && e.code !== 'E_MODEL') {
        throw e;
      } else {
        const known = e instanceof TaskFailure || kind === 'TaskFailure' || isBenchError(e);
        const code = known ? (e as TaskFailure | BenchError).code : 'E_INTERNAL';
        const reason = known ? (e as Error).message : `internal error: ${errorMessage(e)}`;
        results[name] = { version: m.version, status: 'failed', code, reason, cost: cost() };
        opts.log.warn(`task ${name} failed: ${reason}`);
        if (!known && process.env['PLMBENCH_DEBUG']) console.error(e);
        if (opts.failFast) throw e;
      }
    }
    opts.onTaskEnd?.(name, results[name]);
  }
  return results;
}


function contextFor(task: RegisteredTask, model: LoadedModel, meter: Meter, root: Rng, opts: ExecuteOptions): TaskContext {
  const name = task.module.name;
  const itemShard = opts.cache.shard(`task|${name}|${task.module.version}|${model.computeKey}`, model.sha256);
  const cache: ItemCache = {
    get: (key) => itemShard.get(sha256(key)),
    put: (key, value) => { itemShard.putMany([{ key: sha256(key), value }]); },
  };
  return {
    model: model.metered(meter),
    refModel: opts.refModel,
    cache,
    rng: root.fork(`task:${name}`),
    seed: opts.seed,
    tier: opts.tier,
    options: opts.options[name] ?? {},
    dataPath: opts.data[name] ?? null,
    taskDir: task.dir,
    artifacts: opts.artifacts,
    progress: opts.progress,
    log: opts.log,
  };
}

/** Peak RSS: Linux reports it in resourceUsage().maxRSS (KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
