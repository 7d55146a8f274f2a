import { Rng } from '../util/rng.js';
import { pairedBootstrapMeanDiff } from '../metrics/index.js';
import type { RunResult } from '../task/run.js';
import type { BaselineSet } from '../task/types.js';
import { trainingCompute, type ComputeCard } from './compute.js';
import { interpolateAtCompute, interpolateItem } from './interpolate.js';
import { frontierPositions } from './laws.js';
import { registeredMismatch, type RegisteredRuns } from './registered.js';
import { registryModel } from './registry.js';
import { cardObjective, itemValues, okTasks, recordedDirection, type OkTask } from './runs.js';
import type {
  BaselineKind,
  BaselineModel,
  BaselineRegistry,
  Comparison,
  CurvePoint,
  DeltaInterval,
  Interpolated,
  MatchedComputeReport,
  Objective,
  Reference,
  ScalingLaws,
  Unavailable,
} from './types.js';

export const MATCHED_METHOD =
  'For each task metric and each baseline family with a training objective (ESM-2: masked, ProGen2: causal; the family of the model\'s objective is primary), ' +
  'the family\'s scores at their training compute C = 6 N D (results/baselines/models.json) are interpolated linearly in log10 C between the two nearest points at the model\'s C. ' +
  'No extrapolation: beyond the family\'s range the nearest point is used and the comparison is flagged clamped. ' +
  'Same-data scores (registered runs of baseline exports through this harness, or the task\'s own same-data baseline set) are preferred over published ones; ' +
  'the points of one comparison all come from one source, so same-data and published scores are never mixed. delta = model - baseline. ' +
  'A published baseline is a headline number on other data: its delta and interval are orientation only, with the verdict not-comparable.';

export const MATCHED_INTERVALS =
  'paired-bootstrap-items: same-data baselines with per-item values, when the metric is the mean of its per-item values: percentile bootstrap (1,000 resamples, seeded by the run seed) ' +
  'of the mean over items of (model item value - baseline item value interpolated with the same log10 C weight). ' +
  'model-ci-shifted: otherwise (published baselines carry no interval), the model metric\'s 95% bootstrap interval minus the baseline value, which treats the baseline as exact. ' +
  'none: the model metric has no interval (fewer than 2 items).';

export interface MatchedComputeOptions {
  registry: BaselineRegistry;
  laws: ScalingLaws;
  registered: RegisteredRuns;
  /** Direction of a metric the run does not record (e.g. from the task plugin's describe()). */
  direction?: (task: string, metric: string) => boolean | null;
  resamples?: number;
}

interface Candidate {
  kind: BaselineKind;
  origin: Comparison['origin'];
  source: string;
  description: string;
  points: CurvePoint[];
  order: number;
}

const ORIGIN_ORDER: Record<Comparison['origin'], number> = { registered: 0, task: 1, registry: 2 };

