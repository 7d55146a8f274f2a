import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { assertWritable, assertWritableDir, checkDataPath, setReadLimits, writeFileAtomic } from '../../util/fs.js';
import { sha256 } from '../../util/hash.js';
import { resolveTasks } from '../../task/registry.js';
import { executeTasks, type TaskRunResult } from '../../task/execute.js';
import { harnessInfo, machineInfo, onnxruntimeVersion } from '../../report/harness.js';
import { serializeRun, type RunResult } from '../../report/run-result.js';
import type { LoadedModel } from '../../model/model.js';
import { DEFAULT_BATCH_POLICY } from '../../model/runner.js';
import type { CliIo } from '../io.js';
import { RUN_FLAGS, assertCardCompute, normalizeRunOptions, parseNumber, type RunOptions } from '../options.js';
import { defaultCacheDir } from '../../cache/store.js';
import { DEFAULT_PROGRESS_INTERVAL_S, progressMode, stderrUi, type ProgressClock } from '../progress.js';
import { subjectFromRun } from '../../report/report-data.js';
import { runSummaryText } from '../../report/summary-text.js';
import { loadForCli, openCache, requireConformance } from '../model-loading.js';
import { formatMetric } from '../format.js';
import { loadMatchedComputeData, withDirections } from '../../report/matched-compute.js';
import { loadScalingLaws, matchedCompute } from '../../scaling/index.js';
import type { CacheLike } from '../../model/cache-layers.js';
import { ShardSession, parseShard, type ShardSpec } from '../../model/shard-plan.js';
import { hashDataPath, serializePartial, type PartialRun } from '../../report/partial-run.js';

export const RUN_HELP = `bench all --model x.onnx [options]        run every task
bench run <task>... --model x.onnx [options] run the named tasks

  --model PATH          exported model (.onnx); its card is x.card.json beside it, or --card
  --card PATH           model card JSON
  --objective mlm|clm, --vocab esm|progen2, --max-length N, --train-tokens N
                        card fields from flags (override the card's)
  --tasks a,b           run only these tasks
  --tier smoke|full     smoke: seeded stratified subsets for CI; full: all data (default)
  --ep auto|cuda|webgpu|cpu   execution provider (default auto: CUDA, then WebGPU, then CPU)
  --threads N           CPU intra-op threads (default: onnxruntime's choice)
  --max-tokens N        token budget of one batch (default ${DEFAULT_BATCH_POLICY.maxTokens})
  --max-batch N         sequences per batch at most (default ${DEFAULT_BATCH_POLICY.maxBatch})
  --out PATH            result JSON (default results/runs/<model-id>/<run-id>.json)
  --json                also print the result JSON to stdout
  --seed N              seed of subsets, bootstraps and sampling (default 0)
  --cache-dir DIR       forward-pass cache (default ~/.cache/plmbench); --no-cache disables it
  --data TASK=PATH      the user's data for a task instead of the bundled data (repeatable)
  --option TASK.KEY=VALUE   a task option (repeatable; see bench list)
  --tasks-dir DIR       more task plugins (repeatable)
  --follow-symlinks     accept data files that are symlinks resolving outside their data folder
  --max-input-mb N      cap on one data file's size after decompression (default 256)
  --max-record-kb N     cap on one line or CSV record of a data file (default 1024)
  --ref-model PATH      reference model for tasks that use one (generation); --ref-card PATH
  --law ID              scaling-law set for N/N_opt (results/baselines/scaling-laws.json; default
                        there; the card's scalingLaw otherwise)
  --fail-fast           stop at the first failed task
  --shard I/N           run shard I (0-based) of N: compute this shard's forward passes into
                        <cache-dir>/shard-I-of-N and write a partial run to --out; then
                        bench merge joins the N partials into the run (see README, Clusters)
  --quiet               no progress or summary on stderr
  --progress bar|lines|none   bars redrawn in place (default on a terminal), a plain line per running
                        phase every --progress-interval seconds (default elsewhere, e.g. CI), or none
  --progress-interval S seconds between progress lines (default ${DEFAULT_PROGRESS_INTERVAL_S})
`;

/** run/all flags: the shared run flags and the display ones (progress). */
const FLAGS = { ...RUN_FLAGS, progress: { type: 'string' }, 'progress-interval': { type: 'string' } } as const;

/** How the run shows on stderr; `clock` for tests. */
export interface RunDisplay {
  progress?: string;
  intervalSeconds?: number;
  clock?: ProgressClock;
}

