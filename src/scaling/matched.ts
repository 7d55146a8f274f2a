import { BenchError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { pairedBootstrapMeanDiff } from '../metrics/index.js';
import type { RunResult } from '../task/run.js';
import type { BaselineSet } from '../task/types.js';
import { trainingCompute, type ComputeCard } from './compute.js';
import { interpolateAtCompute, interpolateItem } from './interpolate.js';
import { frontierPositions, lawSpread, loadLawSets, sci } from './laws.js';
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
  FamilyRange,
  Interpolated,
  LawSets,
  MatchedComputeReport,
  ModelCompute,
  Objective,
  Reference,
  ScalingLaws,
  Unavailable,
  Verdict,
} from './types.js';

export const MATCHED_METHOD =
  "For each task metric and each baseline family with a training objective (ESM-2: masked, ProGen2: causal; the family of the model's objective is primary), " +
  "the family's scores at their training compute C = 6 N D (results/baselines/models.json) are interpolated linearly in log10 C between the two nearest points at the model's C. " +
  "A verdict only where compute is matched (this rule comes first): when the model's C is outside the family's compute range (its lowest to its highest point; no tolerance, because the curves are not flat over a fraction of a decade) the verdict is out-of-range, with the gap in decades, and the nearest point's score is shown for orientation only. " +
  "A verdict that changes anywhere inside the compute intervals (the model card's trainFlopsRange; the registry's trainFlops.range of a baseline, all points at their low or all at their high end) is uncertain. " +
  "A baseline set scored with another protocol than this run (BaselineSet.protocol.same false) gives protocol-differs; a smoke-tier run gives not-comparable against the task's and the registry's numbers (full-assay values on other items). " +
  "Same-data scores (registered runs of baseline exports through this harness, or the task's own same-data baseline set) are preferred over published ones; " +
  'the points of one comparison all come from one source, so same-data and published scores are never mixed. delta = model - baseline. ' +
  'A published baseline is a headline number on other data: its delta and interval are orientation only, with the verdict not-comparable.';

export const MATCHED_INTERVALS =
  'paired-bootstrap-items: same-data baselines with per-item values, when the metric is the mean of its per-item values: percentile bootstrap (1,000 resamples, seeded by the run seed) ' +
  'of the mean over items of (model item value - baseline item value interpolated with the same log10 C weight). ' +
  "model-ci-shifted: otherwise (published baselines carry no interval), the model metric's 95% bootstrap interval minus the baseline value, which treats the baseline as exact. " +
  'none: the model metric has no interval (fewer than 2 items).';

export interface MatchedComputeOptions {
  registry: BaselineRegistry;
  /** The law set used when neither `law` nor the card's `scalingLaw` names one. */
  laws: ScalingLaws;
  /** Every law set, for the spread of N/N_opt and for `law` / the card's scalingLaw (default: results/baselines/scaling-laws.json). */
  lawSets?: LawSets;
  /** Law set id from --law: overrides the card's scalingLaw. */
  law?: string;
  registered: RegisteredRuns;
  /** Direction of a metric the run does not record (e.g. from the task plugin's describe()). */
  direction?: (task: string, metric: string) => boolean | null;
  resamples?: number;
}