/** The matched-compute comparisons of one run (the run's `matchedCompute` and its leaderboard entry). */
export function matchedCompute(run: RunResult, opts: MatchedComputeOptions): MatchedComputeReport {
  const objective = cardObjective(run);
  const compute = trainingCompute(run.model.card as ComputeCard, run.model.paramsCounted.nonEmbedding);
  const { registry, laws, registered } = opts;
  const families = familyObjectives(registry, registered);
  const comparisons: Comparison[] = [];
  const references: Reference[] = [];
  const unavailable: Unavailable[] = [];
  const notes = new Set<string>();
  if (compute.paramsSource === 'counted') notes.add(`the card gives no params: N = ${compute.params} non-embedding parameters counted in the graph`);

  for (const [name, task] of okTasks(run)) {
    const skipRegistered = new Set<string>();
    for (const reg of registered.runs) {
      const why = registeredMismatch(reg, name, task, run);
      if (why && reg.tasks[name]) {
        notes.add(`${why}: not used as a same-data baseline for ${name}`);
        skipRegistered.add(reg.id);
      } else if (why) skipRegistered.add(reg.id);
    }
    for (const metric of Object.keys(task.metrics).sort()) {
      const mv = task.metrics[metric]!;
      if (typeof mv.value !== 'number' || !Number.isFinite(mv.value)) continue;
      const higherIsBetter = recordedDirection(task, metric) ?? opts.direction?.(name, metric) ?? null;
      references.push(...referencesFor(name, metric, task.baselines ?? [], registry));
      for (const [family, famObjective] of families) {
        if (compute.flops === null) {
          unavailable.push({ task: name, metric, family, reason: `model compute unknown: ${compute.reason}` });
          continue;
        }
        const chosen = choose(candidatesFor(name, metric, family, task, registry, registered, skipRegistered));
        if (!chosen) {
          unavailable.push({ task: name, metric, family, reason: `no same-data or published ${family} scores for ${name}.${metric}` });
          continue;
        }
        const points = distinctCompute(chosen.points, notes, family);
        const interp = interpolateAtCompute(points, compute.flops);
        const rng = new Rng(String(run.seed)).fork(`matched-compute|${name}|${metric}|${family}`);
        const model = { value: mv.value, ci95: finitePair(mv.ci95), n: mv.n };
        const iv = deltaInterval(task, metric, model, interp, chosen.kind, rng, opts.resamples ?? 1000);
        const delta = model.value - interp.value;
        comparisons.push({
          task: name,
          metric,
          higherIsBetter,
          family,
          primary: famObjective === objective,
          kind: chosen.kind,
          origin: chosen.origin,
          source: chosen.source,
          description: chosen.description,
          curve: [...points].sort((a, b) => a.flops - b.flops).map(bare),
          lower: bare(interp.lower),
          upper: bare(interp.upper),
          weight: interp.weight,
          clamped: interp.clamped,
          baseline: interp.value,
          model,
          delta,
          deltaCi95: iv.ci,
          interval: iv.interval,
          intervalNote: iv.note,
          verdict: chosen.kind === 'published' ? 'not-comparable' : verdict(iv.ci, higherIsBetter),
        });
      }
    }
  }
  return {
    version: 1,
    method: MATCHED_METHOD,
    intervals: MATCHED_INTERVALS,
    model: { objective, compute, frontier: frontierPositions(laws, compute, objective) },
    data: {
      registry: { file: registry.file, sha256: registry.sha256 },
      laws: { file: laws.file, sha256: laws.sha256 },
      registeredRuns: { file: registered.file, sha256: registered.sha256, count: registered.runs.length },
    },
    comparisons,
    references: dedupeReferences(references),
    unavailable,
    notes: [...notes].sort(),
  };
}

