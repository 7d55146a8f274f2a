import { readFileSync } from 'node:fs';

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
        const x = it.metrics[metric];
        const y = itemsB.get(it.id)?.[metric];
        if (typeof x !== 'number' || typeof y !== 'number') continue;
        n++;
        maxItem = Math.max(maxItem, Math.abs(x - y));
      }
      const bAgg = tb.metrics?.[metric];
      const aggDiff = agg.value !== null && bAgg && bAgg.value !== null ? Math.abs(agg.value - bAgg.value) : NaN;
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