interface Candidate {
  protocol?: { baseline: string; run: string; same: boolean };
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
  const card = run.model.card as ComputeCard & { scalingLaw?: string };
  const compute = trainingCompute(card, run.model.paramsCounted.nonEmbedding);
  const { registry, registered } = opts;
  const lawSets = opts.lawSets ?? loadLawSets();
  const laws = selectLaws(lawSets, opts.laws, opts.law ?? card.scalingLaw, opts.law !== undefined ? '--law' : "the card's scalingLaw");
  const families = familyObjectives(registry, registered);
  const comparisons: Comparison[] = [];
  const references: Reference[] = [];
  const unavailable: Unavailable[] = [];
  const notes = new Set<string>();
  if (compute.paramsSource === 'counted')
    notes.add(`the card gives no params: N = ${compute.params} non-embedding parameters counted in the graph`);
  const modelRange = modelComputeRange(compute, notes);

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
        const chosen = choose(candidatesFor(name, metric, family, task, registry, registered, skipRegistered), run.tier === 'smoke');
        if (!chosen) {
          unavailable.push({ task: name, metric, family, reason: `no same-data or published ${family} scores for ${name}.${metric}` });
          continue;
        }
        const points = distinctCompute(chosen.points, notes, family);
        const interp = interpolateAtCompute(points, compute.flops);
        const rng = new Rng(String(run.seed)).fork(`matched-compute|${name}|${metric}|${family}`);
        const model = { value: mv.value, ci95: finitePair(mv.ci95), n: mv.n };
        const resamples = opts.resamples ?? 1000;
        const iv = deltaInterval(task, metric, model, interp, chosen.kind, rng, resamples);
        const delta = model.value - interp.value;
        const sorted = [...points].sort((a, b) => a.flops - b.flops);
        const familyRange: [number, number] = [sorted[0]!.flops, sorted[sorted.length - 1]!.flops];
        const gap = computeGap(compute.flops, sorted);
        const judged = judge({
          run,
          family,
          chosen,
          gap,
          familyRange,
          computeFlops: compute.flops,
          modelRange,
          points: sorted,
          higherIsBetter,
          iv,
          scenario: (flops, pts, label) => {
            const r = new Rng(String(run.seed)).fork(`matched-compute|${name}|${metric}|${family}|${label}`);
            return deltaInterval(task, metric, model, interpolateAtCompute(pts, flops), chosen.kind, r, resamples).ci;
          },
        });
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
          curve: sorted.map(bare),
          lower: bare(interp.lower),
          upper: bare(interp.upper),
          weight: interp.weight,
          clamped: interp.clamped,
          baseline: interp.value,
          model,
          delta,
          deltaCi95: iv.ci,
          interval: iv.interval,
          intervalNote: gap
            ? `${iv.note}; out of the family's compute range: the baseline is its nearest point, shown for orientation only`
            : iv.note,
          familyRange,
          computeGap: gap,
          computeInterval: judged.computeInterval,
          ...(chosen.protocol ? { protocol: chosen.protocol } : {}),
          verdict: judged.verdict,
          verdictReason: judged.reason,
        });
      }
    }
  }
  return {
    version: 2,
    method: MATCHED_METHOD,
    intervals: MATCHED_INTERVALS,
    model: {
      objective,
      compute,
      law: laws.id,
      frontier: frontierPositions(laws, compute, objective),
      lawSpread: lawSpread(lawSets, compute, objective),
      families: familyComputeRanges(registry, registered, compute.flops),
    },
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

/** The law set named by --law or the card (an unknown id is a BenchError naming who gave it), else `fallback`. */
function selectLaws(sets: LawSets, fallback: ScalingLaws, id: string | undefined, where: string): ScalingLaws {
  if (id === undefined) return fallback;
  const found = sets.sets.find((s) => s.id === id);
  if (!found)
    throw new BenchError(
      where === '--law' ? 'E_USAGE' : 'E_CARD',
      `${where}: unknown scaling law "${id}" (known: ${sets.sets.map((s) => s.id).join(', ')})`,
    );
  return found;
}

/** The model's compute interval: its flopsRange, widened (with a note) to contain the point compute; null when exact. */
function modelComputeRange(compute: ModelCompute, notes: Set<string>): [number, number] | null {
  if (compute.flops === null || !compute.flopsRange) return null;
  let [lo, hi] = compute.flopsRange;
  if (compute.flops < lo || compute.flops > hi) {
    notes.add(
      `the card's trainFlopsRange [${sci(lo)}, ${sci(hi)}] does not contain the training compute ${sci(compute.flops)} FLOPs; the interval is widened to contain it`,
    );
    lo = Math.min(lo, compute.flops);
    hi = Math.max(hi, compute.flops);
  }
  return lo === hi ? null : [lo, hi];
}

/** Where `flops` lies outside the compute range of the sorted points (null inside, ends included). */
function computeGap(flops: number, sorted: CurvePoint[]): Comparison['computeGap'] {
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (flops < first.flops) return { side: 'below', decades: Math.log10(first.flops / flops), nearest: first.id };
  if (flops > last.flops) return { side: 'above', decades: Math.log10(flops / last.flops), nearest: last.id };
  return null;
}

interface JudgeInput {
  run: RunResult;
  family: string;
  chosen: Candidate;
  gap: Comparison['computeGap'];
  familyRange: [number, number];
  computeFlops: number;
  modelRange: [number, number] | null;
  points: CurvePoint[];
  higherIsBetter: boolean | null;
  iv: { ci: [number, number] | null };
  /** The delta interval at another model compute against other curve points. */
  scenario: (flops: number, points: CurvePoint[], label: string) => [number, number] | null;
}

/**
 * The verdict and its reason, first rule that applies: compute outside the family's range (out-of-range:
 * nothing is matched, whatever the data); a published baseline, then a smoke-tier run against the task's
 * or the registry's numbers (not-comparable); a baseline scored with another protocol (protocol-differs);
 * no interval or no direction; then the interval verdict, `uncertain` when it changes inside the compute
 * intervals.
 */
function judge(j: JudgeInput): { verdict: Verdict; reason: string; computeInterval: Comparison['computeInterval'] } {
  const curveRanged = j.points.some((p) => p.flopsRange);
  const computeInterval = (scenarios: { model: number; baseline: 'low' | 'point' | 'high'; verdict: Verdict }[]) =>
    j.modelRange || curveRanged ? { model: j.modelRange ?? ([j.computeFlops, j.computeFlops] as [number, number]), scenarios } : null;
  const span = `${sci(j.familyRange[0])} to ${sci(j.familyRange[1])} FLOPs`;
  if (j.gap) {
    return {
      verdict: 'out-of-range',
      reason: `compute not matched: the model's C = ${sci(j.computeFlops)} FLOPs is ${j.gap.decades.toFixed(2)} decades ${j.gap.side} ${j.family}'s compute range (${span}; nearest ${j.gap.nearest}); no verdict${j.chosen.kind === 'published' ? ' (and the baseline is a published number on other data)' : ''}`,
      computeInterval: computeInterval([]),
    };
  }
  if (j.chosen.kind === 'published') {
    return {
      verdict: 'not-comparable',
      reason: 'published baseline: a headline number on other data than this run; delta and interval are orientation only',
      computeInterval: computeInterval([]),
    };
  }
  if (j.run.tier === 'smoke' && j.chosen.origin !== 'registered') {
    return {
      verdict: 'not-comparable',
      reason: `smoke-tier run: it scores a seeded subset of the items, while the ${j.family} numbers of ${j.chosen.origin === 'task' ? "the task's baseline set" : 'the registry'} are full-data values, so they are not on the same items; run the full tier (or register a smoke-tier baseline run with the same seed) for a same-data verdict`,
      computeInterval: computeInterval([]),
    };
  }
  if (j.chosen.protocol && !j.chosen.protocol.same) {
    return {
      verdict: 'protocol-differs',
      reason: `the ${j.family} numbers were scored with protocol ${j.chosen.protocol.baseline}, this run with ${j.chosen.protocol.run}: no verdict across protocols`,
      computeInterval: computeInterval([]),
    };
  }
  const base = verdict(j.iv.ci, j.higherIsBetter);
  if (base === 'no-interval') return { verdict: base, reason: 'the model metric has no interval', computeInterval: computeInterval([]) };
  if (base === 'direction-unknown')
    return {
      verdict: base,
      reason: "the metric's direction (higher or lower is better) is not recorded",
      computeInterval: computeInterval([]),
    };
  const inRange = `compute matched: C = ${sci(j.computeFlops)} FLOPs is inside ${j.family}'s compute range (${span})`;
  if (!j.modelRange && !curveRanged) return { verdict: base, reason: inRange, computeInterval: null };
  const scenarios: { model: number; baseline: 'low' | 'point' | 'high'; verdict: Verdict }[] = [];
  const modelValues = j.modelRange ? [j.modelRange[0], j.computeFlops, j.modelRange[1]] : [j.computeFlops];
  const curves: ['low' | 'point' | 'high', CurvePoint[] | null][] = [['point', j.points]];
  if (curveRanged) curves.push(['low', shifted(j.points, 0)], ['high', shifted(j.points, 1)]);
  for (const [label, pts] of curves) {
    for (const m of modelValues) {
      if (label === 'point' && m === j.computeFlops) {
        scenarios.push({ model: m, baseline: label, verdict: base });
        continue;
      }
      let v: Verdict;
      if (!pts)
        v = 'uncertain'; // two points meet at one compute value: the curve is not defined there
      else if (m < pts[0]!.flops || m > pts[pts.length - 1]!.flops) v = 'out-of-range';
      else v = verdict(j.scenario(m, pts, `${label}|${m}`), j.higherIsBetter);
      scenarios.push({ model: m, baseline: label, verdict: v });
    }
  }
  const flip = scenarios.find((x) => x.verdict !== base);
  if (!flip)
    return {
      verdict: base,
      reason: `${inRange}; the verdict holds over the compute intervals`,
      computeInterval: computeInterval(scenarios),
    };
  return {
    verdict: 'uncertain',
    reason: `${inRange}, but the verdict (${base} at the point estimates) is ${flip.verdict} with the model at ${sci(flip.model)} FLOPs and the ${j.family} points at the ${flip.baseline} end of their compute ranges`,
    computeInterval: computeInterval(scenarios),
  };
}

/** The curve with every point at the low (0) or high (1) end of its compute range, sorted; null when two points then share a compute value. */
function shifted(points: CurvePoint[], end: 0 | 1): CurvePoint[] | null {
  const out = points.map((p) => (p.flopsRange ? { ...p, flops: p.flopsRange[end] } : p)).sort((a, b) => a.flops - b.flops);
  for (let i = 1; i < out.length; i++) if (out[i]!.flops === out[i - 1]!.flops) return null;
  return out;
}

/**
 * Each family's compute range (its registry curve points and registered runs) and where a model's
 * compute lies against it, in words a reader cannot miss (`bench inspect`, the run's matchedCompute).
 */
export function familyComputeRanges(registry: BaselineRegistry, registered: RegisteredRuns, flops: number | null): FamilyRange[] {
  const out: FamilyRange[] = [];
  for (const [family] of familyObjectives(registry, registered)) {
    const pts: { id: string; flops: number; lo: number; hi: number }[] = [];
    for (const m of registry.models) {
      if (m.family === family && onCurve(m))
        pts.push({
          id: m.id,
          flops: m.trainFlops.value,
          lo: m.trainFlops.range?.[0] ?? m.trainFlops.value,
          hi: m.trainFlops.range?.[1] ?? m.trainFlops.value,
        });
    }
    for (const r of registered.runs) {
      if (r.family === family && r.compute.flops !== null)
        pts.push({
          id: r.id,
          flops: r.compute.flops,
          lo: r.compute.flopsRange?.[0] ?? r.compute.flops,
          hi: r.compute.flopsRange?.[1] ?? r.compute.flops,
        });
    }
    if (pts.length === 0) continue;
    pts.sort((a, b) => a.flops - b.flops);
    const range: [number, number] = [pts[0]!.flops, pts[pts.length - 1]!.flops];
    const rangeWithIntervals: [number, number] = [Math.min(...pts.map((p) => p.lo)), Math.max(...pts.map((p) => p.hi))];
    const widened =
      rangeWithIntervals[0] < range[0] || rangeWithIntervals[1] > range[1]
        ? `, ${sci(rangeWithIntervals[0])} to ${sci(rangeWithIntervals[1])} with the points' compute intervals`
        : '';
    const span = `${sci(range[0])} (${pts[0]!.id}) to ${sci(range[1])} FLOPs (${pts[pts.length - 1]!.id}${widened})`;
    if (flops === null) {
      out.push({
        family,
        range,
        rangeWithIntervals,
        side: 'inside',
        decades: 0,
        text: `${family}: ${span}; the model's compute is unknown, so no matched-compute verdict`,
      });
      continue;
    }
    const side = flops < range[0] ? 'below' : flops > range[1] ? 'above' : 'inside';
    const decades = side === 'below' ? Math.log10(range[0] / flops) : side === 'above' ? Math.log10(flops / range[1]) : 0;
    const text =
      side === 'inside'
        ? `${family}: ${span}; the model's ${sci(flops)} FLOPs is inside: compute matched`
        : `${family}: ${span}; the model's ${sci(flops)} FLOPs is ${decades.toFixed(2)} decades ${side} it: NOT matched, no verdict against ${family}`;
    out.push({ family, range, rangeWithIntervals, side, decades, text });
  }
  return out;
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
    regPoints.push({
      id: r.id,
      flops: r.compute.flops,
      ...(r.compute.flopsRange ? { flopsRange: r.compute.flopsRange } : {}),
      score: v,
      items,
    });
  }
  if (regPoints.length > 0) {
    out.push({
      kind: 'same-data',
      origin: 'registered',
      source: `registered runs (${regPoints
        .map((p) => p.id)
        .sort()
        .join(', ')}) of baseline exports through plmbench`,
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
      const range = registryModel(registry, id)!.trainFlops.range;
      const perItem = set.kind === 'same-data' ? set.items?.[id] : undefined;
      const items = perItem
        ? Object.fromEntries(Object.entries(perItem).map(([itemId, ms]) => [itemId, ms[metric] ?? ms[itemMetric(metric)] ?? null]))
        : undefined;
      points.push({ id, flops, ...(range ? { flopsRange: range } : {}), score: v, ...(items ? { items } : {}) });
    }
    if (points.length > 0) {
      out.push({
        kind: set.kind,
        origin: 'task',
        source: set.source,
        description: set.description,
        points,
        order: 1 + i,
        ...(set.protocol ? { protocol: { ...set.protocol } } : {}),
      });
    }
  });
  // Published scores in the registry that may stand in for this metric.
  const byBenchmark = new Map<string, Candidate>();
  for (const m of registry.models) {
    if (m.family !== family || !onCurve(m)) continue;
    for (const p of m.published) {
      if (!p.appliesTo.some((a) => a.task === task && a.metric === metric)) continue;
      let c = byBenchmark.get(p.benchmark);
      if (!c) {
        c = {
          kind: 'published',
          origin: 'registry',
          source: p.source,
          description: `${p.benchmark}: ${p.description} (different data from this run)`,
          points: [],
          order: 1000 + byBenchmark.size,
        };
        byBenchmark.set(p.benchmark, c);
      }
      c.points.push({
        id: m.id,
        flops: m.trainFlops.value,
        ...(m.trainFlops.range ? { flopsRange: m.trainFlops.range } : {}),
        score: p.value,
      });
    }
  }
  out.push(...byBenchmark.values());
  return out;
}

