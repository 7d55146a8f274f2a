import { basename } from 'node:path';
import { stableStringify } from '../util/json.js';
import { BenchError } from '../util/errors.js';
import { serializeValidated } from '../util/schema.js';
import {
  finite,
  frontierPositions,
  matchedCompute,
  MATCHED_INTERVALS,
  MATCHED_METHOD,
  okTasks,
  protocolDifference,
  recordedDirection,
  registryCompute,
  taskDifference,
  taskOptions,
  type BaselineRegistry,
  type Comparison,
  type FrontierPosition,
  type ModelCompute,
  type Objective,
  type OkTask,
  type Reference,
  type RegisteredRuns,
  type RunFile,
  type ScalingLaws,
  type TaskDifference,
  type TaskSide,
  type Unavailable,
} from '../scaling/index.js';
import type { DataFileInfo } from '../task/types.js';

export interface LeaderboardMetric {
  value: number | null;
  ci95: [number | null, number | null] | null;
  n: number;
  higherIsBetter: boolean | null;
}

export interface LeaderboardTaskEntry {
  status: 'ok' | 'skipped' | 'failed';
  version: string;
  reason?: string;
  headline?: string;
  metrics?: Record<string, LeaderboardMetric>;
  /** Rank group on the task's headline metric in its table (1 = the leader's group; see RANKING_METHOD); null when not ranked. */
  rank?: number | null;
  /** The task's table this entry is ranked in (1 = the first table); null when not ranked. */
  table?: number | null;
}

/** A matched-compute comparison whose curve (points, source, description) is stored once, in Leaderboard.curves[curveId]. */
export type LeaderboardComparison = Omit<Comparison, 'curve' | 'source' | 'description'> & { curveId: string };

/** A baseline family's compute curve on one task metric, with its source, as the comparisons used it. */
export interface LeaderboardCurve {
  task: string;
  metric: string;
  family: string;
  kind: Comparison['kind'];
  origin: Comparison['origin'];
  source: string;
  description: string;
  points: Comparison['curve'];
}

export interface LeaderboardEntry {
  id: string;
  run: { file: string; fileSha256: string; runId: string; tier: string; seed: number; harness: { version: string; commit: string | null } };
  model: {
    sha256: string;
    card: Record<string, unknown>;
    objective: Objective;
    paramsCounted: { total: number; nonEmbedding: number; embedding: number };
  };
  compute: ModelCompute;
  frontier: FrontierPosition[];
  /** N / N_opt(C) under the law of the model's objective, null when the compute is unknown. */
  nOverNopt: number | null;
  /** C outside the laws' fitted range: nOverNopt is an extrapolation (see frontier[].rangeNote); null when the compute is unknown. */
  outsideFittedRange: boolean | null;
  tasks: Record<string, LeaderboardTaskEntry>;
  matchedCompute: { comparisons: LeaderboardComparison[]; references: Reference[]; unavailable: Unavailable[]; notes: string[] };
}

export interface RankedEntry {
  id: string;
  value: number;
  ci95: [number | null, number | null] | null;
  /** Rank group: 1 + the number of entries in better groups; entries of one group share it. */
  rank: number;
  /** The group's leader (its best value); an entry is in the group because its interval overlaps the leader's. */
  leader: string;
  /** The primary matched-compute comparison of this metric in words, verdict first (no better/worse where there is no verdict). */
  versus: string;
}

export interface Ranking {
  metric: string;
  higherIsBetter: boolean | null;
  /** Why there is no order (direction unknown). */
  reason?: string;
  order: RankedEntry[];
}

/** Why a table is not ranked with an earlier one of the same task. */
export interface Apart {
  table: number;
  check: TaskDifference['check'] | 'reference';
  detail: string;
}

/** One table of a task: runs that measured the same thing, ranked together. */
export interface RankTable {
  /** 1 = the table holding the largest group of runs that agree; then by size. */
  table: number;
  ids: string[];
  version: string;
  tier: string;
  /** The seed of smoke runs (it may choose the subset); null on the full tier. */
  seed: number | null;
  data: DataFileInfo[];
  options: Record<string, string>;
  protocol: {
    /** protocol.source of the runs (e.g. contacts from attentions or a contacts head), null when not recorded. */
    source: string | null;
    /** protocol.strategy of the runs, per objective. */
    strategies: Record<string, string>;
    /** The reference model of reference-dependent metrics (protocol.reference), null when the task records none. */
    reference: string | null;
  };
  /** One line per earlier table: the first thing that keeps these runs apart from it. */
  apart: Apart[];
  rankings: Ranking[];
}

