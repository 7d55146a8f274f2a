import { BenchError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { pairedBootstrapMeanDiff } from '../metrics/index.js';
import {
  finite,
  itemValues,
  okTasks,
  recordedDirection,
  taskDifference,
  taskOptions,
  type OkTask,
  type RunFile,
  type TaskDifference,
} from '../scaling/index.js';
import { isIgnored, ruleFor, type GateConfig } from './gate-config.js';

/**
 * One metric of one task, compared over the items both runs scored.
 * `regression`: the interval of the oriented change (positive = better) lies entirely below -tolerance;
 * `improvement`: entirely above +tolerance; `pass`: otherwise (within tolerance or within noise);
 * `insufficient`: fewer than 2 shared items, no interval (never a regression);
 * `not-paired`: the metric has no per-item values (shown, not gated); `ignored`: listed under ignore.
 * A metric (or an item's value of it) finite in the baseline and null or missing in the current run
 * is a `regression` with a `note`, whatever the interval: a run that stops producing a number must
 * not pass by having nothing left to compare.
 */
export interface GateRow {
  task: string;
  metric: string;
  /** null only for rows that are not gated (not-paired, ignored) when nobody records the direction. */
  higherIsBetter: boolean | null;
  /** Items scored by both runs with a finite value of this metric. */
  n: number;
  /** Mean per-item value over the shared items, baseline and current run. */
  baselineMean: number | null;
  currentMean: number | null;
  /** current - baseline, mean over shared items, and its paired bootstrap interval. */
  diff: number | null;
  ci95: [number, number] | null;
  /** Absolute tolerance applied to the oriented change, the rule's key, and whether it was relative. */
  tolerance: number | null;
  rule: string;
  status: 'regression' | 'improvement' | 'pass' | 'insufficient' | 'not-paired' | 'ignored';
  /** Why a row is a regression without an interval: values finite in the baseline lost in the current run. */
  note?: string;
  /** The runs' aggregate metric values (the task's own statistic over all its items), for context. */
  aggregate: { baseline: number | null; current: number | null };
}

export interface GateTaskStatus {
  task: string;
  status: 'compared' | 'missing' | 'new' | 'not-compared' | 'ignored';
  reason?: string;
  /** A missing task counts as a regression (config missingTask: fail). */
  regression: boolean;
}

export interface GateReport {
  version: 1;
  statistic: string;
  baseline: { path: string; runId: string; model: string; sha256: string; tier: string };
  current: { path: string; runId: string; model: string; sha256: string; tier: string };
  config: { file: string; sha256: string; resamples: number; alpha: number };
  seed: number;
  tasks: GateTaskStatus[];
  rows: GateRow[];
  regressions: string[];
  passed: boolean;
}

const GATE_STATISTIC =
  'Per task and metric, over the items both runs scored (same ids, finite values): the mean of (current - baseline) per item, ' +
  'with a paired percentile bootstrap interval (pairedBootstrapMeanDiff, items resampled with replacement). ' +
  "Oriented by the metric's direction (higher or lower is better), a regression is an interval entirely below -tolerance.";

export interface GateOptions {
  config: GateConfig;
  seed: number;
  /** Direction of a metric the runs and the config do not give (task plugins' describe()). */
  direction?: (task: string, metric: string) => boolean | null;
}

/**
 * Compares a current run with a baseline run task by task. Unusable input is a BenchError (exit 2):
 * a compared task whose version or data files differ; runs of different tiers, or smoke runs of
 * different seeds (they score different items or subsets); a compared task whose options differ
 * (exact equality of the option maps) or whose effective protocol differs (`protocol.strategy` or
 * `protocol.source` recorded by both runs with different values); a compared task with no shared
 * items; no task ok in both runs; a metric whose direction is unknown.
 */
export function gateRuns(baseline: RunFile, current: RunFile, opts: GateOptions): GateReport {
  const { config } = opts;
  const objective = (f: RunFile) => (f.run.model.card as { objective?: unknown }).objective;
  if (objective(baseline) !== objective(current)) {
    throw new BenchError(
      'E_GATE_INPUT',
      `gate: objectives differ: ${String(objective(baseline))} in ${baseline.path}, ${String(objective(current))} in ${current.path}; a masked model's pseudo-likelihoods are not comparable with a causal model's likelihoods`,
    );
  }
  for (const f of [baseline, current]) {
    for (const [name, t] of okTasks(f.run)) {
      const seen = new Set<string>();
      for (const it of t.items) {
        if (seen.has(it.id))
          throw new BenchError(
            'E_GATE_INPUT',
            `gate: ${f.path}: task ${name}: item id ${JSON.stringify(it.id.slice(0, 40))} appears twice; items cannot be paired`,
          );
        seen.add(it.id);
      }
    }
  }
  // Runs of one model at different precisions (fp16, fp32) differ in their outputs, not only in noise:
  // they are never compared.
  if (baseline.run.model.precision !== current.run.model.precision) {
    throw new BenchError(
      'E_GATE_INPUT',
      `gate: the runs have different precision (${baseline.run.model.precision} in ${baseline.path}, ${current.run.model.precision} in ${current.path}); compare runs of one precision`,
    );
  }
  const a = new Map(okTasks(baseline.run));
  const b = new Map(okTasks(current.run));
  const pair = `(${baseline.path} vs ${current.path})`;
  const names = [...new Set([...Object.keys(baseline.run.tasks), ...Object.keys(current.run.tasks)])].sort();
  const tasks: GateTaskStatus[] = [];
  const rows: GateRow[] = [];
  for (const name of names) {
    const ta = a.get(name);
    const tb = b.get(name);
    if (isIgnored(config, name, null)) {
      tasks.push({ task: name, status: 'ignored', reason: 'listed under ignore in the gate config', regression: false });
      continue;
    }
    if (ta && !tb) {
      const r = current.run.tasks[name];
      const why = r ? (r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason}`) : 'not run';
      tasks.push({
        task: name,
        status: 'missing',
        reason: `ok in the baseline run, ${why} in the current run`,
        regression: config.missingTask === 'fail',
      });
      continue;
    }
    if (!ta && tb) {
      tasks.push({ task: name, status: 'new', reason: 'not ok in the baseline run: nothing to compare with', regression: false });
      continue;
    }
    if (!ta || !tb) {
      tasks.push({ task: name, status: 'not-compared', reason: 'not ok in either run', regression: false });
      continue;
    }
    const diff = taskDifference(
      { task: ta, run: baseline.run, options: taskOptions(baseline.run, name) },
      { task: tb, run: current.run, options: taskOptions(current.run, name) },
    );
    if (diff?.check === 'version') {
      // Its own exit code (4): CI recipes refresh the stored baseline instead of failing the build (examples/ci/).
      throw new BenchError(
        'E_GATE_STALE',
        `gate: task ${name}: baseline is from task version ${ta.version} (${baseline.path}), this run from version ${tb.version} (${current.path}): refresh it (rerun the baseline with this harness and store it again)`,
      );
    }
    if (diff) throw new BenchError('E_GATE_INPUT', `gate: task ${name}: ${diff.detail} ${pair}${refusalHint(diff.check, name)}`);
    if (sharedIds(ta, tb) === 0) {
      throw new BenchError(
        'E_GATE_INPUT',
        `gate: task ${name}: the runs share no items (${ta.items.length} in ${baseline.path}, ${tb.items.length} in ${current.path}); nothing can be paired`,
      );
    }
    rows.push(...compareTask(name, ta, tb, opts, [baseline.path, current.path]));
    tasks.push({ task: name, status: 'compared', regression: false });
  }
  if (!tasks.some((t) => t.status === 'compared')) {
    throw new BenchError('E_GATE_INPUT', `gate: no task finished ok in both ${baseline.path} and ${current.path}`);
  }
  const regressions = [
    ...tasks.filter((t) => t.regression).map((t) => `${t.task} (${t.reason})`),
    ...rows.filter((r) => r.status === 'regression').map((r) => `${r.task}.${r.metric}`),
  ];
  const describe = (f: RunFile) => ({
    path: f.path,
    runId: f.run.runId,
    model: (f.run.model.card as { id?: string }).id ?? '',
    sha256: f.run.model.sha256,
    tier: f.run.tier,
  });
  return {
    version: 1,
    statistic: GATE_STATISTIC,
    baseline: describe(baseline),
    current: describe(current),
    config: { file: config.file, sha256: config.sha256, resamples: config.resamples, alpha: config.alpha },
    seed: opts.seed,
    tasks,
    rows,
    regressions,
    passed: regressions.length === 0,
  };
}

/** What the gate's refusal of a task adds after the runs' paths, by the check that failed. */
function refusalHint(check: Exclude<TaskDifference['check'], 'version'>, task: string): string {
  switch (check) {
    case 'data':
      return '';
    case 'tier-seed':
      return '; the runs score different items: run both with the same --tier and --seed';
    case 'options':
      return `; run both with the same --option ${task}.* (compared exactly: an option given at its default differs from one left unset)`;
    case 'protocol':
      return '; the runs measured different things';
  }
}

function sharedIds(a: OkTask, b: OkTask): number {
  const ids = new Set(a.items.map((i) => i.id));
  return b.items.filter((i) => ids.has(i.id)).length;
}

/**
 * A metric's direction. The task plugin's definition is authoritative: a run or a gate config that
 * records another direction is refused (a run whose flags were flipped would turn a regression into an
 * improvement). Without the plugin, both runs' records must agree; then the config decides.
 */
function directionOf(
  name: string,
  metric: string,
  ta: OkTask,
  tb: OkTask,
  ruleHib: boolean | undefined,
  opts: GateOptions,
  paths: [string, string],
): boolean | null {
  const plugin = opts.direction?.(name, metric) ?? null;
  const recorded: [string, boolean | null][] = [
    [paths[0], recordedDirection(ta, metric)],
    [paths[1], recordedDirection(tb, metric)],
  ];
  const word = (x: boolean) => (x ? 'higher is better' : 'lower is better');
  if (plugin !== null) {
    for (const [path, r] of recorded) {
      if (r !== null && r !== plugin)
        throw new BenchError(
          'E_GATE_INPUT',
          `gate: ${name}.${metric}: ${path} records ${word(r)}, the task's definition says ${word(plugin)}; the run was altered or made by another definition of the metric`,
        );
    }
    if (ruleHib !== undefined && ruleHib !== plugin)
      throw new BenchError(
        'E_GATE_INPUT',
        `gate: ${name}.${metric}: the gate config says ${word(ruleHib)}, the task's definition says ${word(plugin)}; remove higherIsBetter from the config`,
      );
    return plugin;
  }
  const [ra, rb] = [recorded[0]![1], recorded[1]![1]];
  if (ra !== null && rb !== null && ra !== rb)
    throw new BenchError(
      'E_GATE_INPUT',
      `gate: ${name}.${metric}: ${paths[0]} records ${word(ra)}, ${paths[1]} ${word(rb)}; the runs define the metric differently`,
    );
  return rb ?? ra ?? ruleHib ?? null;
}

