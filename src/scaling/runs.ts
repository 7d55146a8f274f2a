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