export interface Leaderboard {
  schemaVersion: 2;
  kind: 'plmbench-leaderboard';
  harness: { version: string; commit: string | null };
  method: { compute: string; matchedCompute: string; intervals: string; ranking: string };
  data: {
    registry: { file: string; sha256: string };
    laws: { file: string; sha256: string; source: string };
    registeredRuns: { file: string; sha256: string | null; count: number };
  };
  baselines: {
    id: string;
    family: string;
    objective: Objective | null;
    interpolate: boolean;
    flops: number | null;
    params: number | null;
    tokens: number | null;
    estimate: boolean;
    nOverNopt: number | null;
    outsideFittedRange: boolean | null;
  }[];
  /** Baseline curves, each once, keyed by the curveId of the comparisons that used it. */
  curves: Record<string, LeaderboardCurve>;
  tasks: Record<string, { tables: RankTable[] }>;
  entries: LeaderboardEntry[];
}

export const RANKING_METHOD =
  "Tables: per task, runs are ranked in one table only when they measured the same thing: the task's version, data files, tier (and, on the smoke tier, seed) and options agree, " +
  'and its effective protocol: protocol.source (e.g. contacts from attentions or from a contacts head) of any two runs, protocol.strategy (e.g. fitness masked-marginals or wt-marginals) of runs of the same objective ' +
  "(a task's strategies are per objective: a masked and a causal model each use their objective's default unless an option, which must then agree, says otherwise), " +
  "and, for a task scored with a reference model (protocol.reference, e.g. generation's plddt_proxy and ppl_ref; every metric of such a task is treated as reference-dependent), the reference model (by sha256: runs that each score their own samples are each alone). " +
  'Runs that differ are ranked in separate tables, never refused: runs that agree in everything are grouped, the largest group first (ties by their key), and each group joins the first table with every run of which it agrees, else starts a new one; ' +
  'each table says what keeps it apart from each earlier table. ' +
  "Ranks: within a table, separately for each headline metric name (e.g. perplexity for causal and pseudo_perplexity for masked models), in the metric's direction. " +
  "Rank groups: the best remaining entry (ties by id) leads a group; every remaining entry whose 95% interval overlaps the leader's (closed intervals; a missing interval or end counts as unbounded, so an entry without an interval cannot be separated from the leader), or whose value equals the leader's, joins it; repeat with the rest. " +
  "An entry's rank is 1 + the number of entries in better groups (1, 1, 3...): entries sharing a rank are not separated by their intervals, whatever their point estimates. " +
  'Listed by rank, then value, then id.';

export interface LeaderboardInputs {
  runs: RunFile[];
  registry: BaselineRegistry;
  laws: ScalingLaws;
  registered: RegisteredRuns;
  harness: { version: string; commit: string | null };
  direction?: (task: string, metric: string) => boolean | null;
}

/**
 * Builds the leaderboard. Refuses (BenchError, exit 2) only two entries with one id; runs whose task
 * results cannot be ranked together are ranked in separate tables of that task (RANKING_METHOD).
 */
