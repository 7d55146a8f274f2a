import { BenchError } from '../util/errors.js';
import { readValidJson } from './data-files.js';
import type { RunResult } from '../task/run.js';
import type { DataFileInfo } from '../task/types.js';
import type { TaskRunResult } from '../task/execute.js';
import type { Objective } from './types.js';

export type OkTask = Extract<TaskRunResult, { status: 'ok' }>;

/** A run JSON read from disk and validated against run.schema.json, with the hash of its bytes. */
export interface RunFile {
  path: string;
  sha256: string;
  run: RunResult;
}

/**
 * Reads a run result; a missing, unreadable (a directory...), malformed or schema-invalid file is a
 * BenchError naming the file (`path`). The RunFile's `path` is `shownAs` (e.g. the path as the user gave it).
 */
export function readRunFile(path: string, shownAs = path): RunFile {
  const { data, sha256 } = readValidJson(path, {
    schema: 'run',
    what: 'run file',
    code: 'E_RESULT',
    notJson: 'not valid JSON',
    invalid: 'not a valid plmbench run',
    maxErrors: 5,
  });
  return { path: shownAs, sha256, run: data as RunResult };
}

/** The objective of the run's card; a card whose objective is not mlm or clm is a BenchError. */
export function cardObjective(run: Pick<RunResult, 'runId' | 'model'>): Objective {
  const objective = (run.model.card as { objective?: unknown }).objective;
  if (objective !== 'mlm' && objective !== 'clm')
    throw new BenchError('E_RESULT', `run ${run.runId}: the card's objective is ${String(objective)}, not mlm or clm`);
  return objective;
}

/** `x` when it is a finite number, else null. */
export function finite(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export function okTasks(run: RunResult): [string, OkTask][] {
  return Object.entries(run.tasks)
    .filter((e): e is [string, OkTask] => e[1].status === 'ok')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Why two recordings of a task's data differ, or null when they name the same files (by sha256 and
 * row count; the file paths may differ).
 */
function dataDifference(a: readonly DataFileInfo[], b: readonly DataFileInfo[]): string | null {
  const key = (d: DataFileInfo) => `${d.sha256}:${d.rows}`;
  const ka = new Map(a.map((d) => [key(d), d]));
  const kb = new Map(b.map((d) => [key(d), d]));
  const onlyA = [...ka.keys()].filter((k) => !kb.has(k)).sort();
  const onlyB = [...kb.keys()].filter((k) => !ka.has(k)).sort();
  if (onlyA.length === 0 && onlyB.length === 0) return null;
  const show = (m: Map<string, DataFileInfo>, ks: string[]) =>
    ks.map((k) => `${m.get(k)!.file} (sha256 ${k.slice(0, 12)}, ${m.get(k)!.rows} rows)`).join(', ') || 'nothing else';
  return `data files differ: ${show(ka, onlyA)} vs ${show(kb, onlyB)}`;
}

/** Finite per-item values of a metric: item id -> value. */
export function itemValues(task: OkTask, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const it of task.items) {
    const v = it.metrics[metric];
    if (typeof v === 'number' && Number.isFinite(v)) out.set(it.id, v);
  }
  return out;
}

/** Metric direction recorded in the run (`higherIsBetter` on the metric), if any. */
export function recordedDirection(task: OkTask, metric: string): boolean | null {
  const m = task.metrics[metric] as { higherIsBetter?: unknown } | undefined;
  return typeof m?.higherIsBetter === 'boolean' ? m.higherIsBetter : null;
}

/**
 * A task's options as the run records them (`settings.options[task]`), normalised to a key -> value
 * map with sorted keys and string values; `{}` when the run sets none. Options are compared exactly:
 * the harness cannot know every task's defaults, so an option given explicitly (even at its default
 * value) differs from one left unset.
 */
