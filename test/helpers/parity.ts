import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { OutputName } from '../../src/model/contract.js';
import { logSumExpRow } from '../../src/model/logits.js';
import { readFasta } from '../../src/bio/fasta.js';
import { packageRoot } from '../../src/util/paths.js';
import type { ModelHandle } from '../../src/model/model.js';
import type { ForwardRequest } from '../../src/model/runner.js';

/**
 * Largest differences between two runs of the same tasks (issue 17: WebGPU vs CPU, fp16 vs fp32), per
 * task and metric: over the per-item values and over the aggregate. `noise` is the aggregate's 95%
 * bootstrap half-width in the first run, the scale probe metrics are judged against.
 */
export interface MetricDiff {
  task: string;
  metric: string;
  items: number;
  maxItemDiff: number;
  aggregateDiff: number;
  aggregate: number;
  noise: number;
}

interface TaskLike {
  status: string;
  items?: { id: string; metrics: Record<string, number | null> }[];
  metrics?: Record<string, { value: number | null; ci95?: [number, number] | null }>;
}

export function readRun(path: string): { tasks: Record<string, TaskLike>; model: { ep: string; precision: string; adapter?: string } } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function diffRuns(a: { tasks: Record<string, TaskLike> }, b: { tasks: Record<string, TaskLike> }): MetricDiff[] {
  const out: MetricDiff[] = [];
  for (const [task, ta] of Object.entries(a.tasks)) {
    const tb = b.tasks[task];
    if (ta.status !== 'ok' || !tb || tb.status !== 'ok') continue;
    const itemsB = new Map((tb.items ?? []).map((i) => [i.id, i.metrics]));
    for (const [metric, agg] of Object.entries(ta.metrics ?? {})) {
      let maxItem = 0;
      let n = 0;
      for (const it of ta.items ?? []) {
        // An item on one side only (a generated sample whose id, a hash of its sequence, changed with one
        // flipped draw) has nothing to be compared with; the aggregates still compare the two sets.
        const rowB = itemsB.get(it.id);
        if (!rowB) continue;
        const x = it.metrics[metric];
        const y = rowB[metric];
        if (typeof x !== 'number' && typeof y !== 'number') continue;
        n++;
        // A value on one side only (null or NaN on the other: an overflow) is an infinite difference.
        maxItem = typeof x === 'number' && typeof y === 'number' ? Math.max(maxItem, Math.abs(x - y)) : Infinity;
      }
      const bValue = tb.metrics?.[metric]?.value ?? null;
      const aValue = agg.value ?? null;
      // NaN only where the metric is undefined on both sides; on one side only, an infinite difference.
      const aggDiff = aValue !== null && bValue !== null ? Math.abs(aValue - bValue) : aValue === bValue ? NaN : Infinity;
      const noise = agg.ci95 ? (agg.ci95[1] - agg.ci95[0]) / 2 : NaN;
      out.push({ task, metric, items: n, maxItemDiff: maxItem, aggregateDiff: aggDiff, aggregate: agg.value ?? NaN, noise });
    }
  }
  return out;
}

export function formatDiffs(rows: MetricDiff[]): string {
  const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : '-');
  return rows
    .map(
      (r) =>
        `  ${r.task.padEnd(20)} ${r.metric.padEnd(24)} items ${String(r.items).padStart(4)}  max item |d| ${sci(r.maxItemDiff)}  aggregate |d| ${sci(r.aggregateDiff)} (value ${sci(r.aggregate)}, CI half-width ${sci(r.noise)})`,
    )
    .join('\n');
}

/** One side of a comparison: a model file run on a provider. */
export interface RunSide {
  model: string;
  ep: string;
}

export interface PairResult {
  tasks: string[];
  seconds: [number, number];
  files: [string, string];
  diffs: MetricDiff[];
  /** Tasks not ok on one side, with why (the exit status's first line, or the task's status). */
  skipped: Record<string, string>;
}

/**
 * Runs `bench run <tasks> --tier smoke` on both sides (no cache, quiet) into `dir` and compares the
 * two runs task by task and metric by metric. A side that exits non-zero makes every task skipped.
 */
export async function runPair(tasks: string[], a: RunSide, b: RunSide, dir: string, extra: string[] = []): Promise<PairResult> {
  const files: string[] = [];
  const seconds: number[] = [];
  const skipped: Record<string, string> = {};
  for (const [k, side] of [a, b].entries()) {
    const out = join(dir, `${side.model.replace(/\W/g, '_')}-${tasks.join('+')}-${side.ep}-${k}.json`);
    const io = memoryIo();
    const t0 = performance.now();
    const args = [
      'run',
      ...tasks,
      '--model',
      side.model,
      '--tier',
      'smoke',
      '--ep',
      side.ep,
      '--no-cache',
      '--quiet',
      '--out',
      out,
      ...extra,
    ];
    const code = await main(args, io);
    seconds.push((performance.now() - t0) / 1000);
    if (code !== 0) {
      for (const t of tasks) skipped[t] = `${side.ep} ${side.model}: exit ${code}: ${io.err.join('').trim().split('\n')[0] ?? ''}`;
      return { tasks, seconds: [seconds[0]!, seconds[1] ?? 0], files: [files[0] ?? '', ''], diffs: [], skipped };
    }
    files.push(out);
    for (const t of tasks) {
      const st = readRun(out).tasks[t]?.status;
      if (st !== 'ok') skipped[t] ??= `${side.ep} ${side.model}: task ${st ?? 'absent'}`;
    }
  }
  const diffs = diffRuns(readRun(files[0]!), readRun(files[1]!));
  return { tasks, seconds: [seconds[0]!, seconds[1]!], files: [files[0]!, files[1]!], diffs, skipped };
}

