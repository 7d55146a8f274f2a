// The full WebGPU parity matrix of issue 17: every task on both example models at smoke tier, run with
// --ep cpu and with --ep webgpu (or --ep cuda: --gpu-ep cuda), compared per task and metric (largest
// per-item difference, aggregate difference, the CPU run's bootstrap half-width).
//
//   node --import tsx scripts/webgpu-parity.ts [--out parity.json] [--tasks a,b] [--gpu-ep webgpu|cuda]
//
// On Mesa's lavapipe (2 cores) this takes about 2 hours, 47 minutes of it the masked model's
// pseudo-perplexity (4,342 forward passes); results/perf/2026-12-0{2,3}-webgpu-parity.md hold its figures.
// CI runs the representative part (test/webgpu.parity.test.ts); this is for a GPU.
// The fp16-vs-fp32 matrix is scripts/fp16-parity.ts (same helpers).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import '../src/cli/extra-commands.js';
import { listTaskFolders } from '../src/task/registry.js';
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
// Every registered task by default, as in scripts/fp16-parity.ts (a fixed list here once lacked supervised-fitness).
const tasks = values.tasks ? values.tasks.split(',') : [...listTaskFolders().keys()].sort();
const gpuEp = values['gpu-ep'];
const dir = mkdtempSync(join(tmpdir(), 'plmbench-parity-'));
interface VariantScoreDiff {
  variants: number;
  maxAbsDiff: number;
  largestScore: number;
}
const report: {
  model: string;
  task: string;
  seconds: Record<string, number>;
  diffs: MetricDiff[];
  variantScores?: VariantScoreDiff;
  skipped?: string;
}[] = [];

/** Per-variant fitness scores of both runs (`--option fitness.scores=true`), matched by assay and mutant. */
function variantScoreDiff(runA: string, runB: string): VariantScoreDiff {
  const read = (run: string): Map<string, number> => {
    const rows = parse<Record<string, string>>(readFileSync(run.replace(/\.json$/, '.fitness-scores.csv')), { columns: true });
    return new Map(rows.map((r) => [`${r['DMS_id']} ${r['mutant']}`, Number(r['score'])]));
  };
  const a = read(runA);
  const b = read(runB);
  if (a.size !== b.size) throw new Error(`variant score files differ in length: ${a.size} vs ${b.size}`);
  let maxAbsDiff = 0;
  let largestScore = 0;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (y === undefined) throw new Error(`variant ${key} scored on one side only`);
    maxAbsDiff = Math.max(maxAbsDiff, Number.isFinite(x) && Number.isFinite(y) ? Math.abs(x - y) : Infinity);
    largestScore = Math.max(largestScore, Math.abs(x));
  }
  return { variants: a.size, maxAbsDiff, largestScore };
}

for (const model of models) {
  for (const task of tasks) {
    // Fitness metrics are ranks and thresholds, which hide small score differences; the scores themselves are compared too.
    const extra = task === 'fitness' ? ['--option', 'fitness.scores=true'] : [];
    const r = await runPair([task], { model, ep: 'cpu' }, { model, ep: gpuEp }, dir, extra);
    const skipped = r.skipped[task];
    const seconds = { cpu: r.seconds[0], [gpuEp]: r.seconds[1] };
    const variantScores = task === 'fitness' && !skipped ? variantScoreDiff(r.files[0], r.files[1]) : undefined;
    report.push({ model, task, seconds, diffs: r.diffs, ...(variantScores ? { variantScores } : {}), ...(skipped ? { skipped } : {}) });
    console.log(`${model} ${task}: ${skipped ?? `cpu ${r.seconds[0].toFixed(1)} s, ${gpuEp} ${r.seconds[1].toFixed(1)} s`}`);
    if (r.diffs.length) console.log(formatDiffs(r.diffs));
    if (variantScores)
      console.log(
        `  fitness              variant scores           items ${variantScores.variants}  max |d| ${variantScores.maxAbsDiff.toExponential(2)} (largest |score| ${variantScores.largestScore.toExponential(2)})`,
      );
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify({ gpuEp, models, tasks, report }, null, 2) + '\n');