export async function runCommand(argv: string[], io: CliIo, mode: 'all' | 'run'): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  if (values.help) {
    io.stdout(RUN_HELP);
    return 0;
  }
  if (mode === 'all' && positionals.length > 0)
    throw new BenchError('E_USAGE', `bench all: unexpected argument "${positionals[0]}" (use --tasks or bench run <task>...)`);
  if (mode === 'run' && positionals.length === 0 && !values.tasks)
    throw new BenchError('E_USAGE', 'bench run: name at least one task (bench list shows them)');
  const opts = normalizeRunOptions(values, mode === 'run' ? positionals : []);
  const display: RunDisplay = { progress: values.progress };
  if (values['progress-interval'] !== undefined) display.intervalSeconds = parseNumber('--progress-interval', values['progress-interval']);
  if (values.shard === undefined) return runBench(opts, io, display);
  const shard = parseShard(values.shard);
  if (!shard) throw new BenchError('E_USAGE', `--shard: must be I/N with 0 <= I < N, got "${values.shard}"`);
  if (opts.cacheDir === null)
    throw new BenchError('E_USAGE', '--shard and --no-cache conflict: a shard hands its forward passes to the merge through its cache');
  return runBench(opts, io, display, { shard });
}

/** What makes a run a shard of a sharded run, or the merge of one. */
export interface RunExtras {
  /** Run as this shard: fill its cache, write a partial run. */
  shard?: ShardSpec;
  /** The merge's cache (its own, over the shards' caches read-only), instead of --cache-dir's. */
  cache?: CacheLike;
  /** The merge refuses a model that is not the one the shards ran. */
  expectModelSha?: string;
  /** Called with the task results before the run is assembled (the merge adds the shards' work to costs). */
  adjust?: (results: Record<string, TaskRunResult>) => void;
}