export function buildLeaderboard(inp: LeaderboardInputs): Leaderboard {
  const { runs, registry, laws, registered } = inp;
  if (runs.length === 0) throw new BenchError('E_USAGE', 'leaderboard: give at least one run JSON');
  const idOf = (f: RunFile) => (f.run.model.card as { id?: string }).id ?? basename(f.path, '.json');
  const byId = new Map<string, RunFile>();
  for (const f of runs) {
    const id = idOf(f);
    const prev = byId.get(id);
    if (prev)
      throw new BenchError('E_RESULT', `leaderboard: two runs of model id "${id}": ${prev.path} and ${f.path} (one entry per model)`);
    byId.set(id, f);
  }
  const sorted = [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: LeaderboardEntry[] = [];
  const curves = new CurveStore();
  const fullComparisons = new Map<string, Comparison[]>();
  for (const [id, f] of sorted) {
    const mc = matchedCompute(f.run, { registry, laws, registered, direction: inp.direction });
    fullComparisons.set(id, mc.comparisons);
    const tasks: Record<string, LeaderboardTaskEntry> = {};
    for (const [name, r] of Object.entries(f.run.tasks)) {
      if (r.status !== 'ok') {
        tasks[name] = { status: r.status, version: r.version, reason: r.reason };
        continue;
      }
      const metrics: Record<string, LeaderboardMetric> = {};
      for (const [m, v] of Object.entries(r.metrics)) {
        metrics[m] = {
          value: finite(v.value),
          ci95: v.ci95 ? [finite(v.ci95[0]), finite(v.ci95[1])] : null,
          n: v.n,
          higherIsBetter: recordedDirection(r, m) ?? inp.direction?.(name, m) ?? null,
        };
      }
      tasks[name] = { status: 'ok', version: r.version, headline: r.headline, metrics, rank: null, table: null };
    }
    const primary = mc.model.frontier.find((x) => x.primary);
    entries.push({
      id,
      run: {
        file: f.path,
        fileSha256: f.sha256,
        runId: f.run.runId,
        tier: f.run.tier,
        seed: f.run.seed,
        harness: { version: f.run.harness.version, commit: f.run.harness.commit },
      },
      model: {
        sha256: f.run.model.sha256,
        card: f.run.model.card,
        objective: mc.model.objective,
        paramsCounted: f.run.model.paramsCounted,
      },
      compute: mc.model.compute,
      frontier: mc.model.frontier,
      nOverNopt: primary ? primary.nRatio : null,
      outsideFittedRange: primary ? primary.outsideFittedRange : null,
      tasks,
      matchedCompute: {
        comparisons: mc.comparisons.map((c) => curves.detach(c)),
        references: mc.references,
        unavailable: mc.unavailable,
        notes: mc.notes,
      },
    });
  }
  const taskTable = rankTasks(entries, sorted, fullComparisons);
  return {
    schemaVersion: 2,
    kind: 'plmbench-leaderboard',
    harness: inp.harness,
    method: { compute: laws.compute, matchedCompute: MATCHED_METHOD, intervals: MATCHED_INTERVALS, ranking: RANKING_METHOD },
    data: {
      registry: { file: registry.file, sha256: registry.sha256 },
      laws: { file: laws.file, sha256: laws.sha256, source: laws.source },
      registeredRuns: { file: registered.file, sha256: registered.sha256, count: registered.runs.length },
    },
    baselines: registry.models.map((m) => {
      const objective = registry.families[m.family]?.objective ?? null;
      const compute = registryCompute(m);
      const fr = compute && objective ? frontierPositions(laws, compute, objective).find((x) => x.primary) : undefined;
      return {
        id: m.id,
        family: m.family,
        objective,
        interpolate: m.interpolate,
        flops: m.trainFlops.value,
        params: m.params.nonEmbedding,
        tokens: m.trainTokens.value,
        estimate: m.params.estimate || m.trainTokens.estimate || m.trainFlops.estimate,
        nOverNopt: fr ? fr.nRatio : null,
        outsideFittedRange: fr ? fr.outsideFittedRange : null,
      };
    }),
    curves: curves.all(),
    tasks: taskTable,
    entries,
  };
}

/** The leaderboard as deterministic bytes (sorted keys), validated against leaderboard.schema.json. */
export function serializeLeaderboard(board: Leaderboard): string {
  return serializeValidated(
    'leaderboard',
    board,
    (errors) => new Error(`leaderboard does not match its schema: ${errors.slice(0, 8).join('; ')}`),
  );
}

/** A comparison as the run records it: its curve, source and description put back from the leaderboard's curves. */
export function attachCurve(board: Pick<Leaderboard, 'curves'>, c: LeaderboardComparison): Comparison {
  const { curveId, ...rest } = c;
  const curve = board.curves[curveId];
  if (!curve)
    throw new Error(
      `leaderboard: comparison ${c.task}.${c.metric} vs ${c.family} names curve "${curveId}", which the leaderboard does not hold`,
    );
  return { ...rest, curve: curve.points, source: curve.source, description: curve.description };
}

/**
 * Curves stored once: each distinct (task, metric, family, kind, origin, source, description, points)
 * gets one id, `task/metric/family/kind/origin`, with `#2`, `#3`... when that name is already taken by
 * another curve (e.g. same-data curves of runs on different data).
 */
export class CurveStore {
  private readonly byContent = new Map<string, string>();
  private readonly curves: Record<string, LeaderboardCurve> = {};

  detach(c: Comparison): LeaderboardComparison {
    const { curve: points, source, description, ...rest } = c;
    const record: LeaderboardCurve = {
      task: c.task,
      metric: c.metric,
      family: c.family,
      kind: c.kind,
      origin: c.origin,
      source,
      description,
      points,
    };
    const content = stableStringify(record);
    let id = this.byContent.get(content);
    if (id === undefined) {
      const base = `${c.task}/${c.metric}/${c.family}/${c.kind}/${c.origin}`;
      id = base;
      for (let k = 2; id in this.curves; k++) id = `${base}#${k}`;
      this.curves[id] = record;
      this.byContent.set(content, id);
    }
    return { ...rest, curveId: id };
  }

  all(): Record<string, LeaderboardCurve> {
    return this.curves;
  }
}

/** One run's result of a task, with what decides whether it can be ranked with another run's. */
interface Side extends TaskSide {
  id: string;
  objective: string;
  task: OkTask;
  options: Record<string, string>;
  reference: { key: string; label: string } | null;
}

/**
 * The reference model a task's scores depend on (`protocol.reference`, generation's --ref-model or the
 * generating model itself), identified by its sha256 (else by its recorded fields); null when none is recorded.
 */
function referenceOf(id: string, task: OkTask): Side['reference'] {
  const ref = (task.protocol as { reference?: unknown } | undefined)?.reference;
  if (ref === undefined || ref === null) return null;
  if (typeof ref !== 'object') return { key: asText(ref), label: asText(ref) };
  const r = ref as { model?: unknown; sha256?: unknown };
  const key = typeof r.sha256 === 'string' ? r.sha256 : stableStringify(ref);
  const sha = typeof r.sha256 === 'string' ? `, sha256 ${r.sha256.slice(0, 12)}` : '';
  const label =
    r.model === 'self'
      ? `self (${id} scores its own samples${sha})`
      : `${r.model === undefined ? 'unnamed' : asText(r.model)}${sha ? ` (${sha.slice(2)})` : ''}`;
  return { key, label };
}

/** A recorded value as text: strings as they are, anything else as JSON. */
function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The first thing that keeps two runs' results of a task from being ranked together, or null. */
function sideDifference(a: Side, b: Side): Omit<Apart, 'table'> | null {
  const d = taskDifference(a, b, ['source']);
  if (d) return d;
  if (a.objective === b.objective) {
    const st = protocolDifference(a.task, b.task, ['strategy']);
    if (st) return { check: 'protocol', detail: `${st} (both ${a.objective})` };
  }
  if (a.reference && b.reference && a.reference.key !== b.reference.key)
    return {
      check: 'reference',
      detail: `reference model ${a.reference.label} vs ${b.reference.label}: reference-dependent metrics are not ranked across reference models`,
    };
  return null;
}

/** Everything sideDifference compares, as one string: runs with equal keys always agree. */
function sideKey(s: Side): string {
  const data = [...s.task.data].map((d) => `${d.sha256}:${d.rows}`).sort();
  const p = s.task.protocol as { source?: unknown; strategy?: unknown } | undefined;
  return stableStringify([
    s.task.version,
    data,
    s.run.tier,
    s.run.tier === 'smoke' ? s.run.seed : null,
    s.options,
    p?.source ?? null,
    s.reference?.key ?? null,
    s.objective,
    p?.strategy ?? null,
  ]);
}

/**
 * The runs of a task split into tables (RANKING_METHOD): cells of runs that agree in everything, the
 * largest first, each joining the first table it agrees with entirely; tables ordered by size (then by
 * their first id), each with the first difference from each earlier table.
 */
function splitTables(sides: Side[]): { sides: Side[]; apart: Apart[] }[] {
  const cells = [...groupByKey(sides, sideKey).entries()]
    .sort(([ka, a], [kb, b]) => b.length - a.length || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([, v]) => v);
  const tables: Side[][] = [];
  for (const cell of cells) {
    const t = tables.find((members) => members.every((m) => sideDifference(m, cell[0]!) === null));
    if (t) t.push(...cell);
    else tables.push([...cell]);
  }
  const firstId = (t: Side[]) => t.map((s) => s.id).sort()[0]!;
  tables.sort((a, b) => b.length - a.length || (firstId(a) < firstId(b) ? -1 : 1));
  return tables.map((members, k) => ({
    sides: members,
    apart: tables.slice(0, k).flatMap((earlier, j) => {
      for (const m of [...earlier].sort(byId)) {
        for (const s of [...members].sort(byId)) {
          const d = sideDifference(m, s);
          if (d) return [{ table: j + 1, ...d }];
        }
      }
      return [];
    }),
  }));
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function groupByKey<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    m.set(k, [...(m.get(k) ?? []), t]);
  }
  return m;
}

