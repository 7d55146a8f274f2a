// fp16 vs fp32 parity of issue 17: every task at smoke tier on both example models, the float32 file
// and its float16 variant (models/export/to_fp16.py), on the CPU provider; plus every output (log-softmax
// of the logits, hidden states, attentions) on real held-out sequences. Prints the largest differences
// and exits 1 when one exceeds its bound in results/perf/fp16-parity.json (.ci/fp16-parity.sh runs it).
//
//   node --import tsx scripts/fp16-parity.ts [--out measured.json] [--tasks a,b] [--models a.onnx,b.onnx]
//        [--bounds results/perf/fp16-parity.json] [--sequences 12] [--runs DIR]
//
// Each model's float16 variant is <stem>.fp16.onnx beside it. --runs DIR compares runs made before
// (DIR/<stem>.fp32.json and DIR/<stem>.fp16.json, e.g. from `bench all --tier smoke --seed 7`) instead
// of running the tasks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import '../src/cli/extra-commands.js';
import { CacheStore } from '../src/cache/store.js';
import { loadModel } from '../src/model/model.js';
import { listTaskFolders } from '../src/task/registry.js';
import {
  boundViolations,
  compareOutputs,
  diffRuns,
  formatDiffs,
  heldOutSequences,
  readRun,
  runPair,
  type PairResult,
  type ParityBounds,
} from '../test/helpers/parity.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    tasks: { type: 'string' },
    models: { type: 'string' },
    bounds: { type: 'string', default: 'results/perf/fp16-parity.json' },
    sequences: { type: 'string', default: '12' },
    runs: { type: 'string' },
  },
});
const models = values.models ? values.models.split(',') : ['models/plm-mlm-mini.onnx', 'models/plm-clm-mini.onnx'];
const tasks = values.tasks ? values.tasks.split(',') : [...listTaskFolders().keys()].sort();
const bounds = (JSON.parse(readFileSync(values.bounds, 'utf8')) as { bounds: ParityBounds }).bounds;
const dir = mkdtempSync(join(tmpdir(), 'plmbench-fp16-parity-'));
const load0 = loadavg()[0]!;
const report: unknown[] = [];
const violations: string[] = [];
for (const model of models) {
  const fp16 = model.replace(/\.onnx$/, '.fp16.onnx');
  const cache = new CacheStore(null);
  const a = await loadModel(model, { ep: 'cpu', cache });
  const b = await loadModel(fp16, { ep: 'cpu', cache });
  const reqs = heldOutSequences(Number(values.sequences)).map((s) => ({ tokens: a.encode(s.slice(0, a.maxResidues)) }));
  const t0 = performance.now();
  const outputs = await compareOutputs(a, b, reqs);
  const outputSeconds = (performance.now() - t0) / 1000;
  await a.release();
  await b.release();
  console.log(
    `${model} vs ${fp16}: precision ${a.precision} vs ${b.precision}; every output on ${reqs.length} held-out sequences (${outputSeconds.toFixed(1)} s)`,
  );
  for (const [name, d] of Object.entries(outputs))
    console.log(`  ${name.padEnd(20)} max |fp16 - fp32| ${d.maxAbs.toExponential(2)} (largest |fp32 value| ${d.scale.toExponential(2)})`);
  const stem = model.replace(/^.*\//, '').replace(/\.onnx$/, '');
  const pair = values.runs
    ? ((files: [string, string]): PairResult => ({
        tasks,
        seconds: [0, 0],
        files,
        diffs: diffRuns(readRun(files[0]), readRun(files[1])),
        skipped: Object.fromEntries(
          tasks.flatMap((t) => {
            const st = [readRun(files[0]).tasks[t]?.status, readRun(files[1]).tasks[t]?.status];
            return st.every((x) => x === 'ok') ? [] : [[t, `task ${st.join(' / ')}`]];
          }),
        ),
      }))([join(values.runs, `${stem}.fp32.json`), join(values.runs, `${stem}.fp16.json`)])
    : await runPair(tasks, { model, ep: 'cpu' }, { model: fp16, ep: 'cpu' }, dir, ['--seed', '7']);
  console.log(`  tasks at smoke tier, seed 7: fp32 ${pair.seconds[0].toFixed(0)} s, fp16 ${pair.seconds[1].toFixed(0)} s`);
  for (const [t, why] of Object.entries(pair.skipped)) console.log(`  ${t}: not compared (${why})`);
  console.log(formatDiffs(pair.diffs));
  const label = model.replace(/^.*\//, '');
  violations.push(...boundViolations(label, bounds, outputs, pair.diffs));
  report.push({
    model,
    fp16,
    precision: [a.precision, b.precision],
    sequences: reqs.length,
    outputs,
    seconds: pair.seconds,
    skipped: pair.skipped,
    diffs: pair.diffs,
  });
}
const load1 = loadavg()[0]!;
if (values.out) writeFileSync(values.out, JSON.stringify({ models, tasks, loadAverage: [load0, load1], report }, null, 2) + '\n');
if (violations.length) {
  console.error(`fp16-parity: ${violations.length} difference(s) beyond the bounds of ${values.bounds}:\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `fp16-parity: every difference within the bounds of ${values.bounds} (load average ${load0.toFixed(1)} -> ${load1.toFixed(1)})`,
);