/** The recorded form of the options that decide a run's results (a partial's `command.options`). */
export function resultOptions(opts: RunOptions): Record<string, unknown> {
  const dropped = new Set(['out', 'json', 'quiet', 'cacheDir']);
  const rest = Object.fromEntries(Object.entries(opts).filter(([k]) => !dropped.has(k)));
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** The whole run: tasks resolved, model loaded and checked, tasks executed, result validated and written. */
export async function runBench(opts: RunOptions, io: CliIo, display: RunDisplay = {}, extras: RunExtras = {}): Promise<number> {
  const mode = progressMode(display.progress, opts.quiet, io.isTTY);
  const started = new Date();
  const t0 = performance.now();
  const tasks = await resolveTasks(opts.tasks, opts.tasksDirs);
  const names = new Set(tasks.map((t) => t.module.name));
  for (const t of Object.keys(opts.data))
    if (!names.has(t)) throw new BenchError('E_USAGE', `--data ${t}=...: no such task in this run (${[...names].join(', ')})`);
  for (const t of Object.keys(opts.options))
    if (!names.has(t)) throw new BenchError('E_USAGE', `--option ${t}.*: no such task in this run (${[...names].join(', ')})`);
  for (const t of tasks) {
    // An unknown key would be recorded in the result and make it non-comparable with every other run.
    const known = (t.module.describe().options ?? []).map((o) => o.key);
    for (const k of Object.keys(opts.options[t.module.name] ?? {})) {
      if (!known.includes(k))
        throw new BenchError(
          'E_USAGE',
          `--option ${t.module.name}.${k}: unknown option (${t.module.name} takes: ${known.join(', ') || 'none'})`,
        );
    }
  }
  setReadLimits(opts.readLimits);
  for (const [t, p] of Object.entries(opts.data)) {
    if (!existsSync(resolve(io.cwd, p))) throw new BenchError('E_IO', `--data ${t}=${p}: not found`);
    checkDataPath(resolve(io.cwd, p), `--data ${t}=${p}`, opts.followSymlinks);
  }
  if (opts.out) assertWritable(resolve(io.cwd, opts.out), '--out');
  if (opts.cacheDir !== null) assertWritableDir(resolve(io.cwd, opts.cacheDir ?? defaultCacheDir()), '--cache-dir', false);
  const matchedData = loadMatchedComputeData(undefined, opts.law); // baseline registry, laws and registered runs: bad data fails before the run
  const ui = stderrUi(io, { mode, quiet: opts.quiet, intervalSeconds: display.intervalSeconds, clock: display.clock });
  const log = ui.log;
  const shard = extras.shard;
  const shardCacheDir = shard ? resolve(io.cwd, opts.cacheDir ?? defaultCacheDir(), `shard-${shard.index}-of-${shard.count}`) : null;
  const cache =
    extras.cache ??
    openCache(shardCacheDir ?? opts.cacheDir, (m) => {
      log.warn(m);
    });
  const model = await loadForCli(resolve(io.cwd, opts.model), opts, cache, io, opts.quiet);
  let refModel: LoadedModel | null = null;
  try {
    if (extras.expectModelSha && model.sha256 !== extras.expectModelSha) {
      throw new BenchError(
        'E_MODEL',
        `${opts.model}: sha256 ${model.sha256.slice(0, 16)}... is not the model the shards ran (${extras.expectModelSha.slice(0, 16)}...)`,
      );
    }
    if (opts.law === undefined && model.card.scalingLaw !== undefined) loadScalingLaws(model.card.scalingLaw, "the card's scalingLaw"); // an unknown id fails before the run
    assertCardCompute(model.card as unknown as Record<string, unknown>, `card ${model.cardFile ?? model.cardSource}`);
    const conformance = await requireConformance(model);
    if (opts.refModel) {
      // The reference model has its own card (--ref-card, else its sidecar or metadata): the main model's
      // --card and card flags describe the main model only.
      refModel = await loadForCli(resolve(io.cwd, opts.refModel), { ...opts, card: opts.refCard, cardFlags: {} }, cache, io, opts.quiet);
      await requireConformance(refModel);
    }
    const runId = `${started
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${sha256(`${model.sha256}|${opts.tier}|${opts.seed}|${[...names].join(',')}`).slice(0, 8)}`;
    const outPath = resolve(
      io.cwd,
      opts.out ?? join('results', 'runs', model.card.id, shard ? `${runId}.shard-${shard.index}-of-${shard.count}.json` : `${runId}.json`),
    );
    assertWritable(outPath, '--out');
    const warnings: string[] = [];
    const paramWarning = compareParams(model);
    if (paramWarning) {
      warnings.push(paramWarning);
      log.warn(paramWarning);
    }
    const artifacts: { name: string; content: string }[] = [];
    const session = shard ? new ShardSession(shard) : undefined;
    const results = await executeTasks(model, tasks, {
      tier: opts.tier,
      seed: opts.seed,
      cache,
      ...(session ? { shard: session } : {}),
      refModel,
      options: opts.options,
      data: opts.data,
      artifacts: { add: (name, content) => void artifacts.push({ name, content }) },
      progress: ui.progress,
      log,
      failFast: opts.failFast,
      onReady: () => {
        if (!opts.quiet)
          ui.print(
            `bench: ${model.card.id} (${model.card.objective}, ${model.ep}): ${tasks.length} task(s), tier ${opts.tier}, seed ${opts.seed}${shard ? `, shard ${shard.index}/${shard.count}` : ''}\n`,
          );
      },
      onTaskStart: (name) => {
        if (!opts.quiet && mode === 'bar') ui.print(`  ${name}: running\n`);
      },
      onTaskEnd: (name, r) => {
        if (!opts.quiet) ui.print(`  ${name}: ${session ? summarizeShard(session, name) : summarize(r)}\n`);
      },
    });
    if (session && shard && shardCacheDir) {
      const data: Record<string, string> = {};
      for (const [t, p] of Object.entries(opts.data)) data[t] = await hashDataPath(resolve(io.cwd, p));
      const partial: PartialRun = {
        kind: 'plmbench-partial-run',
        schemaVersion: 1,
        partial: true,
        runId,
        createdAt: started.toISOString(),
        harness: harnessInfo(),
        model: { path: opts.model, sha256: model.sha256, id: model.card.id, ep: model.ep },
        ...(refModel ? { refModel: { path: opts.refModel!, sha256: refModel.sha256 } } : {}),
        tier: opts.tier,
        seed: opts.seed,
        shard: { index: shard.index, count: shard.count, cacheDir: shardCacheDir },
        command: { cwd: io.cwd, options: resultOptions(opts) },
        data,
        work: { tasks: session.tasks, splitTokensPerShard: session.loads },
        timings: { startedAt: started.toISOString(), seconds: Math.round((performance.now() - t0) / 10) / 100 },
      };
      const text = serializePartial(partial);
      // A shard with nothing to compute (every batch dealt elsewhere, or only merge-time tasks) wrote no
      // cache entry; its folder must exist all the same, since the merge refuses a shard without one.
      mkdirSync(shardCacheDir, { recursive: true });
      writeFileAtomic(outPath, text);
      ui.close();
      if (!opts.quiet) io.stderr(`bench: wrote partial run ${outPath} (cache ${shardCacheDir})\n`);
      if (opts.json) io.stdout(text);
      return 0;
    }
    extras.adjust?.(results);
    const run: RunResult = {
      schemaVersion: 1,
      runId,
      createdAt: started.toISOString(),
      harness: harnessInfo(),
      model: {
        path: opts.model,
        sha256: model.sha256,
        card: model.card as unknown as Record<string, unknown>,
        cardSource: model.cardSource,
        paramsCounted: { total: model.params.total, nonEmbedding: model.params.nonEmbedding, embedding: model.params.embedding },
        ep: model.ep,
        ...(model.fallbacks.length > 0 ? { epFallbacks: model.fallbacks } : {}),
        ...(model.adapter ? { adapter: model.adapter.name } : {}),
        precision: model.precision,
        conformance: conformance.checks,
        ...(warnings.length > 0 ? { warnings } : {}),
      },
      ...(refModel ? { refModel: { path: opts.refModel!, sha256: refModel.sha256, id: refModel.card.id } } : {}),
      tier: opts.tier,
      seed: opts.seed,
      settings: {
        tasks: [...names],
        maxTokens: opts.maxTokens ?? DEFAULT_BATCH_POLICY.maxTokens,
        maxBatch: opts.maxBatch ?? DEFAULT_BATCH_POLICY.maxBatch,
        threads: opts.threads ?? 0,
        cache: opts.cacheDir === null ? 'off' : 'on',
        options: opts.options,
        data: opts.data,
      },
      machine: machineInfo(onnxruntimeVersion()),
      timings: { startedAt: started.toISOString(), seconds: Math.round((performance.now() - t0) / 10) / 100 },
      tasks: withDirections(results, tasks),
    };
    run.matchedCompute = matchedCompute(run, matchedData) as unknown as Record<string, unknown>;
    const text = serializeRun(run);
    // Artifacts first, the result last: a failed write (a full disk) leaves no result behind.
    for (const a of artifacts) writeFileAtomic(join(dirname(outPath), `${basename(outPath, '.json')}.${a.name}`), a.content);
    writeFileAtomic(outPath, text);
    ui.close();
    if (!opts.quiet) io.stderr(runSummaryText(subjectFromRun(run, outPath, null), outPath));
    if (opts.json) io.stdout(text);
    return Object.values(results).some((r) => r.status === 'failed' && r.code === 'E_INTERNAL') ? 3 : 0;
  } finally {
    ui.close();
    await model.release();
    if (refModel) await refModel.release();
    cache.close();
  }
}

/** A card whose parameter count disagrees with the graph's by more than 1% is worth a warning. */
export function compareParams(model: LoadedModel): string | null {
  const card = model.card;
  const pairs: [string, number | undefined, number][] = [
    ['params (non-embedding)', card.params, model.params.nonEmbedding],
    ['paramsTotal', card.paramsTotal, model.params.total],
  ];
  const off = pairs.filter(([, c, n]) => c !== undefined && Math.abs(c - n) > 0.01 * c);
  if (off.length === 0) return null;
  return `card and graph disagree on ${off.map(([k, c, n]) => `${k}: card ${c}, counted ${n}`).join('; ')} (the card's values are used for compute)`;
}

function summarizeShard(session: ShardSession, name: string): string {
  const r = session.tasks[name];
  if (!r) return 'skipped';
  if (r.mode === 'merge') return 'left to the merge';
  if (r.mode === 'whole' && r.owner !== session.spec.index) return `run whole by shard ${r.owner}`;
  return `${r.batches} batches, ${r.requests} passes, ${r.tokens} tokens${r.deferred ? `, ${r.deferred} uncached passes left to the merge` : ''}${r.note ? ` (stopped on stand-in values: ${r.note})` : ''}`;
}

function summarize(r: TaskRunResult): string {
  if (r.status === 'skipped') return `skipped (${r.reason})`;
  if (r.status === 'failed') return `FAILED [${r.code}] ${r.reason}`;
  const m = r.metrics[r.headline];
  return `${r.headline} = ${m ? formatMetric(m) : 'n/a'} (${r.cost.forwardPasses} passes, ${r.cost.cached} cached, ${r.cost.seconds}s)`;
}
