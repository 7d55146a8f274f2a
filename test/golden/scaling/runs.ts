// Synthetic run results for the scaling, gate and leaderboard tests: plain objects built like the harness
// builds them (metric = mean of the per-item values with its bootstrap interval), validated against
// results/schema/run.schema.json so a test never feeds the code a run the harness could not write.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanOverItems } from '../../../src/task/index.js';
import type { BaselineSet, DataFileInfo } from '../../../src/task/types.js';
import type { RunResult } from '../../../src/report/run-result.js';
import { toJsonSafe, validateRun } from '../../../src/report/run-result.js';
import { Rng } from '../../../src/util/rng.js';
import { sha256 } from '../../../src/util/hash.js';
import type { TaskRunResult } from '../../../src/task/execute.js';

export interface SynthTask {
  version?: string;
  data?: DataFileInfo[];
  headline: string;
  /** metric -> higherIsBetter (omit to leave the direction unrecorded). */
  directions: Record<string, boolean | undefined>;
  /** Per-item values; each metric's value is their mean (with a bootstrap interval over items). */
  items: { id: string; values: Record<string, number> }[];
  baselines?: BaselineSet[];
  status?: 'ok' | 'skipped' | 'failed';
}

export interface SynthRun {
  id: string;
  objective: 'mlm' | 'clm';
  params?: number;
  trainTokens?: number;
  trainFlops?: number;
  seed?: number;
  tier?: 'smoke' | 'full';
  options?: Record<string, Record<string, string>>;
  tasks: Record<string, SynthTask>;
}

export const DATA_A: DataFileInfo = { file: 'data/a.csv', sha256: sha256('data a'), rows: 10 };
export const DATA_B: DataFileInfo = { file: 'data/b.csv', sha256: sha256('data b'), rows: 10 };

export function syntheticRun(s: SynthRun): RunResult {
  const tasks: Record<string, TaskRunResult> = {};
  for (const [name, t] of Object.entries(s.tasks)) {
    const version = t.version ?? '1.0.0';
    if (t.status === 'skipped') {
      tasks[name] = { version, status: 'skipped', reason: 'synthetic skip' };
      continue;
    }
    if (t.status === 'failed') {
      tasks[name] = { version, status: 'failed', code: 'E_MODEL_OUTPUT', reason: 'synthetic failure' };
      continue;
    }
    const metrics: Record<string, { value: number; ci95: [number, number] | null; n: number; higherIsBetter?: boolean }> = {};
    for (const [m, hib] of Object.entries(t.directions)) {
      const v = meanOverItems(
        t.items.map((i) => i.values[m]!),
        new Rng(`${s.id}|${name}|${m}`),
      );
      metrics[m] = hib === undefined ? v : { ...v, higherIsBetter: hib };
    }
    tasks[name] = {
      version,
      status: 'ok',
      headline: t.headline,
      metrics,
      items: t.items.map((i) => ({ id: i.id, n: 1, metrics: i.values })),
      protocol: { synthetic: true },
      data: t.data ?? [DATA_A],
      cost: { forwardPasses: 0, cached: 0, tokens: 0, paddedTokens: 0, batches: 0, inferenceSeconds: 0, seconds: 0, peakRssMiB: 0 },
      ...(t.baselines ? { baselines: t.baselines } : {}),
    };
  }
  const card: Record<string, unknown> = {
    id: s.id,
    objective: s.objective,
    vocab: s.objective === 'mlm' ? 'esm' : 'progen2',
    maxLength: 1026,
  };
  if (s.params !== undefined) card['params'] = s.params;
  if (s.trainTokens !== undefined) card['trainTokens'] = s.trainTokens;
  if (s.trainFlops !== undefined) card['trainFlops'] = s.trainFlops;
  const run: RunResult = {
    schemaVersion: 1,
    runId: `synthetic-${s.id}`,
    createdAt: '2024-01-01T00:00:00.000Z',
    harness: { name: 'plmbench', version: '0.1.0', commit: null },
    model: {
      path: `${s.id}.onnx`,
      sha256: sha256(`model ${s.id}`),
      card,
      cardSource: 'sidecar',
      paramsCounted: { total: (s.params ?? 1000) + 100, nonEmbedding: s.params ?? 1000, embedding: 100 },
      ep: 'cpu',
      precision: 'fp32',
    },
    tier: s.tier ?? 'smoke',
    seed: s.seed ?? 0,
    settings: { tasks: Object.keys(s.tasks), options: s.options ?? {} },
    machine: {},
    timings: { startedAt: '2024-01-01T00:00:00.000Z', seconds: 0 },
    tasks,
  };
  const safe = toJsonSafe(run);
  validateRun(safe, `synthetic run ${s.id}`);
  return safe;
}

/** Writes a run to `dir/<name>.json` and returns the path. */
export function writeRun(dir: string, name: string, run: RunResult): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(run, null, 2));
  return path;
}

/** Items `item-0..n-1` with values from `f(i)` for each metric. */
export function items(n: number, f: (i: number) => Record<string, number>): { id: string; values: Record<string, number> }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `item-${String(i).padStart(3, '0')}`, values: f(i) }));
}
