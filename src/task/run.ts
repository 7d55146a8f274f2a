/**
 * The shape of a run's JSON (results/schema/run.schema.json). It lives on the task floor, below
 * scaling and report, because matched compute (scaling) reads runs as much as the report floor writes
 * them; writing and validating stay in src/report/run-result.ts.
 */
import type { TaskRunResult } from './execute.js';

/** Which harness made a run: version from package.json, git commit of the checkout. */
export interface HarnessInfo {
  name: 'plmbench';
  version: string;
  commit: string | null;
  dirty?: boolean;
}

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
    /** WebGPU runs: the adapter (issue 17). */
    adapter?: string;
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