function rankTasks(entries: LeaderboardEntry[], runs: [string, RunFile][], comparisons: Map<string, Comparison[]>): Leaderboard['tasks'] {
  const out: Leaderboard['tasks'] = {};
  const names = [...new Set(runs.flatMap(([, f]) => okTasks(f.run).map(([n]) => n)))].sort();
  for (const name of names) {
    const sides: Side[] = [];
    for (const [id, f] of runs) {
      const t = f.run.tasks[name];
      if (t?.status !== 'ok') continue;
      sides.push({
        id,
        run: f.run,
        task: t,
        objective: asText((f.run.model.card as { objective?: unknown }).objective ?? ''),
        options: taskOptions(f.run, name),
        reference: referenceOf(id, t),
      });
    }
    const tables: RankTable[] = splitTables(sides).map(({ sides: members, apart }, k) => {
      const first = members[0]!;
      const strategies: Record<string, string> = {};
      let source: string | null = null;
      for (const m of members) {
        const p = m.task.protocol as { source?: unknown; strategy?: unknown } | undefined;
        if (p?.strategy !== undefined && p.strategy !== null && !(m.objective in strategies)) strategies[m.objective] = asText(p.strategy);
        if (source === null && p?.source !== undefined && p.source !== null) source = asText(p.source);
      }
      const ids = members.map((m) => m.id).sort();
      const tableEntries = entries.filter((e) => ids.includes(e.id));
      for (const e of tableEntries) e.tasks[name]!.table = k + 1;
      return {
        table: k + 1,
        ids,
        version: first.task.version,
        tier: first.run.tier,
        seed: first.run.tier === 'smoke' ? first.run.seed : null,
        data: first.task.data,
        options: first.options,
        protocol: { source, strategies, reference: first.reference?.label ?? null },
        apart,
        rankings: rankTable(name, tableEntries, comparisons),
      };
    });
    out[name] = { tables };
  }
  return out;
}

