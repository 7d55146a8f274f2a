import { expect } from 'chai';
import { CacheStore } from '../src/cache/store.js';
import { loadModel } from '../src/model/model.js';
import { missingRuntimePiece, webgpuAdapter } from '../src/model/session.js';
import { checkConformance } from '../src/model/conformance.js';
import type { OutputName } from '../src/model/contract.js';
import { compareOutputs, formatDiffs, heldOutSequences, maxAbsDiff, outputsOf, readRun, runPair } from './helpers/parity.js';
import { tempDir } from './helpers/tmp.js';

/**
 * WebGPU vs CPU on the example models (issue 17). Opt-in with PLMBENCH_WEBGPU=1 (.ci/setup-webgpu.sh
 * sets it after installing Mesa's lavapipe): on a software Vulkan device the forward passes take
 * minutes. The full task matrix is scripts/webgpu-parity.ts; this is its representative part: every
 * output tasks read (logits, hidden states, attentions), through the runner with batching, padding
 * and many shapes, plus whole tasks run through the CLI on both providers.
 *
 * Tolerances (stated here, reported in the closing note): log-softmax of logits 1e-4 absolute;
 * hidden states 1e-4 of their largest magnitude; attention probabilities 1e-5 absolute; per-item
 * logits-derived task metrics (NLL, perplexity) 1e-4 relative; probe metrics within the CPU run's
 * 95% bootstrap half-width.
 */
const enabled = process.env['PLMBENCH_WEBGPU'] === '1';
const MODELS = ['models/plm-mlm-mini.onnx', 'models/plm-clm-mini.onnx'];