export function taskOptions(run: Pick<RunResult, 'settings'>, task: string): Record<string, string> {
  const all = (run.settings as { options?: unknown } | undefined)?.options;
  const raw = all && typeof all === 'object' ? (all as Record<string, unknown>)[task] : undefined;
  const out: Record<string, string> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const k of Object.keys(raw).sort()) {
    const v = (raw as Record<string, unknown>)[k];
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** `{"a":"1","b":"2"}`: the normalised option map as one line (sorted keys). */
function formatOptions(o: Record<string, string>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    ),
  );
}

/** Whether two normalised option maps are the same (exact key/value equality). */
function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  return formatOptions(a) === formatOptions(b);
}

/**
 * Why two runs scored different items, or null: different tiers, or smoke runs of different seeds
 * (the seed may choose the smoke subset; full runs score every item whatever the seed).
 */
function tierSeedDifference(a: { tier: string; seed: number }, b: { tier: string; seed: number }): string | null {
  if (a.tier !== b.tier) return `tier ${a.tier} vs ${b.tier}`;
  if (a.tier === 'smoke' && a.seed !== b.seed) return `smoke-tier seed ${a.seed} vs ${b.seed}`;
  return null;
}

/** Protocol fields that record a decision changing what a task measures (fitness strategy, contacts source). */
const PROTOCOL_DECISIONS = ['strategy', 'source'] as const;
export type ProtocolDecision = (typeof PROTOCOL_DECISIONS)[number];

/**
 * The effective protocol decision of a task result (`protocol.strategy`, `protocol.source`) as a
 * string, or null when the result does not record it.
 */
function protocolDecision(task: { protocol?: unknown }, field: ProtocolDecision): string | null {
  const p = task.protocol as Record<string, unknown> | undefined;
  const v = p?.[field];
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Why two results of a task used different protocols, or null: a `protocol.strategy` or
 * `protocol.source` recorded by both with different values (`fields` narrows which are compared).
 */
export function protocolDifference(
  a: { protocol?: unknown },
  b: { protocol?: unknown },
  fields: readonly ProtocolDecision[] = PROTOCOL_DECISIONS,
): string | null {
  for (const f of fields) {
    const x = protocolDecision(a, f);
    const y = protocolDecision(b, f);
    if (x !== null && y !== null && x !== y) return `protocol.${f} ${x} vs ${y}`;
  }
  return null;
}

/** One side of a per-task comparison: the task's result, its run's tier and seed, the task's options. */
export interface TaskSide {
  task: { version: string; data: readonly DataFileInfo[]; protocol?: unknown };
  run: { tier: string; seed: number };
  /** The task's normalised options (taskOptions); absent when not recorded: then options are not compared. */
  options?: Record<string, string>;
}

/** Which check of taskDifference failed, and how the two sides differ. */
export interface TaskDifference {
  check: 'version' | 'data' | 'tier-seed' | 'options' | 'protocol';
  /** `version 1 vs 2`, `data files differ: ...`, `tier smoke vs full`, `options {} vs {"a":"1"}`, `protocol.source x vs y`. */
  detail: string;
}

/**
 * Whether two results of a task measured the same thing: the first check, in this order, on which
 * they differ, or null. `version`; `data` (files by hash and rows); `tier-seed` (tier, or the seed of
 * smoke runs); `options` (exact equality of the option maps, when both sides record them); `protocol`
 * (protocolDifference over the `protocol` decisions, by default all of them).
 */
export function taskDifference(
  a: TaskSide,
  b: TaskSide,
  protocol: readonly ProtocolDecision[] = PROTOCOL_DECISIONS,
): TaskDifference | null {
  if (a.task.version !== b.task.version) return { check: 'version', detail: `version ${a.task.version} vs ${b.task.version}` };
  const d = dataDifference(a.task.data, b.task.data);
  if (d) return { check: 'data', detail: d };
  const ts = tierSeedDifference(a.run, b.run);
  if (ts) return { check: 'tier-seed', detail: ts };
  if (a.options && b.options && !sameOptions(a.options, b.options))
    return { check: 'options', detail: `options ${formatOptions(a.options)} vs ${formatOptions(b.options)}` };
  const p = protocolDifference(a.task, b.task, protocol);
  if (p) return { check: 'protocol', detail: p };
  return null;
}
