import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheStore } from '../../cache/store.js';
import { resolveTasks } from '../../task/registry.js';
import { executeTasks } from '../../task/execute.js';
import { ShardSession, balance } from '../../model/shard-plan.js';
import type { CliIo } from '../io.js';
import { RUN_FLAGS, normalizeRunOptions, parseInteger, parseNumber } from '../options.js';
import { loadForCli } from '../model-loading.js';

export const PLAN_HELP = `bench plan --model x.onnx --shards N [run options] [--throughput TOKENS_PER_S] [--json]
                                            forward passes, tokens and time per task and per shard

  Walks every task as N shards of \`bench all --shard I/N\` would, without computing the passes (the
  values are stand-ins; two tiny real passes per output set learn the output shapes), and tallies the
  batches each shard would compute (tokens = batch size x padded length). Time is tokens over the
  throughput: --throughput, else measured here on a few batches of the model (logits only; attention
  tasks run slower). Generation's sampling is walked on uniform stand-in logits, so its passes are an
  estimate. The run options (--tier, --tasks, --data, --option, --max-tokens...) are bench all's.
`;

export async function planCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...RUN_FLAGS, shards: { type: 'string', default: '1' }, throughput: { type: 'string' } },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    io.stdout(PLAN_HELP);
    return 0;
  }
  const n = parseInteger('--shards', values.shards, 1);
  const given = values.throughput !== undefined ? parseNumber('--throughput', values.throughput) : null;
  const opts = normalizeRunOptions({
    ...(values as Record<string, string | boolean | string[] | undefined>),
    'no-cache': true,
    'cache-dir': undefined,
  });
  const tasks = await resolveTasks(opts.tasks, opts.tasksDirs);
  const cache = new CacheStore(null);
  const model = await loadForCli(resolve(io.cwd, opts.model), opts, cache, io, true);
  try {
    const session = new ShardSession({ index: -1, count: n }, true);
    await executeTasks(model, tasks, {
      tier: opts.tier,
      seed: opts.seed,
      cache,
      shard: session,
      refModel: null,
      options: opts.options,
      data: opts.data,
      artifacts: { add: () => undefined },
      progress: { phase: () => ({ tick: () => undefined, set: () => undefined, end: () => undefined }) },
      log: { info: () => undefined, warn: () => undefined },
      failFast: false,
    });
    const throughput = given ?? (await measureThroughput(model));
    const perShard = new Array<number>(n).fill(0);
    let mergeTokens = 0;
    const rows = Object.entries(session.tasks).map(([name, r]) => {
      r.perShard!.forEach((t, i) => (perShard[i]! += t));
      mergeTokens += r.mergeTokens!;
      return {
        task: name,
        mode: r.mode,
        passes: r.requests,
        batches: r.batches,
        tokens: r.tokens,
        seconds: r.tokens / throughput,
        perShard: r.perShard!,
        merge: r.mergeTokens!,
      };
    });
    const b = balance(perShard);
    const plan = {
      model: model.card.id,
      tier: opts.tier,
      shards: n,
      throughputTokensPerSecond: Math.round(throughput),
      throughputSource: given !== null ? '--throughput' : 'measured here (logits)',
      tasks: rows.map((r) => ({ ...r, seconds: Math.round(r.seconds) })),
      perShard: perShard.map((t, i) => ({ shard: i, tokens: t, seconds: Math.round(t / throughput) })),
      merge: { tokens: mergeTokens, seconds: Math.round(mergeTokens / throughput) },
      balance: { maxOverMean: b.ratio },
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
      return 0;
    }
    const mergeTasks = plan.tasks.filter((r) => r.mode === 'merge').map((r) => r.task);
    const lines = [
      `plan for ${plan.model}, tier ${plan.tier}, ${n} shard(s), ${plan.throughputTokensPerSecond} tokens/s (${plan.throughputSource})`,
      'task                 mode    passes   batches    tokens      est. time',
      ...plan.tasks.map(
        (r) =>
          `${r.task.padEnd(20)} ${r.mode.padEnd(7)} ${String(r.passes).padStart(7)} ${String(r.batches).padStart(9)} ${String(r.tokens).padStart(11)} ${fmt(r.seconds).padStart(12)}`,
      ),
      ...plan.perShard.map((s) => `shard ${s.shard}: ${s.tokens} tokens, ${fmt(s.seconds)}`),
      `merge: ${plan.merge.tokens} tokens of passes run at merge time (${fmt(plan.merge.seconds)}), plus fits and bootstraps`,
      // A merge-time task samples: how long its samples grow depends on the real outputs, which a plan does not compute.
      ...(mergeTasks.length
        ? [
            `  (${mergeTasks.join(', ')}: counted on stand-in outputs; the real count depends on what is sampled and may be several times larger)`,
          ]
        : []),
      `balance: max/mean tokens per shard ${plan.balance.maxOverMean}`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await model.release();
    cache.close();
  }
}

/** Tokens per second of logits passes of this model, on batches of the run's token budget. */
async function measureThroughput(model: Awaited<ReturnType<typeof loadForCli>>): Promise<number> {
  const L = Math.min(model.maxResidues, 256);
  const seq = 'ACDEFGHIKLMNPQRSTVWY'.repeat(Math.ceil(L / 20)).slice(0, L);
  const perBatch = Math.max(1, Math.floor(model.batchPolicy.maxTokens / (L + 2)));
  const requests = Array.from({ length: perBatch * 3 }, () => ({ tokens: model.encode(seq) }));
  const t0 = performance.now();
  await model.forward(requests, { outputs: ['logits'], reducer: 'plan.throughput', cache: false, reduce: () => new Float32Array(0) });
  const tokens = requests.reduce((s, r) => s + r.tokens.length, 0);
  return tokens / Math.max(1e-3, (performance.now() - t0) / 1000);
}

function fmt(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
