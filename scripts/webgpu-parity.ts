// The full WebGPU parity matrix of issue 17: every task on both example models at smoke tier, run with
// --ep cpu and with --ep webgpu (or --ep cuda: --gpu-ep cuda), compared per task and metric (largest
// per-item difference, aggregate difference, the CPU run's bootstrap half-width).
//
//   node --import tsx scripts/webgpu-parity.ts [--out parity.json] [--tasks a,b] [--gpu-ep webgpu|cuda]
//
// On Mesa's lavapipe (2 cores) this takes hours: the masked model's pseudo-perplexity alone is 4,342
// forward passes. CI runs the representative part (test/webgpu.parity.test.ts); this is for a GPU.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { diffRuns, formatDiffs, readRun, type MetricDiff } from '../test/helpers/parity.js';

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
    const seconds: Record<string, number> = {};
    const files: Record<string, string> = {};
    let skipped: string | undefined;
    for (const ep of ['cpu', gpuEp]) {
      const out = join(dir, `${model.replace(/\W/g, '_')}-${task}-${ep}.json`);
      const io = memoryIo();
      const t0 = performance.now();
      const code = await main(['run', task, '--model', model, '--tier', 'smoke', '--ep', ep, '--no-cache', '--quiet', '--out', out], io);
      seconds[ep] = (performance.now() - t0) / 1000;
      if (code !== 0) {
        skipped = `${ep}: exit ${code}: ${io.err.join('').trim().split('\n')[0]}`;
        break;
      }
      files[ep] = out;
      const st = readRun(out).tasks[task]?.status;
      if (st !== 'ok') skipped = `${ep}: task ${st}`;
    }
    const diffs = skipped ? [] : diffRuns(readRun(files['cpu']!), readRun(files[gpuEp]!));
    report.push({ model, task, seconds, diffs, ...(skipped ? { skipped } : {}) });
    console.log(`${model} ${task}: ${skipped ?? `cpu ${seconds['cpu']!.toFixed(1)} s, ${gpuEp} ${seconds[gpuEp]!.toFixed(1)} s`}`);
    if (diffs.length) console.log(formatDiffs(diffs));
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify({ gpuEp, models, tasks, report }, null, 2) + '\n');