function compareTask(name: string, ta: OkTask, tb: OkTask, opts: GateOptions, paths: [string, string]): GateRow[] {
  const { config } = opts;
  const metrics = [...new Set([...Object.keys(ta.metrics), ...Object.keys(tb.metrics)])].filter((m) => m in ta.metrics).sort();
  const rows: GateRow[] = [];
  for (const metric of metrics) {
    const { rule, key } = ruleFor(config, name, metric);
    const hib = directionOf(name, metric, ta, tb, rule.higherIsBetter, opts, paths);
    const aggregate = { baseline: finite(ta.metrics[metric]!.value), current: finite(tb.metrics[metric]?.value) };
    const base = { task: name, metric, aggregate };
    const empty = { n: 0, baselineMean: null, currentMean: null, diff: null, ci95: null, tolerance: null, rule: key };
    if (isIgnored(config, name, metric)) {
      rows.push({ ...base, higherIsBetter: hib, ...empty, status: 'ignored' });
      continue;
    }
    if (aggregate.baseline !== null && aggregate.current === null) {
      const how = metric in tb.metrics ? 'null' : 'missing';
      rows.push({
        ...base,
        higherIsBetter: hib,
        ...empty,
        status: 'regression',
        note: `finite in the baseline (${aggregate.baseline}), ${how} in the current run`,
      });
      continue;
    }
    const va = itemValues(ta, metric);
    const vb = itemValues(tb, metric);
    const currentIds = new Set(tb.items.map((i) => i.id));
    const lost = [...va.keys()].filter((id) => currentIds.has(id) && !vb.has(id)).sort();
    if (lost.length > 0) {
      rows.push({
        ...base,
        higherIsBetter: hib,
        ...empty,
        status: 'regression',
        note: `${lost.length} item(s) finite in the baseline have no value in the current run (first: ${JSON.stringify(lost[0]!.slice(0, 40))})`,
      });
      continue;
    }
    const ids = [...va.keys()].filter((id) => vb.has(id)).sort();
    if (ids.length === 0) {
      rows.push({ ...base, higherIsBetter: hib, ...empty, status: 'not-paired' });
      continue;
    }
    if (hib === null) {
      throw new BenchError(
        'E_GATE_INPUT',
        `gate: ${name}.${metric}: direction unknown (the runs do not record higherIsBetter and the task plugin is not available); add "${name}.${metric}": { "tolerance": ..., "higherIsBetter": true|false } to the gate config`,
      );
    }
    const xa = ids.map((id) => va.get(id)!);
    const xb = ids.map((id) => vb.get(id)!);
    const rng = new Rng(`gate:${opts.seed}`).fork(`${name}|${metric}`);
    const r = pairedBootstrapMeanDiff(xa, xb, { rng, resamples: config.resamples, alpha: config.alpha });
    const tolerance = rule.relative ? rule.tolerance * Math.abs(r.meanA) : rule.tolerance;
    let status: GateRow['status'] = 'pass';
    if (!r.ci) status = 'insufficient';
    else {
      const [lo, hi] = hib ? r.ci : [-r.ci[1], -r.ci[0]];
      if (hi < -tolerance) status = 'regression';
      else if (lo > tolerance) status = 'improvement';
    }
    rows.push({
      ...base,
      higherIsBetter: hib,
      n: ids.length,
      baselineMean: r.meanA,
      currentMean: r.meanB,
      diff: r.estimate,
      ci95: r.ci,
      tolerance,
      rule: `${key}${rule.relative ? ` (${rule.tolerance} relative)` : ''}`,
      status,
    });
  }
  return rows;
}
