import { BenchError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { stableStringify } from '../util/json.js';
import { schemaErrors } from '../util/schema.js';
import type { TaskRunResult } from '../task/execute.js';
import type { HarnessInfo } from './harness.js';

/** The run JSON (results/schema/run.schema.json). */
export interface RunResult {
  schemaVersion: 1;
  runId: string;
  createdAt: string;
  harness: HarnessInfo;
  model: {
    path: string;
    sha256: string;
    card: Record<string, unknown>;
    cardSource: string;
    paramsCounted: { total: number; nonEmbedding: number; embedding: number };
    ep: string;
    epFallbacks?: { ep: string; reason: string }[];
    precision: string;
    conformance?: { name: string; ok: boolean; detail: string }[];
    warnings?: string[];
  };
  refModel?: { path: string; sha256: string; id: string };
  compute?: Record<string, unknown>;
  matchedCompute?: Record<string, unknown>;
  tier: 'smoke' | 'full';
  seed: number;
  settings: Record<string, unknown>;
  machine: Record<string, unknown>;
  timings: { startedAt: string; seconds: number };
  tasks: Record<string, TaskRunResult>;
}

/**
 * Replaces non-finite numbers (which JSON cannot hold) by null and typed arrays by plain arrays, so
 * a metric that is undefined on some item is recorded as null rather than breaking the file.
 */
export function toJsonSafe<T>(value: T): T {
  return JSON.parse(stableStringify(value, undefined), (_k, v: unknown) => v) as T;
}

export function validateRun(run: unknown, where: string): void {
  const errors = schemaErrors('run', run);
  if (errors.length > 0) throw new BenchError('E_RESULT', `${where}: invalid run result: ${errors.slice(0, 8).join('; ')}${errors.length > 8 ? `; and ${errors.length - 8} more` : ''}`);
}

/** Serialises a run deterministically (sorted keys), after validating it against the schema. */
export function serializeRun(run: RunResult): string {
  const safe = toJsonSafe(run);
  validateRun(safe, 'run result');
  return stableStringify(safe, 2) + '\n';
}

/** Validates and writes atomically; nothing is written when validation fails. */
export function writeRun(path: string, run: RunResult): string {
  const text = serializeRun(run);
  writeFileAtomic(path, text);
  return text;
}