type Interval = [number | null, number | null] | null;

/** Closed intervals overlap; a missing interval or end is unbounded (it cannot separate two entries). */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  const lo = (x: Interval) => x?.[0] ?? -Infinity;
  const hi = (x: Interval) => x?.[1] ?? Infinity;
  return lo(a) <= hi(b) && lo(b) <= hi(a);
}

/**
 * Rank groups (RANKING_METHOD): `scored` in the metric's direction (ties by id); the best remaining entry
 * leads a group that takes every remaining entry whose interval overlaps the leader's.
 */
export function rankGroups<T extends { id: string; value: number; ci95: Interval }>(scored: T[]): (T & { rank: number; leader: string })[] {
  const out: (T & { rank: number; leader: string })[] = [];
  let rest = scored;
  while (rest.length > 0) {
    const leader = rest[0]!;
    const rank = out.length + 1;
    const inGroup = rest.filter((x) => x === leader || x.value === leader.value || intervalsOverlap(x.ci95, leader.ci95));
    for (const x of inGroup) out.push({ ...x, rank, leader: leader.id });
    rest = rest.filter((x) => !inGroup.includes(x));
  }
  return out;
}

function rankTable(name: string, entries: LeaderboardEntry[], comparisons: Map<string, Comparison[]>): Ranking[] {
  const groups = new Map<string, LeaderboardEntry[]>();
  for (const e of entries) {
    const t = e.tasks[name];
    if (!t || t.status !== 'ok' || !t.headline) continue;
    groups.set(t.headline, [...(groups.get(t.headline) ?? []), e]);
  }
  const rankings: Ranking[] = [];
  for (const metric of [...groups.keys()].sort()) {
    const members = groups.get(metric)!;
    const dirs = new Set(members.map((e) => e.tasks[name]!.metrics![metric]?.higherIsBetter ?? null));
    const hib = dirs.size === 1 ? [...dirs][0]! : null;
    if (hib === null) {
      rankings.push({
        metric,
        higherIsBetter: null,
        reason:
          dirs.size > 1 ? 'the runs disagree on the direction' : 'direction unknown (not recorded by the runs, task plugin not found)',
        order: [],
      });
      continue;
    }
    const scored = members
      .map((e) => ({ e, id: e.id, m: e.tasks[name]!.metrics![metric]! }))
      .filter((x): x is typeof x & { m: { value: number } } => x.m.value !== null)
      .map((x) => ({ e: x.e, id: x.id, value: x.m.value, ci95: x.m.ci95 }))
      .sort((x, y) => (hib ? y.value - x.value : x.value - y.value) || (x.id < y.id ? -1 : 1));
    const order: RankedEntry[] = rankGroups(scored).map((x) => {
      x.e.tasks[name]!.rank = x.rank;
      const mine = (comparisons.get(x.id) ?? []).filter((c) => c.task === name && c.metric === metric);
      const c = mine.find((y) => y.primary) ?? mine[0];
      const versus = c
        ? describeComparison(c, x.e.compute.flops)
        : x.e.compute.flops === null
          ? 'no comparison: training compute unknown'
          : 'no comparison: no baseline scores for this metric';
      return { id: x.id, value: x.value, ci95: x.ci95, rank: x.rank, leader: x.leader, versus };
    });
    rankings.push({ metric, higherIsBetter: hib, order });
  }
  return rankings;
}

