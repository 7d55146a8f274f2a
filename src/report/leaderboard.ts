import { basename } from 'node:path';
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
  /** Rank on the task's headline metric among the entries with the same headline metric (1 = best). */
  rank?: number | null;
}

export interface LeaderboardEntry {
  id: string;
  run: { file: string; fileSha256: string; runId: string; tier: string; seed: number; harness: { version: string; commit: string | null } };
  model: { sha256: string; card: Record<string, unknown>; objective: Objective; paramsCounted: { total: number; nonEmbedding: number; embedding: number } };
  compute: ModelCompute;
  frontier: FrontierPosition[];
  /** N / N_opt(C) under the law of the model's objective, null when the compute is unknown. */
  nOverNopt: number | null;
  /** C outside the laws' fitted range: nOverNopt is an extrapolation (see frontier[].rangeNote); null when the compute is unknown. */
  outsideFittedRange: boolean | null;
  tasks: Record<string, LeaderboardTaskEntry>;
  matchedCompute: { comparisons: Comparison[]; references: Reference[]; unavailable: Unavailable[]; notes: string[] };
}

export interface Ranking {
  metric: string;
  higherIsBetter: boolean | null;
  /** Why there is no order (direction unknown). */
  reason?: string;
  order: { id: string; value: number; ci95: [number | null, number | null] | null; rank: number }[];
}

export interface Leaderboard {
  schemaVersion: 1;
  kind: 'plmbench-leaderboard';
  harness: { version: string; commit: string | null };
  method: { compute: string; matchedCompute: string; intervals: string; ranking: string };
  data: { registry: { file: string; sha256: string }; laws: { file: string; sha256: string; source: string }; registeredRuns: { file: string; sha256: string | null; count: number } };
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
  tasks: Record<string, { version: string; tier: string; data: DataFileInfo[]; rankings: Ranking[] }>;
  entries: LeaderboardEntry[];
}

const RANKING_METHOD =
  'Per task, entries are ranked by the task\'s headline metric, separately for each headline metric name (e.g. perplexity for causal and pseudo_perplexity for masked models), ' +
  'in the metric\'s direction; equal values share a rank (1, 2, 2, 4); ties are listed by id. Runs are only ranked together when each task\'s version, data files, tier (and, on the smoke tier, seed) and options agree, ' +
  'and its effective protocol: protocol.source (e.g. contacts from attentions or from a contacts head) of any two runs, protocol.strategy (e.g. fitness masked-marginals or wt-marginals) of runs of the same objective ' +
  '(a task\'s strategies are per objective: a masked and a causal model each use their objective\'s default unless an option, which must then agree, says otherwise).';

export interface LeaderboardInputs {
  runs: RunFile[];
  registry: BaselineRegistry;
  laws: ScalingLaws;
  registered: RegisteredRuns;
  harness: { version: string; commit: string | null };
  direction?: (task: string, metric: string) => boolean | null;
}

/**
 * Builds the leaderboard. Refuses (BenchError, exit 2) runs that cannot be ranked together: two
 * entries with one id, or a task, between runs where it finished ok, whose version, data files, tier,
 * smoke-tier seed or options differ, or whose effective protocol differs (protocol.source of any two
 * runs, protocol.strategy of two runs of the same objective). The message names the task, the runs and
 * what differs.
 */
