// fp16 vs fp32 parity of issue 17: every task at smoke tier on both example models, the float32 file
// and its float16 variant (models/export/to_fp16.py), on the CPU provider; plus every output (log-softmax
// of the logits, hidden states, attentions) on real held-out sequences. Prints the largest differences
// and exits 1 when one exceeds its bound in results/perf/fp16-parity.json (.ci/fp16-parity.sh runs it).
//
//   node --import tsx scripts/fp16-parity.ts [--out measured.json] [--tasks a,b] [--models a.onnx,b.onnx]
//        [--bounds results/perf/fp16-parity.json] [--sequences 12] [--runs DIR] [--write-bounds FILE]
//
// Each model's float16 variant is <stem>.fp16.onnx beside it. --runs DIR compares runs made before
// (DIR/<stem>.fp32.json and DIR/<stem>.fp16.json, e.g. from `bench all --tier smoke --seed 7`) instead
// of running the tasks. --write-bounds FILE writes the measured figures and the bounds derived from them
// by the rule of deriveBounds (how results/perf/fp16-parity.json was made).
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
  type MetricDiff,
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
    'write-bounds': { type: 'string' },
  },
});
const models = values.models ? values.models.split(',') : ['models/plm-mlm-mini.onnx', 'models/plm-clm-mini.onnx'];
const tasks = values.tasks ? values.tasks.split(',') : [...listTaskFolders().keys()].sort();
const bounds = values['write-bounds'] ? null : (JSON.parse(readFileSync(values.bounds, 'utf8')) as { bounds: ParityBounds }).bounds;
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
  if (bounds) violations.push(...boundViolations(label, bounds, outputs, pair.diffs));
  // Not compared is acceptable only where the task declines the model on both sides (generation on a
  // masked model); a failed task or a side that did not run is a violation.
  for (const [t, why] of Object.entries(pair.skipped)) {
    const st = pair.files.map((f) => (f ? readRun(f).tasks[t]?.status : undefined));
    if (!(st[0] === 'skipped' && st[1] === 'skipped')) violations.push(`${label} ${t}: not compared (${why})`);
  }
  report.push({
    model,
    fp16,
    precision: [a.precision, b.precision],
    sequences: reqs.length,
    outputs,
    seconds: pair.seconds,
    skipped: pair.skipped,
    diffs: pair.diffs,
    items: smallestItems(pair.files[0]),
  });
}
const load1 = loadavg()[0]!;
if (values['write-bounds']) {
  const measured = report as {
    outputs: Record<string, { maxAbs: number; scale: number }>;
    diffs: MetricDiff[];
    items: Record<string, { smallest: number; count: number }>;
  }[];
  writeFileSync(
    values['write-bounds'],
    JSON.stringify(
      { rule: boundRule(), bounds: deriveBounds(measured), measured: { models, tasks, loadAverage: [load0, load1], report } },
      null,
      2,
    ) + '\n',
  );
  console.log(`fp16-parity: wrote ${values['write-bounds']}`);
}
if (values.out) writeFileSync(values.out, JSON.stringify({ models, tasks, loadAverage: [load0, load1], report }, null, 2) + '\n');
if (violations.length) {
  console.error(`fp16-parity: ${violations.length} difference(s) beyond the bounds of ${values.bounds}:\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
if (bounds)
  console.log(
    `fp16-parity: every difference within the bounds of ${values.bounds} (load average ${load0.toFixed(1)} -> ${load1.toFixed(1)})`,
  );

/** Per task, the smallest item's count of scored units (the `n` of each item) and the number of items. */
function smallestItems(file: string): Record<string, { smallest: number; count: number }> {
  if (!file) return {};
  const run = JSON.parse(readFileSync(file, 'utf8')) as { tasks: Record<string, { items?: { n?: number }[] }> };
  const out: Record<string, { smallest: number; count: number }> = {};
  for (const [t, task] of Object.entries(run.tasks)) {
    const ns = (task.items ?? []).map((i) => i.n).filter((n): n is number => typeof n === 'number' && n > 0);
    if (ns.length) out[t] = { smallest: Math.min(...ns), count: ns.length };
  }
  return out;
}

/** Metrics whose items count single discrete predictions (a contact, a fold, a residue's class, a top
 * variant): one flipped prediction moves an item by 1/n at once. */
function isDiscrete(task: string, metric: string): boolean {
  return (
    ['contacts', 'fold', 'secondary-structure'].includes(task) ||
    /^(mcc|top_recall)/.test(metric) ||
    (task === 'generation' && !/^(ppl_self|plddt_proxy|contact_confidence)/.test(metric))
  );
}

/** How deriveBounds turns measurements into bounds (stored with them). */
function boundRule(): string {
  return (
    'per output: 3 x the largest difference measured over both models (hidden states as a fraction of their largest |value|). ' +
    'Per task and metric, from the largest differences over both models (d_item, d_agg) and the smallest 95% CI half-width of the fp32 runs (h): ' +
    'continuous metrics: item and aggregate bounds max(3 d, 0.01 h); metrics counting discrete predictions (contacts, fold, secondary-structure, ' +
    'fitness mcc and top_recall, generation statistics of the sampled sequences): item bound max(3 d_item, 2 h, 1/n_min) (a few flipped predictions, at least one in the smallest item, ' +
    'n_min its count), aggregate bound max(3 d_agg, 0.5 h), or without an interval one unit (1 for a count, 1/items for a fraction). 3x: margin for other CPUs and kernels (an assumption: only ' +
    'this machine was measured); the h terms: a fraction of the sampling noise of the smoke tier, far below what changes a conclusion.'
  );
}

function deriveBounds(
  measured: {
    outputs: Record<string, { maxAbs: number; scale: number }>;
    diffs: MetricDiff[];
    items: Record<string, { smallest: number; count: number }>;
  }[],
): ParityBounds {
  const out = { logits: 0, hidden_states: 0, attentions: 0 };
  const tasks: ParityBounds['tasks'] = {};
  const acc = new Map<
    string,
    { item: number; items: number; agg: number; h: number; n: number; count: number; task: string; metric: string }
  >();
  for (const m of measured) {
    for (const [name, d] of Object.entries(m.outputs)) {
      const v = name === 'hidden_states' ? d.maxAbs / d.scale : d.maxAbs;
      out[name as keyof typeof out] = Math.max(out[name as keyof typeof out], 3 * v);
    }
    for (const d of m.diffs) {
      const key = `${d.task}\u0000${d.metric}`;
      const a = acc.get(key) ?? { item: 0, items: 0, agg: 0, h: Infinity, n: Infinity, count: 0, task: d.task, metric: d.metric };
      a.item = Math.max(a.item, d.maxItemDiff);
      a.items = Math.max(a.items, d.items);
      if (Number.isFinite(d.aggregateDiff)) a.agg = Math.max(a.agg, d.aggregateDiff);
      if (Number.isFinite(d.noise)) a.h = Math.min(a.h, d.noise);
      a.n = Math.min(a.n, m.items[d.task]?.smallest ?? Infinity);
      a.count = Math.max(a.count, m.items[d.task]?.count ?? 0);
      acc.set(key, a);
    }
  }
  const sig = (x: number) => Number(x.toPrecision(2));
  for (const a of acc.values()) {
    const h = Number.isFinite(a.h) ? a.h : 0;
    const discrete = isDiscrete(a.task, a.metric);
    const item = discrete ? Math.max(3 * a.item, 2 * h, Number.isFinite(a.n) ? 1 / a.n : 0) : Math.max(3 * a.item, 0.01 * h);
    const itemBound = a.items > 0 ? { item: sig(item) } : {}; // an aggregate-only metric has no item bound to check
    // Without an interval (generation's set statistics), one sampled sequence more or less in a count
    // or a fraction over the task's items.
    const unit = /^clusters_/.test(a.metric) ? 1 : 1 / Math.max(1, a.count);
    const aggregate = discrete ? Math.max(3 * a.agg, h > 0 ? 0.5 * h : unit) : Math.max(3 * a.agg, 0.01 * h);
    (tasks[a.task] ??= {})[a.metric] = { ...itemBound, aggregate: sig(aggregate) };
  }
  return { outputs: { logits: sig(out.logits), hidden_states: sig(out.hidden_states), attentions: sig(out.attentions) }, tasks };
}