/**
 * The gap in decades of training compute between the model and the nearest point of a clamped
 * comparison: the comparison's own `gapDecades` when it records one (the scaling side may add it),
 * else |log10(C / C_nearest)|; null when neither is known.
 */
export function gapDecades(c: Comparison | LeaderboardComparison, modelFlops: number | null): number | null {
  const recorded = (c as { gapDecades?: unknown }).gapDecades;
  if (typeof recorded === 'number' && Number.isFinite(recorded)) return Math.abs(recorded);
  if (!c.clamped || modelFlops === null || !(modelFlops > 0)) return null;
  const nearest = c.clamped === 'below' ? c.lower : c.upper;
  return nearest.flops > 0 ? Math.abs(Math.log10(modelFlops / nearest.flops)) : null;
}

/**
 * A comparison in words a reader cannot miss: a real verdict (better, worse, indistinguishable) only as
 * the matched-compute code gave it; every other verdict says "no verdict" first, with why; a clamped
 * comparison (nearest point, not matched compute) says how many decades away the point is.
 */
export function describeComparison(c: Comparison | LeaderboardComparison, modelFlops: number | null): string {
  const num = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : Number(x.toPrecision(4)).toString());
  const delta = `${c.delta >= 0 ? '+' : ''}${num(c.delta)}${c.deltaCi95 ? ` [${num(c.deltaCi95[0])}, ${num(c.deltaCi95[1])}]` : ''}`;
  const gap = gapDecades(c, modelFlops);
  const nearest = c.clamped === 'below' ? c.lower : c.clamped === 'above' ? c.upper : null;
  const where = nearest
    ? `${gap === null ? 'outside' : `${gap.toFixed(1)} decades of compute ${c.clamped}`} ${c.family}'s range (nearest point ${nearest.id})`
    : gap !== null
      ? `${gap.toFixed(1)} decades of compute outside ${c.family}'s range`
      : '';
  const vs = `${c.family}${c.primary ? '' : ' (other objective)'} ${num(c.baseline)} (${c.kind}${nearest ? `, nearest point ${nearest.id}` : `, ${c.lower.id}..${c.upper.id}`})`;
  const clampNote = nearest ? `; CLAMPED: ${where}, not matched compute` : '';
  // a string: a verdict added to the contract later still reads as 'no verdict' (default branch)
  const verdict: string = c.verdict;
  switch (verdict) {
    case 'better':
    case 'worse':
      return `${verdict.toUpperCase()} than ${vs}: ${delta}${clampNote}`;
    case 'indistinguishable':
      return `indistinguishable from ${vs}: ${delta}${clampNote}`;
    case 'out-of-range':
      return `OUT OF RANGE, no verdict: ${where || `outside ${c.family}'s compute range`}`;
    case 'uncertain':
      return `UNCERTAIN, no verdict: the verdict flips inside the training-compute interval; ${delta} vs ${vs}${clampNote}`;
    case 'protocol-differs':
      return `PROTOCOL DIFFERS, no verdict: the baseline was scored with another protocol; for orientation only ${delta} vs ${vs}${clampNote}`;
    case 'not-comparable':
      return `NOT COMPARABLE, no verdict: ${c.kind === 'published' ? 'published, different data' : 'different items'}; for orientation only ${delta} vs ${vs}${clampNote}`;
    case 'no-interval':
      return `NO INTERVAL, no verdict: ${delta} vs ${vs}${clampNote}`;
    case 'direction-unknown':
      return `DIRECTION UNKNOWN, no verdict: ${delta} vs ${vs}${clampNote}`;
    default:
      return `${verdict.toUpperCase()}, no verdict: ${delta} vs ${vs}${clampNote}`;
  }
}