/** The first n sequences of the perplexity task's held-out FASTA (real proteins, 50-500 residues). */
export function heldOutSequences(n: number): string[] {
  return readFasta(join(packageRoot, 'tasks/perplexity/data/natural-heldout.fasta'))
    .map((r) => r.sequence)
    .slice(0, n);
}

/** Real rows of each output, log-softmaxed for logits, flattened. */
export function realRows(name: OutputName, data: Float32Array, dims: number[], length: number): Float32Array {
  if (name === 'logits') {
    const V = dims[dims.length - 1]!;
    const out = new Float32Array(length * V);
    for (let t = 0; t < length; t++) {
      const lse = logSumExpRow({ data, dims }, t);
      for (let v = 0; v < V; v++) out[t * V + v] = data[t * V + v]! - lse;
    }
    return out;
  }
  if (name === 'hidden_states') return data.slice(0, length * dims[dims.length - 1]!);
  // attentions [layers, heads, Lpad, Lpad]: the real length x length block of every map
  const Lp = dims[dims.length - 1]!;
  const maps = data.length / (Lp * Lp);
  const out = new Float32Array(maps * length * length);
  for (let m = 0; m < maps; m++)
    for (let i = 0; i < length; i++) out.set(data.subarray(m * Lp * Lp + i * Lp, m * Lp * Lp + i * Lp + length), (m * length + i) * length);
  return out;
}

/** One output's real rows (realRows) for each request, through the runner, uncached. */
export async function outputsOf(model: ModelHandle, name: OutputName, reqs: ForwardRequest[], maxBatch: number): Promise<Float32Array[]> {
  const res = await model.forward(reqs, {
    outputs: [name],
    reducer: `parity.${name}.v1`,
    cache: false,
    batch: { maxBatch },
    reduce: (o) => realRows(name, o.outputs[name]!.data, o.outputs[name]!.dims, o.length),
  });
  return res as Float32Array[];
}

/** Largest |a - b| over paired arrays, and the largest |a| (the scale a relative bound is taken against). */
export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): { maxAbs: number; scale: number } {
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (b[i]!.length !== a[i]!.length) throw new Error(`sequence ${i}: ${a[i]!.length} values vs ${b[i]!.length}`);
    for (let j = 0; j < a[i]!.length; j++) {
      const d = Math.abs(a[i]![j]! - b[i]![j]!);
      maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
      scale = Math.max(scale, Math.abs(a[i]![j]!));
    }
  }
  return { maxAbs, scale };
}

/** Largest |a - b| of every output the two models share, on the same requests (realRows of each). */
export async function compareOutputs(
  a: ModelHandle,
  b: ModelHandle,
  reqs: ForwardRequest[],
  maxBatch = 256,
): Promise<Partial<Record<OutputName, { maxAbs: number; scale: number }>>> {
  const out: Partial<Record<OutputName, { maxAbs: number; scale: number }>> = {};
  for (const name of Object.keys(a.io.outputs) as OutputName[]) {
    if (!(name in b.io.outputs)) continue;
    out[name] = maxAbsDiff(await outputsOf(a, name, reqs, maxBatch), await outputsOf(b, name, reqs, maxBatch));
  }
  return out;
}

/**
 * Bounds of a comparison of two runs (results/perf/fp16-parity.json): per output, the largest |d| of
 * log-softmax(logits) and attention probabilities, and of hidden states as a fraction of their largest
 * |value|; per task and metric, the largest per-item and aggregate |d|.
 */
export interface ParityBounds {
  outputs: { logits: number; hidden_states: number; attentions: number };
  /** `item` is absent for metrics that exist only in aggregate (e.g. fitness's `*_mean`). */
  tasks: Record<string, Record<string, { item?: number; aggregate: number }>>;
}

/** Every difference beyond its bound, as one line each; a metric without a bound is one too. */
export function boundViolations(
  label: string,
  bounds: ParityBounds,
  outputs: Partial<Record<OutputName, { maxAbs: number; scale: number }>>,
  diffs: MetricDiff[],
): string[] {
  const bad: string[] = [];
  for (const [name, d] of Object.entries(outputs)) {
    const bound = bounds.outputs[name as keyof ParityBounds['outputs']] as number | undefined;
    if (bound === undefined) continue;
    const value = name === 'hidden_states' ? d.maxAbs / Math.max(d.scale, 1e-30) : d.maxAbs;
    if (!(value <= bound)) bad.push(`${label} ${name}: ${value.toExponential(2)} exceeds ${bound.toExponential(2)}`);
  }
  for (const r of diffs) {
    const b = bounds.tasks[r.task]?.[r.metric];
    if (!b) {
      bad.push(`${label} ${r.task}.${r.metric}: no bound in the bounds file`);
      continue;
    }
    if (b.item === undefined ? r.items > 0 : !(r.maxItemDiff <= b.item))
      bad.push(
        `${label} ${r.task}.${r.metric}: max item |d| ${r.maxItemDiff.toExponential(2)} exceeds ${b.item ?? 'its bound (none: no items measured)'}`,
      );
    if (!(Number.isNaN(r.aggregateDiff) || r.aggregateDiff <= b.aggregate))
      bad.push(`${label} ${r.task}.${r.metric}: aggregate |d| ${r.aggregateDiff.toExponential(2)} exceeds ${b.aggregate}`);
  }
  return bad;
}