/** Families with a training objective: the registry's and those of registered runs, sorted by name. */
function familyObjectives(registry: BaselineRegistry, registered: RegisteredRuns): [string, Objective][] {
  const out = new Map<string, Objective>();
  for (const [name, f] of Object.entries(registry.families)) if (f.objective) out.set(name, f.objective);
  for (const r of registered.runs) if (!out.has(r.family)) out.set(r.family, r.objective);
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A registry model that may be a point of its family's compute curve: interpolated, with known compute. */
function onCurve(m: BaselineModel | undefined): m is BaselineModel & { trainFlops: { value: number } } {
  return m !== undefined && m.interpolate && m.trainFlops.value !== null;
}

/** Compute of a registry model that may be a point of `family`'s curve, or null. */
function curveCompute(registry: BaselineRegistry, id: string, family: string): number | null {
  const m = registryModel(registry, id);
  return onCurve(m) && m.family === family ? m.trainFlops.value : null;
}

function candidatesFor(
  task: string,
  metric: string,
  family: string,
  result: OkTask,
  registry: BaselineRegistry,
  registered: RegisteredRuns,
  skipRegistered: ReadonlySet<string>,
): Candidate[] {
  const out: Candidate[] = [];
  // Registered runs of baseline exports: same data by construction (checked by registeredMismatch).
  const regPoints: CurvePoint[] = [];
  for (const r of registered.runs) {
    if (r.family !== family || skipRegistered.has(r.id) || r.compute.flops === null) continue;
    const t = r.tasks[task]!;
    const v = t.metrics[metric]?.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const items: Record<string, number | null> = {};
    for (const [id, ms] of Object.entries(t.items)) items[id] = ms[metric] ?? ms[itemMetric(metric)] ?? null;
    regPoints.push({ id: r.id, flops: r.compute.flops, score: v, items });
  }
  if (regPoints.length > 0) {
    out.push({
      kind: 'same-data',
      origin: 'registered',
      source: `registered runs (${regPoints.map((p) => p.id).sort().join(', ')}) of baseline exports through plmbench`,
      description: `${family} exports run through this harness on the same items, task version and data`,
      points: regPoints,
      order: 0,
    });
  }
  // The task's own baseline sets.
  (result.baselines ?? []).forEach((set, i) => {
    const points: CurvePoint[] = [];
    for (const [id, scores] of Object.entries(set.scores)) {
      const flops = curveCompute(registry, id, family);
      const v = scores[metric];
      if (flops === null || typeof v !== 'number' || !Number.isFinite(v)) continue;
      const perItem = set.kind === 'same-data' ? set.items?.[id] : undefined;
      const items = perItem ? Object.fromEntries(Object.entries(perItem).map(([itemId, ms]) => [itemId, ms[metric] ?? ms[itemMetric(metric)] ?? null])) : undefined;
      points.push(items ? { id, flops, score: v, items } : { id, flops, score: v });
    }
    if (points.length > 0) out.push({ kind: set.kind, origin: 'task', source: set.source, description: set.description, points, order: 1 + i });
  });
  // Published scores in the registry that may stand in for this metric.
  const byBenchmark = new Map<string, Candidate>();
  for (const m of registry.models) {
    if (m.family !== family || !onCurve(m)) continue;
    for (const p of m.published) {
      if (!p.appliesTo.some((a) => a.task === task && a.metric === metric)) continue;
      let c = byBenchmark.get(p.benchmark);
      if (!c) {
        c = { kind: 'published', origin: 'registry', source: p.source, description: `${p.benchmark}: ${p.description} (different data from this run)`, points: [], order: 1000 + byBenchmark.size };
        byBenchmark.set(p.benchmark, c);
      }
      c.points.push({ id: m.id, flops: m.trainFlops.value, score: p.value });
    }
  }
  out.push(...byBenchmark.values());
  return out;
}

/** Same-data before published; then the most points; then registered runs, the task's sets in order, the registry. */
function choose(candidates: Candidate[]): Candidate | null {
  const sorted = [...candidates].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'same-data' ? -1 : 1;
    if (a.points.length !== b.points.length) return b.points.length - a.points.length;
    if (a.origin !== b.origin) return ORIGIN_ORDER[a.origin] - ORIGIN_ORDER[b.origin];
    return a.order - b.order;
  });
  return sorted[0] ?? null;
}

/** One point per compute value: the first id in sort order is kept, the others noted. */
function distinctCompute(points: CurvePoint[], notes: Set<string>, family: string): CurvePoint[] {
  const byFlops = new Map<number, CurvePoint>();
  for (const p of [...points].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const prev = byFlops.get(p.flops);
    if (prev) notes.add(`${family}: ${p.id} has the same compute as ${prev.id}; only ${prev.id} is a point of the curve`);
    else byFlops.set(p.flops, p);
  }
  return [...byFlops.values()];
}

function referencesFor(task: string, metric: string, sets: BaselineSet[], registry: BaselineRegistry): Reference[] {
  const out: Reference[] = [];
  const offCurve = (m: BaselineModel | undefined) => !onCurve(m) || !registry.families[m.family]?.objective;
  for (const set of sets) {
    for (const [id, scores] of Object.entries(set.scores)) {
      const v = scores[metric];
      if (typeof v === 'number' && Number.isFinite(v) && offCurve(registryModel(registry, id))) out.push({ task, metric, id, score: v, kind: set.kind, source: set.source });
    }
  }
  for (const m of registry.models) {
    if (!offCurve(m)) continue;
    for (const p of m.published) {
      if (p.appliesTo.some((a) => a.task === task && a.metric === metric)) out.push({ task, metric, id: m.id, score: p.value, kind: 'published', source: p.source });
    }
  }
  return out;
}