/**
 * Same-data before published; on the smoke tier, registered runs (the only ones on the same items) before
 * the rest; then the most points; then registered runs, the task's sets in order, the registry.
 */
function choose(candidates: Candidate[], smoke: boolean): Candidate | null {
  const sorted = [...candidates].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'same-data' ? -1 : 1;
    if (smoke && (a.origin === 'registered') !== (b.origin === 'registered')) return a.origin === 'registered' ? -1 : 1;
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
      if (typeof v === 'number' && Number.isFinite(v) && offCurve(registryModel(registry, id)))
        out.push({ task, metric, id, score: v, kind: set.kind, source: set.source });
    }
  }
  for (const m of registry.models) {
    if (!offCurve(m)) continue;
    for (const p of m.published) {
      if (p.appliesTo.some((a) => a.task === task && a.metric === metric))
        out.push({ task, metric, id: m.id, score: p.value, kind: 'published', source: p.source });
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
  const orientation =
    kind === 'published'
      ? '; published baseline on different data: the delta and interval are orientation only, not a comparison (verdict not-comparable)'
      : '';
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
function pairedItems(
  task: OkTask,
  metric: string,
  modelValue: number,
  interp: Interpolated,
): { model: number[]; baseline: number[] } | string {
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
  if (!close(mean(baseline), interp.value)) return "the baseline's per-item values do not average to its score on these items";
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
