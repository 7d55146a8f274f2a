import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { assertWritable } from '../../util/fs.js';
import { CacheStore } from '../../cache/store.js';
import { LayeredCache } from '../../model/cache-layers.js';
import type { TaskRunResult } from '../../task/execute.js';
import { harnessInfo } from '../../report/harness.js';
import { checkPartials, hashDataPath, readPartial, shardBalance, type PartialRun } from '../../report/partial-run.js';
import type { CliIo } from '../io.js';
import type { RunOptions } from '../options.js';
import { runBench } from './run.js';

export const MERGE_HELP = `bench merge PARTIAL.json... --out run.json    join the shards of a sharded run

  Runs the shards' command once more over their caches (read, never written): every forward pass is
  found cached, and what needs all the data (probe and regression fits, bootstraps, matched compute,
  tasks run whole at merge time such as generation) is computed here. The run equals the
  single-process run of the same command apart from timestamps, timings and run id.
  Refuses (exit 2) shards that are missing, given twice, overlapping, or from different models, data,
  tiers, seeds, options or harness versions.

  --out PATH        the merged run JSON (required)
  --cache-dir DIR   the merge's own cache (default: in memory); the shards' caches are read from the
                    folders their partials name
  --json            also print the run JSON to stdout
  --quiet           no progress on stderr
`;

export async function mergeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'cache-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0)
    throw new BenchError('E_USAGE', 'bench merge: name the partial runs to merge (bench merge partial*.json --out run.json)');
  if (!values.out) throw new BenchError('E_USAGE', 'bench merge: --out: required (the merged run JSON)');
  const files = positionals;
  const partials = checkPartials(
    files,
    files.map((f) => readPartial(resolve(io.cwd, f))),
    harnessInfo(),
  );
  const first = partials[0]!;
  for (const [k, p] of partials.entries()) {
    if (!existsSync(p.shard.cacheDir) || !statSync(p.shard.cacheDir).isDirectory()) {
      throw new BenchError(
        'E_IO',
        `${files[k]}: cache folder ${p.shard.cacheDir} of shard ${p.shard.index}/${p.shard.count} not found (the merge reads the shards' caches; put them on a shared file system)`,
      );
    }
  }
  // The data must still be what the shards read.
  const opts = optionsOf(first, values.out, values.json, values.quiet);
  for (const [task, path] of Object.entries(opts.data)) {
    const abs = resolve(first.command.cwd, path);
    if (!existsSync(abs)) throw new BenchError('E_IO', `--data ${task}=${path}: not found (the shards read it from ${first.command.cwd})`);
    if ((await hashDataPath(abs)) !== first.data[task])
      throw new BenchError('E_DATA', `${abs}: changed since the shards read it (sha256 differs)`);
  }
  const out = resolve(io.cwd, values.out);
  assertWritable(out, '--out');
  const primary = new CacheStore(values['cache-dir'] ? resolve(io.cwd, values['cache-dir']) : null);
  const cache = new LayeredCache(
    primary,
    partials.map((p) => new CacheStore(p.shard.cacheDir)),
  );
  const t0 = performance.now();
  let computedHere = 0;
  const code = await runBench(
    { ...opts, out },
    { ...io, cwd: first.command.cwd },
    {},
    {
      cache,
      expectModelSha: first.model.sha256,
      adjust: (results) => {
        computedHere = addShardWork(results, partials);
      },
    },
  );
  if (!opts.quiet) {
    const b = shardBalance(partials);
    io.stderr(
      `bench: merged ${partials.length} shard(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s; tokens per shard ${b.tokens.join(', ')} (max/mean ${b.ratio})` +
        `${computedHere > 0 ? `; ${computedHere} forward passes computed at merge time (uncached or run-at-merge tasks)` : '; every forward pass came from the shards'}\n`,
    );
  }
  return code;
}

/** The shards' run options, as the merge runs them (their paths resolve from the shards' folder). */
function optionsOf(p: PartialRun, out: string, json: boolean, quiet: boolean): RunOptions {
  const o = p.command.options as unknown as Omit<RunOptions, 'out' | 'json' | 'quiet' | 'cacheDir'>;
  return { ...o, cacheDir: undefined, out, json, quiet };
}

/**
 * Costs as the single run records them: a split task's passes were computed by the shards (their
 * batches are the single run's batches), a whole task's by its owner; the merge adds what it computed
 * itself. Returns the passes the merge computed.
 */
export function addShardWork(results: Record<string, TaskRunResult>, partials: PartialRun[]): number {
  let here = 0;
  for (const [name, r] of Object.entries(results)) {
    if (r.status === 'skipped' || !r.cost) continue;
    const c = r.cost;
    const recs = partials.map((p) => p.work.tasks[name]).filter((x) => x !== undefined);
    const mode = recs[0]?.mode ?? 'merge';
    const mergeComputed = c.forwardPasses - c.cached;
    here += mergeComputed;
    if (mode === 'split') {
      const shardRequests = recs.reduce((s, x) => s + x.requests, 0);
      c.batches += recs.reduce((s, x) => s + x.batches, 0);
      c.paddedTokens += recs.reduce((s, x) => s + x.paddedTokens, 0);
      c.cached = c.forwardPasses - (shardRequests + mergeComputed);
      c.inferenceSeconds = round3(c.inferenceSeconds + recs.reduce((s, x) => s + x.inferenceSeconds, 0));
      c.seconds = round3(c.seconds + recs.reduce((s, x) => s + x.seconds, 0));
    } else if (mode === 'whole') {
      const owner = recs.find((x) => x.meter !== undefined);
      if (!owner?.meter) continue;
      const m = owner.meter;
      c.forwardPasses = m.forwardPasses;
      c.tokens = m.tokens;
      c.batches = m.batches + c.batches;
      c.paddedTokens = m.paddedTokens + c.paddedTokens;
      c.cached = m.cached;
      c.inferenceSeconds = round3(c.inferenceSeconds + m.inferenceSeconds);
      c.seconds = round3(c.seconds + owner.seconds);
    }
  }
  return here;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
