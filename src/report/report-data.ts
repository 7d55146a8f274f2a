import { basename } from 'node:path';
import { BenchError } from '../util/errors.js';
import { readTextFile } from '../scaling/data-files.js';
import { schemaErrorSummary, schemaErrors } from '../util/schema.js';
import { sha256 as sha256Of } from '../util/hash.js';
import {
  readRunFile,
  finite,
  type Comparison,
  type FrontierPosition,
  type ModelCompute,
  type Objective,
  type Reference,
  type Unavailable,
} from '../scaling/index.js';
import type { RunResult } from './run-result.js';
import type { BaselineSet, DataFileInfo, ItemResult } from '../task/types.js';

/**
 * What every renderer (end-of-run summary, Markdown, HTML) reads: one subject per model, from a run
 * JSON or from a leaderboard entry. Leaderboard fields are read defensively (its format may gain or
 * move fields): whatever is missing is shown as missing, never guessed.
 */
export interface SubjectMetric {
  value: number | null;
  ci95: [number | null, number | null] | null;
  n: number | null;
  higherIsBetter: boolean | null;
}

export interface SubjectTask {
  status: string;
  version: string | null;
  reason?: string;
  headline?: string;
  metrics: Record<string, SubjectMetric>;
  rank?: number | null;
  /** Runs only: per-item values, the protocol, data files and the task's baseline sets. */
  items?: ItemResult[];
  protocol?: Record<string, unknown>;
  data?: DataFileInfo[];
  baselines?: BaselineSet[];
  seconds?: number;
}

export interface MatchedView {
  comparisons: Comparison[];
  references: Reference[];
  unavailable: Unavailable[];
  notes: string[];
}

export interface ReportSubject {
  id: string;
  objective: Objective | null;
  source: {
    kind: 'run' | 'leaderboard';
    file: string;
    sha256: string | null;
    runId: string | null;
    tier: string | null;
    seed: number | null;
    createdAt: string | null;
    seconds: number | null;
    harness: string | null;
  };
  modelSha256: string | null;
  ep: string | null;
  compute: ModelCompute | null;
  frontier: FrontierPosition[];
  tasks: Record<string, SubjectTask>;
  matched: MatchedView | null;
}

export interface ReportInputFile {
  path: string;
  kind: 'run' | 'leaderboard';
  sha256: string;
}

export interface ReportData {
  files: ReportInputFile[];
  subjects: ReportSubject[];
  /** Data files the matched-compute numbers were computed from (registry, laws, registered runs), with hashes. */
  matchedData: Record<string, unknown>[];
}

const asObj = (x: unknown): Record<string, unknown> | null =>
  x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
const asArr = <T = unknown>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

function objectiveOf(x: unknown): Objective | null {
  return x === 'mlm' || x === 'clm' ? x : null;
}

function metricOf(v: unknown): SubjectMetric {
  const o = asObj(v) ?? {};
  const ci =
    Array.isArray(o.ci95) && o.ci95.length === 2 ? ([finite(o.ci95[0]), finite(o.ci95[1])] as [number | null, number | null]) : null;
  return {
    value: finite(o.value),
    ci95: ci,
    n: finite(o.n),
    higherIsBetter: typeof o.higherIsBetter === 'boolean' ? o.higherIsBetter : null,
  };
}

function metricsOf(x: unknown): Record<string, SubjectMetric> {
  const out: Record<string, SubjectMetric> = {};
  for (const [k, v] of Object.entries(asObj(x) ?? {})) out[k] = metricOf(v);
  return out;
}

function matchedOf(x: unknown): MatchedView | null {
  const o = asObj(x);
  if (!o) return null;
  return {
    comparisons: asArr<Comparison>(o.comparisons).filter((c) => asObj(c) && typeof c.task === 'string'),
    references: asArr<Reference>(o.references),
    unavailable: asArr<Unavailable>(o.unavailable),
    notes: asArr(o.notes).filter((n): n is string => typeof n === 'string'),
  };
}

/** A subject from a run result (its matched compute as the run recorded it). */
export function subjectFromRun(run: RunResult, file: string, sha256: string | null): ReportSubject {
  const mc = asObj(run.matchedCompute);
  const model = asObj(mc?.model);
  const tasks: Record<string, SubjectTask> = {};
  for (const [name, r] of Object.entries(run.tasks)) {
    if (r.status !== 'ok') {
      tasks[name] = { status: r.status, version: r.version, reason: r.reason, metrics: {} };
      continue;
    }
    tasks[name] = {
      status: 'ok',
      version: r.version,
      headline: r.headline,
      metrics: metricsOf(r.metrics),
      items: r.items,
      protocol: r.protocol,
      data: r.data,
      baselines: r.baselines,
      seconds: r.cost.seconds,
    };
  }
  const card = run.model.card as { id?: unknown; objective?: unknown };
  return {
    id: str(card.id) ?? basename(file, '.json'),
    objective: objectiveOf(model?.objective) ?? objectiveOf(card.objective),
    source: {
      kind: 'run',
      file,
      sha256,
      runId: run.runId,
      tier: run.tier,
      seed: run.seed,
      createdAt: run.createdAt,
      seconds: run.timings.seconds,
      harness: harnessText(run.harness),
    },
    modelSha256: run.model.sha256,
    ep: run.model.ep,
    compute: (asObj(model?.compute) as ModelCompute | null) ?? null,
    frontier: asArr<FrontierPosition>(model?.frontier),
    tasks,
    matched: matchedOf(mc),
  };
}

