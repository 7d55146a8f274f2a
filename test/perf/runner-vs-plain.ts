import type * as Ort from 'onnxruntime-node';
import { Bench } from 'tinybench';
import { CacheStore } from '../../src/cache/store.js';
import { loadModel, type LoadedModel } from '../../src/model/model.js';
import { DEFAULT_BATCH_POLICY, planBatches, type BatchPolicy } from '../../src/model/runner.js';
import { logSoftmaxRow } from '../../src/model/logits.js';
import { loadOrt, type EpName } from '../../src/model/session.js';

export interface ThroughputResult {
  model: string;
  sequences: number;
  tokens: number;
  paddedTokens: number;
  batches: number;
  plainTokensPerSecond: number;
  runnerTokensPerSecond: number;
  /** Runner throughput / plain-loop throughput, measured in the same process, rounds interleaved. */
  ratio: number;
  threads: number;
  rounds: number;
  /** Provider both sides ran on (cpu unless asked otherwise). */
  ep: EpName;
  adapter?: string;
}

/**
 * The runner against the runtime's own limit: a plain loop of `session.run` over the very batches the
 * runner builds (padded before the clock starts, logits fetched), versus `model.forward` doing the same
 * passes with a reducer that reads one log-softmax row per sequence, cache off. Tinybench times each
 * side; the rounds alternate so that load on a shared machine hits both alike.
 */
export async function runnerVsPlain(
  path: string,
  sequences: string[],
  opts: { threads?: number; rounds?: number; policy?: Partial<BatchPolicy>; ep?: EpName } = {},
): Promise<ThroughputResult> {
  const policy = { ...DEFAULT_BATCH_POLICY, ...opts.policy };
  const model = await loadModel(path, {
    ep: opts.ep ?? 'cpu',
    cache: new CacheStore(null),
    batch: policy,
    ...(opts.threads ? { threads: opts.threads } : {}),
  });
  const ort = await loadOrt();
  try {
    const requests = sequences.map((s) => ({ tokens: model.encode(s.slice(0, model.maxResidues)) }));
    const lengths = requests.map((r) => r.tokens.length);
    const V = model.vocab.size;
    const batches = planBatches(
      lengths,
      lengths.map((_, i) => i),
      policy,
      (L) => L * V,
    );
    const feeds = batches.map((b) =>
      padBatch(
        ort,
        model,
        b.map((i) => requests[i]!.tokens),
      ),
    );
    const session = model.session;
    const tokens = lengths.reduce((a, b) => a + b, 0);
    const padded = batches.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i]!)), 0) - tokens;
    const rounds = opts.rounds ?? 3;
    const bench = new Bench({ iterations: 1, warmupIterations: 1, time: 0, warmupTime: 0 });
    const spec = {
      outputs: ['logits' as const],
      reducer: 'perf',
      cache: false,
      reduce: (o: { length: number; outputs: { logits?: { data: Float32Array; dims: number[] } } }) =>
        logSoftmaxRow(o.outputs.logits!, o.length - 1),
    };
    for (let r = 0; r < rounds; r++) {
      bench.add(`plain loop #${r}`, async () => {
        for (const f of feeds) await session.run(f, [model.io.outputs.logits!]);
      });
      bench.add(`runner #${r}`, async () => {
        await model.forward(requests, spec);
      });
    }
    await bench.run();
    const mean = (prefix: string) => {
      const ts = bench.tasks.filter((t) => t.name.startsWith(prefix)).map((t) => meanMs(t.result));
      return ts.reduce((a, b) => a + b, 0) / ts.length / 1000;
    };
    const plain = tokens / mean('plain loop');
    const runner = tokens / mean('runner');
    return {
      model: model.card.id,
      sequences: sequences.length,
      tokens,
      paddedTokens: padded,
      batches: batches.length,
      plainTokensPerSecond: Math.round(plain),
      runnerTokensPerSecond: Math.round(runner),
      ratio: Math.round((runner / plain) * 1000) / 1000,
      threads: opts.threads ?? 0,
      rounds,
      ep: model.ep,
      ...(model.adapter ? { adapter: model.adapter.name } : {}),
    };
  } finally {
    await model.release();
  }
}

function meanMs(result: unknown): number {
  const r = result as { latency?: { mean: number }; mean?: number } | undefined;
  const v = r?.latency?.mean ?? r?.mean;
  if (typeof v !== 'number') throw new Error('tinybench gave no timing');
  return v;
}

function padBatch(ort: typeof Ort, model: LoadedModel, seqs: Int32Array[]): Record<string, Ort.Tensor> {
  const B = seqs.length;
  const L = Math.max(...seqs.map((s) => s.length));
  const ids = new BigInt64Array(B * L).fill(BigInt(model.vocab.pad));
  const mask = new BigInt64Array(B * L);
  seqs.forEach((s, b) => {
    s.forEach((t, j) => {
      ids[b * L + j] = BigInt(t);
      mask[b * L + j] = 1n;
    });
  });
  const feeds: Record<string, Ort.Tensor> = { [model.io.inputIds]: new ort.Tensor('int64', ids, [B, L]) };
  if (model.io.attentionMask) feeds[model.io.attentionMask] = new ort.Tensor('int64', mask, [B, L]);
  return feeds;
}
