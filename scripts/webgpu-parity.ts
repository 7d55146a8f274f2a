// The full WebGPU parity matrix of issue 17: every task on both example models at smoke tier, run with
// --ep cpu and with --ep webgpu (or --ep cuda: --gpu-ep cuda), compared per task and metric (largest
// per-item difference, aggregate difference, the CPU run's bootstrap half-width).
//
//   node --import tsx scripts/webgpu-parity.ts [--out parity.json] [--tasks a,b] [--gpu-ep webgpu|cuda]
//
// On Mesa's lavapipe (2 cores) this takes hours: the masked model's pseudo-perplexity alone is 4,342
// forward passes. CI runs the representative part (test/webgpu.parity.test.ts); this is for a GPU.
// The fp16-vs-fp32 matrix is scripts/fp16-parity.ts (same helpers).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import '../src/cli/extra-commands.js';
import { formatDiffs, runPair, type MetricDiff } from '../test/helpers/parity.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    tasks: { type: 'string' },
    'gpu-ep': { type: 'string', default: 'webgpu' },
    models: { type: 'string' },
  },
});
const models = values.models ? values.models.split(',') : ['models/plm-mlm-mini.onnx', 'models/plm-clm-mini.onnx'];
const tasks = values.tasks ? values.tasks.split(',') : ['perplexity', 'fitness', 'contacts', 'secondary-structure', 'fold', 'generation'];
const gpuEp = values['gpu-ep'];
const dir = mkdtempSync(join(tmpdir(), 'plmbench-parity-'));
const report: { model: string; task: string; seconds: Record<string, number>; diffs: MetricDiff[]; skipped?: string }[] = [];
for (const model of models) {
  for (const task of tasks) {
    const r = await runPair([task], { model, ep: 'cpu' }, { model, ep: gpuEp }, dir);
    const skipped = r.skipped[task];
    const seconds = { cpu: r.seconds[0], [gpuEp]: r.seconds[1] };
    report.push({ model, task, seconds, diffs: r.diffs, ...(skipped ? { skipped } : {}) });
    console.log(`${model} ${task}: ${skipped ?? `cpu ${r.seconds[0].toFixed(1)} s, ${gpuEp} ${r.seconds[1].toFixed(1)} s`}`);
    if (r.diffs.length) console.log(formatDiffs(r.diffs));
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify({ gpuEp, models, tasks, report }, null, 2) + '\n');