export function buildLeaderboard(inp: LeaderboardInputs): Leaderboard {
  const { runs, registry, laws, registered } = inp;
  if (runs.length === 0) throw new BenchError('E_USAGE', 'leaderboard: give at least one run JSON');
  const idOf = (f: RunFile) => String((f.run.model.card as { id?: string }).id ?? basename(f.path, '.json'));
  const byId = new Map<string, RunFile>();
  for (const f of runs) {
    const id = idOf(f);
    const prev = byId.get(id);
    if (prev) throw new BenchError('E_RESULT', `leaderboard: two runs of model id "${id}": ${prev.path} and ${f.path} (one entry per model)`);
    byId.set(id, f);
  }
  checkComparable(runs);
  const entries: LeaderboardEntry[] = [];
  for (const [id, f] of [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const mc = matchedCompute(f.run, { registry, laws, registered, direction: inp.direction });
    const tasks: Record<string, LeaderboardTaskEntry> = {};
    for (const [name, r] of Object.entries(f.run.tasks)) {
      if (r.status !== 'ok') {
        tasks[name] = { status: r.status, version: r.version, reason: r.reason };
        continue;
      }
      const metrics: Record<string, LeaderboardMetric> = {};
      for (const [m, v] of Object.entries(r.metrics)) {
        metrics[m] = { value: finite(v.value), ci95: v.ci95 ? [finite(v.ci95[0]), finite(v.ci95[1])] : null, n: v.n, higherIsBetter: recordedDirection(r, m) ?? inp.direction?.(name, m) ?? null };
      }
      tasks[name] = { status: 'ok', version: r.version, headline: r.headline, metrics, rank: null };
    }
    const primary = mc.model.frontier.find((x) => x.primary);
    entries.push({
      id,
      run: { file: f.path, fileSha256: f.sha256, runId: f.run.runId, tier: f.run.tier, seed: f.run.seed, harness: { version: f.run.harness.version, commit: f.run.harness.commit } },
      model: { sha256: f.run.model.sha256, card: f.run.model.card, objective: mc.model.objective, paramsCounted: f.run.model.paramsCounted },
      compute: mc.model.compute,
      frontier: mc.model.frontier,
      nOverNopt: primary ? primary.nRatio : null,
      outsideFittedRange: primary ? primary.outsideFittedRange : null,
      tasks,
      matchedCompute: { comparisons: mc.comparisons, references: mc.references, unavailable: mc.unavailable, notes: mc.notes },
    });
  }
  const taskTable = rankTasks(entries, runs);
  const board: Leaderboard = {
    schemaVersion: 1,
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
    tasks: taskTable,
    entries,
  };
  return board;
}

/** The leaderboard as deterministic bytes (sorted keys), validated against leaderboard.schema.json. */
export function serializeLeaderboard(board: Leaderboard): string {
  return serializeValidated('leaderboard', board, (errors) => new Error(`leaderboard does not match its schema: ${errors.slice(0, 8).join('; ')}`));
}

/** What the leaderboard's refusal of a task says after the runs' paths, by the check that failed. */
const CANNOT_RANK: Record<TaskDifference['check'], string> = {
  version: 'cannot rank runs of different task versions',
  data: 'cannot rank runs on different data',
  'tier-seed': 'cannot rank runs on different item sets',
  options: 'cannot rank runs with different task options',
  protocol: 'cannot rank different protocols together',
};

function checkComparable(runs: RunFile[]): void {
  interface Seen extends TaskSide { file: RunFile; task: OkTask; options: Record<string, string> }
  const first = new Map<string, Seen>();
  /** task -> objective -> the first run of that objective (protocol.strategy is compared within an objective). */
  const byObjective = new Map<string, Map<string, Seen>>();
  for (const f of runs) {
    const objective = String((f.run.model.card as { objective?: unknown }).objective ?? '');
    for (const [name, t] of okTasks(f.run)) {
      const cur: Seen = { file: f, run: f.run, task: t, options: taskOptions(f.run, name) };
      const objectives = byObjective.get(name) ?? new Map<string, Seen>();
      byObjective.set(name, objectives);
      const sameObjective = objectives.get(objective);
      if (!sameObjective) objectives.set(objective, cur);
      const ref = first.get(name);
      if (!ref) {
        first.set(name, cur);
        continue;
      }
      // protocol.source: against every run; protocol.strategy: against the first run of the same objective.
      const diff = taskDifference(ref, cur, ['source']);
      if (diff) throw new BenchError('E_RESULT', `leaderboard: task ${name}: ${diff.detail} (${ref.file.path} and ${f.path}); ${CANNOT_RANK[diff.check]}`);
      if (sameObjective) {
        const st = protocolDifference(sameObjective.task, t, ['strategy']);
        if (st) throw new BenchError('E_RESULT', `leaderboard: task ${name}: ${st} (${sameObjective.file.path} and ${f.path}, both ${objective}); ${CANNOT_RANK.protocol}`);
      }
    }
  }
}

function rankTasks(entries: LeaderboardEntry[], runs: RunFile[]): Leaderboard['tasks'] {
  const out: Leaderboard['tasks'] = {};
  const names = [...new Set(runs.flatMap((f) => okTasks(f.run).map(([n]) => n)))].sort();
  for (const name of names) {
    const firstRun = runs.find((f) => f.run.tasks[name]?.status === 'ok');
    const first = firstRun?.run.tasks[name];
    if (!firstRun || first?.status !== 'ok') continue;
    const groups = new Map<string, LeaderboardEntry[]>();
    for (const e of entries) {
      const t = e.tasks[name];
      if (!t || t.status !== 'ok' || !t.headline) continue;
      const g = groups.get(t.headline) ?? [];
      g.push(e);
      groups.set(t.headline, g);
    }
    const rankings: Ranking[] = [];
    for (const metric of [...groups.keys()].sort()) {
      const members = groups.get(metric)!;
      const dirs = new Set(members.map((e) => e.tasks[name]!.metrics![metric]?.higherIsBetter ?? null));
      const hib = dirs.size === 1 ? [...dirs][0]! : null;
      if (hib === null) {
        rankings.push({ metric, higherIsBetter: null, reason: dirs.size > 1 ? 'the runs disagree on the direction' : 'direction unknown (not recorded by the runs, task plugin not found)', order: [] });
        continue;
      }
      const scored = members
        .map((e) => ({ id: e.id, task: e.tasks[name]!, m: e.tasks[name]!.metrics![metric]! }))
        .filter((x): x is typeof x & { m: { value: number } } => x.m.value !== null)
        .sort((x, y) => (hib ? y.m.value - x.m.value : x.m.value - y.m.value) || (x.id < y.id ? -1 : 1));
      const order: Ranking['order'] = [];
      scored.forEach((x, i) => {
        const rank = i > 0 && scored[i - 1]!.m.value === x.m.value ? order[i - 1]!.rank : i + 1;
        order.push({ id: x.id, value: x.m.value, ci95: x.m.ci95, rank });
        x.task.rank = rank;
      });
      rankings.push({ metric, higherIsBetter: hib, order });
    }
    out[name] = { version: first.version, tier: firstRun.run.tier, data: first.data, rankings };
  }
  return out;
}
