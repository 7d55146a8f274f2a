import { BenchError, errorMessage, isBenchError, isPathError, pathErrorMessage } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { sha256 } from '../util/hash.js';
import { round3 } from '../util/round.js';
import type { CacheLike } from '../model/cache-layers.js';
import type { ShardSession } from '../model/shard-plan.js';
import type { LoadedModel, ModelHandle } from '../model/model.js';
import { newMeter, type Meter } from '../model/runner.js';
import type { RegisteredTask } from './registry.js';
import {
  TaskSkip,
  type ArtifactSink,
  type ItemCache,
  type TaskContext,
  type Logger,
  type ProgressReporter,
  type TaskOutcome,
  type Tier,
} from './types.js';

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
  cache: CacheLike;
  /** One shard of a sharded run: tasks fill this shard's cache; their results are not kept. */
  shard?: ShardSession;
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
export async function executeTasks(
  model: LoadedModel,
  tasks: RegisteredTask[],
  opts: ExecuteOptions,
): Promise<Record<string, TaskRunResult>> {
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
    if (opts.shard) {
      await runShardTask(task, ctx, meter, opts.shard);
      opts.onTaskEnd?.(name, { version: m.version, status: 'skipped', reason: 'shard of a sharded run: results come from the merge' });
      continue;
    }
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
      } else if (isPathError(e)) {
        // A file the user gave that cannot be read is the user's to fix, not a bug of the task.
        throw new BenchError('E_IO', pathErrorMessage(e));
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

/**
 * A task on one shard: run for its forward passes only (the result is thrown away). A `split` task sees
 * stand-in values for other shards' passes, so an error after them is recorded, not raised; a failure
 * of a real pass fails the shard.
 */
async function runShardTask(task: RegisteredTask, ctx: TaskContext, meter: Meter, session: ShardSession): Promise<void> {
  const mode = task.module.sharding ?? 'split';
  if (!session.beginTask(task.module.name, mode)) return;
  const t0 = performance.now();
  let note: string | undefined;
  try {
    await task.module.run(ctx);
  } catch (e) {
    if (session.realError !== null) throw session.realError as Error;
    if (mode === 'whole' && !session.planOnly && isBenchError(e) && e.code !== 'E_MODEL') throw e;
    note = errorMessage(e);
  }
  session.endTask(meter, round3((performance.now() - t0) / 1000), note);
}

function contextFor(task: RegisteredTask, model: LoadedModel, meter: Meter, root: Rng, opts: ExecuteOptions): TaskContext {
  const name = task.module.name;
  const itemShard = opts.cache.shard(`task|${name}|${task.module.version}|${model.computeKey}`, model.sha256);
  // A split task on a shard computes item results from stand-in values: they must not be cached.
  const itemsOff = opts.shard !== undefined && (opts.shard.planOnly || (task.module.sharding ?? 'split') !== 'whole');
  const cache: ItemCache = itemsOff
    ? { get: () => undefined, put: () => undefined }
    : {
        get: (key) => {
          itemShard.refresh();
          const damaged = itemShard.takeDamaged();
          if (damaged > 0) meter.cacheRepaired = (meter.cacheRepaired ?? 0) + damaged;
          return itemShard.get(sha256(key));
        },
        put: (key, value) => {
          itemShard.putMany([{ key: sha256(key), value }]);
        },
      };
  return {
    model: model.metered(meter, opts.shard),
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
