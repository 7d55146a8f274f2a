import { BenchError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { readTextFile } from './data-files.js';
import { schemaErrors } from '../util/schema.js';
import type { RunResult } from '../report/run-result.js';
import type { DataFileInfo } from '../task/types.js';
import type { TaskRunResult } from '../task/execute.js';

export type OkTask = Extract<TaskRunResult, { status: 'ok' }>;

/** A run JSON read from disk and validated against run.schema.json, with the hash of its bytes. */
export interface RunFile {
  path: string;
  sha256: string;
  run: RunResult;
}

/** Reads a run result; a missing, unreadable (a directory...), malformed or schema-invalid file is a BenchError naming the file. */
export function readRunFile(path: string): RunFile {
  const text = readTextFile(path, 'run file');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BenchError('E_RESULT', `${path}: not valid JSON (${(e as Error).message})`);
  }
  const errors = schemaErrors('run', data);
  if (errors.length > 0) throw new BenchError('E_RESULT', `${path}: not a valid plmbench run: ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`);
  return { path, sha256: sha256(text), run: data as RunResult };
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
export function dataDifference(a: readonly DataFileInfo[], b: readonly DataFileInfo[]): string | null {
  const key = (d: DataFileInfo) => `${d.sha256}:${d.rows}`;
  const ka = new Map(a.map((d) => [key(d), d]));
  const kb = new Map(b.map((d) => [key(d), d]));
  const onlyA = [...ka.keys()].filter((k) => !kb.has(k)).sort();
  const onlyB = [...kb.keys()].filter((k) => !ka.has(k)).sort();
  if (onlyA.length === 0 && onlyB.length === 0) return null;
  const show = (m: Map<string, DataFileInfo>, ks: string[]) => ks.map((k) => `${m.get(k)!.file} (sha256 ${k.slice(0, 12)}, ${m.get(k)!.rows} rows)`).join(', ') || 'nothing else';
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
export function formatOptions(o: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
}

/** Whether two normalised option maps are the same (exact key/value equality). */
export function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  return formatOptions(a) === formatOptions(b);
}

/**
 * Why two runs scored different items, or null: different tiers, or smoke runs of different seeds
 * (the seed may choose the smoke subset; full runs score every item whatever the seed).
 */
export function tierSeedDifference(a: { tier: string; seed: number }, b: { tier: string; seed: number }): string | null {
  if (a.tier !== b.tier) return `tier ${a.tier} vs ${b.tier}`;
  if (a.tier === 'smoke' && a.seed !== b.seed) return `smoke-tier seed ${a.seed} vs ${b.seed}`;
  return null;
}

/** Protocol fields that record a decision changing what a task measures (fitness strategy, contacts source). */
export const PROTOCOL_DECISIONS = ['strategy', 'source'] as const;

/**
 * The effective protocol decision of a task result (`protocol.strategy`, `protocol.source`) as a
 * string, or null when the result does not record it.
 */
export function protocolDecision(task: OkTask, field: (typeof PROTOCOL_DECISIONS)[number]): string | null {
  const p = task.protocol as Record<string, unknown> | undefined;
  const v = p?.[field];
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Why two results of a task used different protocols, or null: a `protocol.strategy` or
 * `protocol.source` recorded by both with different values (`fields` narrows which are compared).
 */
export function protocolDifference(a: OkTask, b: OkTask, fields: readonly (typeof PROTOCOL_DECISIONS)[number][] = PROTOCOL_DECISIONS): string | null {
  for (const f of fields) {
    const x = protocolDecision(a, f);
    const y = protocolDecision(b, f);
    if (x !== null && y !== null && x !== y) return `protocol.${f} ${x} vs ${y}`;
  }
  return null;
}
