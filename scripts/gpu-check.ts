// The unattended GPU check of issue 17 (run by scripts/gpu-check.sh). For each model (both examples
// and an ESM-2 8M-shaped fixture with random weights), on every provider that starts here (cpu, and
// webgpu and cuda when present): tokens/s of the runner over the held-out perplexity sequences, and
// the largest difference of log-softmaxed logits against CPU. Writes one JSON.
//
//   node --import tsx scripts/gpu-check.ts --out FILE [--sequences N] [--budget-s S]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTransformer, transformerParams } from '../models/fixtures/transformer.js';
import { writeFixture } from '../models/fixtures/write.js';
import { readFasta } from '../src/bio/fasta.js';
import { CacheStore } from '../src/cache/store.js';
import { loadModel } from '../src/model/model.js';
import { listProviders, type EpName } from '../src/model/session.js';
import { packageRoot } from '../src/util/paths.js';
import { realRows } from '../test/helpers/parity.js';

const { values } = parseArgs({
  options: { out: { type: 'string' }, sequences: { type: 'string', default: '64' }, 'budget-s': { type: 'string', default: '400' } },
});
if (!values.out) throw new Error('--out FILE required');
const started = performance.now();
const budget = Number(values['budget-s']) * 1000;
const work = mkdtempSync(join(tmpdir(), 'plmbench-gpu-check-'));
const spec = { layout: 'mlm' as const, layers: 6, dim: 320, heads: 20, ffn: 1280, maxLength: 1026, seed: 'esm2-8m-shape' };
const p = transformerParams(spec);
const esm8m = writeFixture(work, 'esm2-8m-shape', buildTransformer(spec), {
  id: 'esm2-8m-shape',
  objective: 'mlm',
  vocab: 'esm',
  maxLength: 1026,
  params: p.nonEmbedding,
  paramsTotal: p.total,
  trainTokens: 1e6,
});
const models = [join(packageRoot, 'models/plm-mlm-mini.onnx'), join(packageRoot, 'models/plm-clm-mini.onnx'), esm8m];
const seqs = readFasta(join(packageRoot, 'tasks/perplexity/data/natural-heldout.fasta'))
  .map((r) => r.sequence)
  .slice(0, Number(values.sequences));
const providers = listProviders();
const eps: EpName[] = [
  'cpu',
  ...(['webgpu', 'cuda'] as const).filter(
    (e) => !providers.find((x) => x.ep === e)!.detail.startsWith('no ') && !/has no CUDA/.test(providers.find((x) => x.ep === e)!.detail),
  ),
];

const results: Record<string, unknown>[] = [];
for (const path of models) {
  let reference: Float32Array[] | null = null;
  for (const ep of eps) {
    if (performance.now() - started > budget) {
      results.push({ model: path, ep, skipped: 'time budget spent' });
      continue;
    }
    try {
      const model = await loadModel(path, { ep, cache: new CacheStore(null) });
      const reqs = seqs.map((s) => ({ tokens: model.encode(s.slice(0, model.maxResidues)) }));
      const spec = {
        outputs: ['logits' as const],
        reducer: 'gpu-check',
        cache: false,
        reduce: (o: { length: number; outputs: { logits?: { data: Float32Array; dims: number[] } } }) =>
          realRows('logits', o.outputs.logits!.data, o.outputs.logits!.dims, o.length),
      };
      await model.forward(reqs.slice(0, 4), spec); // warm-up: shader compilation, allocator
      const t0 = performance.now();
      const out = (await model.forward(reqs, spec)) as Float32Array[];
      const seconds = (performance.now() - t0) / 1000;
      const tokens = reqs.reduce((s, r) => s + r.tokens.length, 0);
      let maxDiff = 0;
      if (reference)
        for (let i = 0; i < out.length; i++)
          for (let j = 0; j < out[i]!.length; j++) maxDiff = Math.max(maxDiff, Math.abs(out[i]![j]! - reference[i]![j]!));
      if (ep === 'cpu') reference = out;
      // A GPU may pay for larger batches (issue 17 item 7): the same passes at 4x the default token budget.
      let bigBudget: { maxTokens: number; tokensPerSecond: number } | undefined;
      if (ep !== 'cpu' && performance.now() - started < budget) {
        const big = await loadModel(path, { ep, cache: new CacheStore(null), batch: { maxTokens: 4 * model.batchPolicy.maxTokens } });
        await big.forward(reqs.slice(0, 4), spec);
        const t1 = performance.now();
        await big.forward(reqs, spec);
        bigBudget = { maxTokens: big.batchPolicy.maxTokens, tokensPerSecond: Math.round(tokens / ((performance.now() - t1) / 1000)) };
        await big.release();
      }
      results.push({
        model: model.card.id,
        ep: model.ep,
        maxTokens: model.batchPolicy.maxTokens,
        ...(bigBudget ? { largerBudget: bigBudget } : {}),
        ...(model.adapter ? { adapter: model.adapter.name } : {}),
        precision: model.precision,
        sequences: reqs.length,
        tokens,
        seconds: Math.round(seconds * 1000) / 1000,
        tokensPerSecond: Math.round(tokens / seconds),
        ...(ep !== 'cpu' ? { maxLogSoftmaxDiffVsCpu: maxDiff } : {}),
      });
      await model.release();
    } catch (e) {
      results.push({ model: path, ep, error: (e as Error).message.split('\n')[0] });
    }
    console.error(JSON.stringify(results.at(-1)));
  }
}
writeFileSync(
  values.out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      providers,
      seconds: Math.round((performance.now() - started) / 1000),
      results,
    },
    null,
    2,
  ) + '\n',
);
console.error(`gpu-check: wrote ${values.out}`);