function harnessText(h: unknown): string | null {
  const o = asObj(h);
  if (!o) return null;
  return `${str(o.version) ?? '?'}${str(o.commit) ? ` (${str(o.commit)!.slice(0, 10)})` : ''}`;
}

/**
 * Subjects from a leaderboard. Comparisons get their family curve back from the board, which stores each
 * curve once (`curves[curveId]`).
 */
export function subjectsFromLeaderboard(board: Record<string, unknown>, file: string): ReportSubject[] {
  const entries = asArr(board.entries)
    .map(asObj)
    .filter((e): e is Record<string, unknown> => e !== null);
  const boardCurves = curvesOf(board);
  return entries.map((e) => {
    const run = asObj(e.run) ?? {};
    const model = asObj(e.model) ?? {};
    const card = asObj(model.card) ?? {};
    const tasks: Record<string, SubjectTask> = {};
    for (const [name, t] of Object.entries(asObj(e.tasks) ?? {})) {
      const o = asObj(t) ?? {};
      tasks[name] = {
        status: str(o.status) ?? 'unknown',
        version: str(o.version),
        ...(str(o.reason) ? { reason: str(o.reason)! } : {}),
        ...(str(o.headline) ? { headline: str(o.headline)! } : {}),
        metrics: metricsOf(o.metrics),
        rank: finite(o.rank),
      };
    }
    const matched = matchedOf(e.matchedCompute);
    if (matched) {
      for (const c of matched.comparisons) {
        if (Array.isArray(c.curve)) continue;
        const found = boardCurves(c);
        c.curve = found?.points ?? [c.lower, c.upper].filter((p) => asObj(p) && finite(p.flops) !== null);
        if (found?.source) c.source = found.source;
        if (found?.description) c.description = found.description;
      }
    }
    return {
      id: str(e.id) ?? '?',
      objective: objectiveOf(model.objective) ?? objectiveOf(card.objective),
      source: {
        kind: 'leaderboard' as const,
        file: str(run.file) ?? file,
        sha256: str(run.fileSha256),
        runId: str(run.runId),
        tier: str(run.tier),
        seed: finite(run.seed),
        createdAt: null,
        seconds: null,
        harness: harnessText(run.harness),
      },
      modelSha256: str(model.sha256),
      ep: null,
      compute: (asObj(e.compute) as ModelCompute | null) ?? null,
      frontier: asArr<FrontierPosition>(e.frontier),
      tasks,
      matched,
    };
  });
}

type CurveLookup = (
  c: Comparison,
) => { points: { id: string; flops: number; score: number }[]; source?: string; description?: string } | null;

/** The leaderboard's curves, stored once per board (`curves[curveId]`, leaderboard schemaVersion 2). */
function curvesOf(board: Record<string, unknown>): CurveLookup {
  const curves = asObj(board.curves) ?? {};
  return (c) => {
    const id = (c as { curveId?: unknown }).curveId;
    const rec = typeof id === 'string' ? asObj(curves[id]) : null;
    const points = asArr<{ id: string; flops: number; score: number }>(rec?.points);
    if (!rec || points.length === 0) return null;
    return {
      points,
      ...(str(rec.source) ? { source: str(rec.source)! } : {}),
      ...(str(rec.description) ? { description: str(rec.description)! } : {}),
    };
  };
}

/** Reads run and leaderboard files (told apart by `kind`); bad input is a BenchError naming the file. */
export function readReportInputs(paths: { path: string; shownAs: string }[]): ReportData {
  const files: ReportInputFile[] = [];
  const subjects: ReportSubject[] = [];
  const matchedData: Record<string, unknown>[] = [];
  for (const { path, shownAs } of paths) {
    const text = readTextFile(path, 'report input');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new BenchError('E_RESULT', `${shownAs}: not valid JSON (${(e as Error).message})`);
    }
    const sha256 = sha256Of(text);
    const kind = asObj(data)?.kind === 'plmbench-leaderboard' ? 'leaderboard' : 'run';
    if (kind === 'leaderboard') {
      const errors = schemaErrors('leaderboard', data);
      if (errors.length > 0)
        throw new BenchError('E_RESULT', `${shownAs}: not a valid plmbench leaderboard: ${schemaErrorSummary(errors, 3)}`);
      const board = data as Record<string, unknown>;
      if (!Array.isArray(board.entries)) throw new BenchError('E_RESULT', `${shownAs}: a leaderboard without entries`);
      subjects.push(...subjectsFromLeaderboard(board, shownAs));
      if (asObj(board.data)) matchedData.push({ from: shownAs, ...asObj(board.data)! });
    } else {
      const f = readRunFile(path, shownAs);
      subjects.push(subjectFromRun(f.run, shownAs, f.sha256));
      const d = asObj(asObj(f.run.matchedCompute)?.data);
      if (d) matchedData.push({ from: shownAs, ...d });
    }
    files.push({ path: shownAs, kind, sha256 });
  }
  const seen = new Map<string, string>();
  for (const s of subjects) {
    const key = `${s.id}|${s.source.runId ?? s.source.file}`;
    if (seen.has(key))
      throw new BenchError(
        'E_USAGE',
        `report: the run ${s.source.runId ?? s.source.file} of ${s.id} is given twice (${seen.get(key)} and ${s.source.file})`,
      );
    seen.set(key, s.source.file);
  }
  if (subjects.length === 0) throw new BenchError('E_USAGE', 'report: the inputs hold no run');
  return { files, subjects, matchedData };
}

/** Task names over all subjects, in a stable order. */
export function taskNames(subjects: ReportSubject[]): string[] {
  return [...new Set(subjects.flatMap((s) => Object.keys(s.tasks)))].sort();
}
