import type * as Ort from 'onnxruntime-node';
import { CacheStore } from '../../src/cache/store.js';
import { loadModel, type LoadedModel } from '../../src/model/model.js';
import { DEFAULT_BATCH_POLICY, newMeter, planBatches, type BatchPolicy } from '../../src/model/runner.js';
import { logSoftmaxRow } from '../../src/model/logits.js';
import { median } from '../../src/metrics/summary.js';
import { loadOrt, type EpName } from '../../src/model/session.js';

export interface ThroughputResult {
  model: string;
  sequences: number;
  tokens: number;
  paddedTokens: number;
  batches: number;
  plainTokensPerSecond: number;
  runnerTokensPerSecond: number;
  /**
   * Runner throughput / plain-loop throughput: the median over rounds of (plain time / runner time), each
   * round one pass of each side back to back, in alternating order. The median of paired ratios, because a
   * mean over whole passes swings by +-30% on a loaded 2-core machine while the pairs stay close.
   */
  ratio: number;
  /**
   * Every round's plain time / runner time. (The tokens/s figures above are each side's median pass, so
   * their quotient need not equal `ratio`, the median of the paired quotients.)
   */
  pairRatios: number[];
  /** Share of the runner's wall time spent outside session.run (padding, checks, reductions): its own cost. */
  runnerOverhead: number;
  threads: number;
  rounds: number;
  /** Provider both sides ran on (cpu unless asked otherwise). */
  ep: EpName;
  adapter?: string;
}

/**
 * The runner against the runtime's own limit: a plain loop of `session.run` over the very batches the
 * runner builds (padded before the clock starts, logits fetched), versus `model.forward` doing the same
 * passes with a reducer that reads one log-softmax row per sequence, cache off. Each round times one
 * pass of each side back to back (order alternating); the ratio is the median of the rounds' ratios.
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
    const spec = {
      outputs: ['logits' as const],
      reducer: 'perf',
      cache: false,
      reduce: (o: { length: number; outputs: { logits?: { data: Float32Array; dims: number[] } } }) =>
        logSoftmaxRow(o.outputs.logits!, o.length - 1),
    };
    const plainPass = async () => {
      for (const f of feeds) await session.run(f, [model.io.outputs.logits!]);
    };
    const meter = newMeter();
    const runnerPass = () => model.metered(meter).forward(requests, spec);
    // One untimed pass of each side: shader compilation (WebGPU) and allocator warm-up.
    await plainPass();
    await runnerPass();
    const plainMs: number[] = [];
    const runnerMs: number[] = [];
    let runnerInferenceMs = 0;
    for (let r = 0; r < rounds; r++) {
      // Pairs alternate which side goes first, so a slow stretch of a shared machine hits both alike.
      const sides = r % 2 === 0 ? (['plain', 'runner'] as const) : (['runner', 'plain'] as const);
      for (const side of sides) {
        const before = meter.inferenceSeconds;
        const t0 = performance.now();
        await (side === 'plain' ? plainPass() : runnerPass());
        const ms = performance.now() - t0;
        if (side === 'plain') plainMs.push(ms);
        else {
          runnerMs.push(ms);
          runnerInferenceMs += (meter.inferenceSeconds - before) * 1000;
        }
      }
    }
    const runnerTotalMs = runnerMs.reduce((a, b) => a + b, 0);
    const plain = tokens / (median(plainMs) / 1000);
    const runner = tokens / (median(runnerMs) / 1000);
    const pairRatios = plainMs.map((p, i) => p / runnerMs[i]!);
    return {
      model: model.card.id,
      sequences: sequences.length,
      tokens,
      paddedTokens: padded,
      batches: batches.length,
      plainTokensPerSecond: Math.round(plain),
      runnerTokensPerSecond: Math.round(runner),
      ratio: Math.round(median(pairRatios) * 1000) / 1000,
      pairRatios: pairRatios.map((x) => Math.round(x * 1000) / 1000),
      runnerOverhead: Math.round((1 - runnerInferenceMs / runnerTotalMs) * 10000) / 10000,
      threads: opts.threads ?? 0,
      rounds,
      ep: model.ep,
      ...(model.adapter ? { adapter: model.adapter.name } : {}),
    };
  } finally {
    await model.release();
  }
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