describe('WebGPU vs CPU parity on the example models (issue 17)', function () {
  this.timeout(900_000);
  before(function () {
    const why = !enabled
      ? 'PLMBENCH_WEBGPU=1 not set (.ci/setup-webgpu.sh sets it where it installed a Vulkan device)'
      : (missingRuntimePiece('webgpu') ?? (webgpuAdapter() ? null : 'no Vulkan driver found'));
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
  });

  for (const path of MODELS) {
    it(`${path}: every output through the runner, batched and one by one`, async () => {
      const cache = new CacheStore(null);
      const cpu = await loadModel(path, { ep: 'cpu', cache });
      const gpu = await loadModel(path, { ep: 'webgpu', cache });
      try {
        expect(gpu.ep).to.equal('webgpu');
        expect(gpu.adapter?.name).to.be.a('string');
        // 8 real sequences of different lengths (cut at 200 residues: lavapipe is slow on long
        // attention maps): several batch shapes, padding, and session reuse.
        const reqs = heldOutSequences(8).map((s) => ({ tokens: cpu.encode(s.slice(0, Math.min(200, cpu.maxResidues))) }));
        const lines: string[] = [];
        const rssBefore = process.memoryUsage().rss;
        for (const name of Object.keys(cpu.io.outputs) as OutputName[]) {
          for (const maxBatch of [256, 1]) {
            const a = await outputsOf(cpu, name, reqs, maxBatch);
            const b = await outputsOf(gpu, name, reqs, maxBatch);
            const { maxAbs, scale } = maxAbsDiff(a, b);
            lines.push(
              `    ${path} ${name} (maxBatch ${maxBatch}): max |webgpu - cpu| = ${maxAbs.toExponential(2)} (largest |value| ${scale.toExponential(2)})`,
            );
            const tol = name === 'logits' ? 1e-4 : name === 'hidden_states' ? 1e-4 * scale : 1e-5;
            expect(maxAbs, `${name} (maxBatch ${maxBatch})`).to.be.at.most(tol);
          }
        }
        // Memory growth over many batches: a second full pass over the same shapes must not grow RSS much.
        const rssMid = process.memoryUsage().rss;
        await outputsOf(gpu, 'logits', reqs, 1);
        await outputsOf(gpu, 'logits', reqs, 1);
        const growth = (process.memoryUsage().rss - rssMid) / 2 ** 20;
        lines.push(
          `    ${path} RSS ${((rssMid - rssBefore) / 2 ** 20).toFixed(0)} MiB over the comparisons, then ${growth.toFixed(0)} MiB over 16 more WebGPU batches (adapter ${gpu.adapter?.name})`,
        );
        console.log(lines.join('\n'));
        expect(growth, 'MiB of RSS growth over 16 repeated batches').to.be.below(256);
      } finally {
        await cpu.release();
        await gpu.release();
      }
    });
  }

  // [issue 17, Precision] The float16 causal example on WebGPU runs true float16 kernels (the CPU
  // provider computes most operators in float32, models/README.md): it passes the conformance check
  // under the float16 tolerances (conformanceTolerance; the float32 ones refused it: row sums 1.6e-3
  // off, padding 2.3e-3 relative) and stays near the CPU run of the same file. Bounds: 2.5x the
  // differences measured on lavapipe (results/perf/fp16-parity.md): log-softmax 7.9e-2, hidden states
  // 2.4e-3 of their largest |value|, attentions 2.2e-2.
  it('models/plm-clm-mini.fp16.onnx on WebGPU: conformance under the float16 tolerances, outputs near the CPU', async () => {
    const cache = new CacheStore(null);
    const path = 'models/plm-clm-mini.fp16.onnx';
    const gpu = await loadModel(path, { ep: 'webgpu', cache });
    const cpu = await loadModel(path, { ep: 'cpu', cache });
    try {
      expect(gpu.precision).to.equal('float16');
      const report = await checkConformance(gpu, Object.keys(gpu.io.outputs) as OutputName[]);
      console.log(report.checks.map((c) => `    [${c.ok ? 'ok' : 'FAIL'}] ${c.name}: ${c.detail}`).join('\n'));
      expect(report.ok).to.equal(true);
      const reqs = heldOutSequences(3).map((s) => ({ tokens: cpu.encode(s.slice(0, 100)) }));
      const d = await compareOutputs(cpu, gpu, reqs);
      console.log(`    ${path} webgpu vs cpu: ${JSON.stringify(d)}`);
      expect(d.logits!.maxAbs).to.be.at.most(0.2);
      expect(d.hidden_states!.maxAbs).to.be.at.most(6e-3 * d.hidden_states!.scale);
      expect(d.attentions!.maxAbs).to.be.at.most(0.055);
    } finally {
      await gpu.release();
      await cpu.release();
    }
  });

  // Whole tasks through the CLI, both providers, smoke tier: the logits-derived task on the causal
  // model (about 1 minute on lavapipe). The embedding probes take minutes more each on lavapipe
  // (secondary-structure 263 s), so they and the rest of the matrix are in scripts/webgpu-parity.ts;
  // PLMBENCH_WEBGPU_PROBES=1 adds secondary-structure here.
  const CLI_CASES: { model: string; task: string; probe: boolean }[] = [
    { model: 'models/plm-clm-mini.onnx', task: 'perplexity', probe: false },
    ...(process.env['PLMBENCH_WEBGPU_PROBES'] === '1'
      ? [{ model: 'models/plm-mlm-mini.onnx', task: 'secondary-structure', probe: true }]
      : []),
  ];
  for (const c of CLI_CASES) {
    it(`${c.task} on ${c.model}: --ep webgpu agrees with --ep cpu`, async () => {
      const pair = await runPair([c.task], { model: c.model, ep: 'cpu' }, { model: c.model, ep: 'webgpu' }, tempDir());
      expect(pair.skipped, JSON.stringify(pair.skipped)).to.deep.equal({});
      console.log(`    ${c.task}: cpu ${pair.seconds[0].toFixed(1)} s, webgpu ${pair.seconds[1].toFixed(1)} s`);
      const b = readRun(pair.files[1]);
      expect(b.model.ep).to.equal('webgpu');
      expect(b.model.adapter).to.be.a('string');
      const rows = pair.diffs;
      console.log(formatDiffs(rows));
      expect(rows.length).to.be.greaterThan(0);
      for (const r of rows) {
        if (c.probe) expect(r.aggregateDiff, `${r.task}.${r.metric}`).to.be.at.most(r.noise);
        else {
          expect(r.maxItemDiff, `${r.task}.${r.metric} per item`).to.be.at.most(1e-4 * Math.max(1, Math.abs(r.aggregate)));
          expect(r.aggregateDiff, `${r.task}.${r.metric}`).to.be.at.most(1e-4 * Math.max(1, Math.abs(r.aggregate)));
        }
      }
    });
  }
});