function dedupeReferences(refs: Reference[]): Reference[] {
  const seen = new Set<string>();
  const out: Reference[] = [];
  for (const r of refs) {
    const k = `${r.task}|${r.metric}|${r.id}|${r.kind}|${r.source}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}

function deltaInterval(
  task: OkTask,
  metric: string,
  model: { value: number; ci95: [number, number] | null; n: number },
  interp: Interpolated,
  kind: BaselineKind,
  rng: Rng,
  resamples: number,
): { ci: [number, number] | null; interval: DeltaInterval; note: string } {
  let why = '';
  if (kind === 'same-data') {
    const paired = pairedItems(task, metric, model.value, interp);
    if (typeof paired === 'string') why = ` (no item-level interval: ${paired})`;
    else {
      const r = pairedBootstrapMeanDiff(paired.baseline, paired.model, { rng, resamples });
      if (r.ci) {
        return {
          ci: r.ci,
          interval: 'paired-bootstrap-items',
          note: `paired percentile bootstrap over ${paired.model.length} items of (model - interpolated baseline), ${resamples} resamples`,
        };
      }
      why = ' (the paired bootstrap gave no interval)';
    }
  }
  const baseline = interp.value;
  const orientation = kind === 'published' ? '; published baseline on different data: the delta and interval are orientation only, not a comparison (verdict not-comparable)' : '';
  if (!model.ci95) return { ci: null, interval: 'none', note: `the model metric has no interval${why}${orientation}` };
  return {
    ci: [model.ci95[0] - baseline, model.ci95[1] - baseline],
    interval: 'model-ci-shifted',
    note: `the model metric's 95% interval minus the baseline value; the baseline is treated as exact${why}${orientation}`,
  };
}

/**
 * The per-item metric behind an aggregate: `spearman_mean` (the plain mean over items) is the mean of
 * the items' `spearman`. Whether the aggregate really is that mean is checked where it is used.
 */
function itemMetric(metric: string): string {
  return metric.endsWith('_mean') ? metric.slice(0, -'_mean'.length) : metric;
}

/** Per-item model and interpolated-baseline values, or why a paired comparison is not possible. */
function pairedItems(task: OkTask, metric: string, modelValue: number, interp: Interpolated): { model: number[]; baseline: number[] } | string {
  const lo = interp.lower.items;
  const hi = interp.upper.items;
  if (!lo || !hi) return 'the baseline scores have no per-item values';
  let values = itemValues(task, metric);
  if (values.size === 0) values = itemValues(task, itemMetric(metric));
  if (values.size < 2) return 'fewer than 2 items';
  const model: number[] = [];
  const baseline: number[] = [];
  for (const [id, v] of values) {
    const b = interpolateItem(interp, lo[id], hi[id]);
    if (b === null) return `the baseline has no value for item ${id}`;
    model.push(v);
    baseline.push(b);
  }
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  if (!close(mean(model), modelValue)) return `${metric} is not the mean of its per-item values`;
  if (!close(mean(baseline), interp.value)) return 'the baseline\'s per-item values do not average to its score on these items';
  return { model, baseline };
}

function verdict(ci: [number, number] | null, higherIsBetter: boolean | null): Comparison['verdict'] {
  if (!ci) return 'no-interval';
  if (higherIsBetter === null) return 'direction-unknown';
  const [lo, hi] = higherIsBetter ? ci : [-ci[1], -ci[0]];
  if (lo > 0) return 'better';
  if (hi < 0) return 'worse';
  return 'indistinguishable';
}

function finitePair(ci: unknown): [number, number] | null {
  if (!Array.isArray(ci) || ci.length !== 2) return null;
  const [a, b] = ci as unknown[];
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;
}

function bare(p: CurvePoint): { id: string; flops: number; score: number } {
  return { id: p.id, flops: p.flops, score: p.score };
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
