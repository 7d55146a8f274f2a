// Shared test helpers for the fitness task: an independent reading of the bundled assays, ProteinGym's
// window function transcribed, log-softmax by hand, and a runner that calls the task on a model.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import task from '../../../tasks/fitness/index.js';
import type { TaskOutcome, TaskContext } from '../../../src/task/index.js';
import { newMeter, type Meter } from '../../../src/model/runner.js';
import { builtinTasksDir } from '../../../src/util/paths.js';
import type { LoadedModel } from '../../../src/model/model.js';
import { testContext, type TestContext } from '../../helpers/context.js';

export const FITNESS_DIR = resolve(builtinTasksDir, 'fitness');
export const GOLDEN = JSON.parse(readFileSync(resolve(FITNESS_DIR, '../../test/golden/fitness/golden.json'), 'utf8')) as Golden;

export interface Golden {
  model: { maxLength: number; seed: number; scale: number; tableFirst: number[]; tableSum: number };
  assays: Record<
    string,
    {
      uniprot: string;
      selectionType: string;
      n: number;
      windowed: boolean;
      metrics: Record<string, number>;
      sampleScores: Record<string, number>;
    }
  >;
  aggregate: Record<string, number>;
  /** Tied-score copies of the assays (DMS_score rounded to one decimal), scored by the same model. */
  tied: {
    rule: string;
    assays: Record<
      string,
      { uniprot: string; selectionType: string; distinctDmsScores: number; metrics: Record<string, number>; top_recall_a6fc27f: number }
    >;
    aggregate: Record<string, number>;
  };
  proteingym: Record<string, { repository: string; commit: string; path: string; blob: string }>;
}

export interface PlainAssay {
  id: string;
  wt: string;
  uniprot: string;
  selectionType: string;
  rows: { mutant: string; mutated: string; score: number; bin: number }[];
}

/** The bundled assays, read with csv-parse directly (not through the task's loader). */
export function bundledAssays(): PlainAssay[] {
  // the reference file lists all of ProteinGym's assays; six of them are bundled
  const ref = (
    parse(readFileSync(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv')), { columns: true }) as Record<string, string>[]
  ).filter((r) => existsSync(resolve(FITNESS_DIR, `data/dms/${r['DMS_id']}.csv.gz`)));
  return ref.map((r) => {
    const rows = parse(gunzipSync(readFileSync(resolve(FITNESS_DIR, `data/dms/${r['DMS_id']}.csv.gz`))), { columns: true }) as Record<
      string,
      string
    >[];
    return {
      id: r['DMS_id']!,
      wt: r['target_seq']!,
      uniprot: r['UniProt_ID']!,
      selectionType: r['coarse_selection_type']!,
      rows: rows.map((x) => ({
        mutant: x['mutant']!,
        mutated: x['mutated_sequence']!,
        score: Number(x['DMS_score']),
        bin: Number(x['DMS_score_bin']),
      })),
    };
  });
}

/** `mutant` -> [0-based position, wt letter, mutant letter][] */
export function subs(mutant: string): [number, string, string][] {
  return mutant.split(':').map((m) => [Number(m.slice(1, -1)) - 1, m[0]!, m[m.length - 1]!]);
}

/** proteingym/utils/scoring_utils.py get_optimal_window, transcribed line by line. */
export function getOptimalWindow(mutationPositionRelative: number, seqLenWoSpecial: number, modelWindow: number): [number, number] {
  const half = Math.floor(modelWindow / 2);
  if (seqLenWoSpecial <= modelWindow) return [0, seqLenWoSpecial];
  if (mutationPositionRelative < half) return [0, modelWindow];
  if (mutationPositionRelative >= seqLenWoSpecial - half) return [seqLenWoSpecial - modelWindow, seqLenWoSpecial];
  return [Math.max(0, mutationPositionRelative - half), Math.min(seqLenWoSpecial, mutationPositionRelative + half)];
}

const memo = new WeakMap<object, Map<string, Float64Array>>();

/** log-softmax of row `r` of a row-major [rows, V] table, over columns [lo, hi] (all by default), float64; memoised. */
export function logSoftmax(table: Float32Array, V: number, r: number, lo = 0, hi = V - 1): Float64Array {
  let m = memo.get(table);
  if (!m) memo.set(table, (m = new Map()));
  const key = `${r}:${lo}:${hi}`;
  let row = m.get(key);
  if (!row) m.set(key, (row = logSoftmaxUncached(table, V, r, lo, hi)));
  return row;
}

function logSoftmaxUncached(table: Float32Array, V: number, r: number, lo: number, hi: number): Float64Array {
  let max = -Infinity;
  for (let j = lo; j <= hi; j++) max = Math.max(max, table[r * V + j]!);
  let z = 0;
  for (let j = lo; j <= hi; j++) z += Math.exp(table[r * V + j]! - max);
  const out = new Float64Array(V).fill(NaN);
  for (let j = lo; j <= hi; j++) out[j] = table[r * V + j]! - max - Math.log(z);
  return out;
}

/** Runs the fitness task on a model, counting its forward passes. */
export async function runFitness(
  model: LoadedModel,
  overrides: Partial<TaskContext> = {},
): Promise<{ outcome: TaskOutcome; meter: Meter; ctx: TestContext; scores: Map<string, Map<string, number>> }> {
  const meter = newMeter();
  const ctx = testContext('fitness', model.metered(meter), overrides);
  const outcome = await task.run(ctx);
  const scores = new Map<string, Map<string, number>>();
  const csv = ctx.artifactFiles.get('fitness-scores.csv');
  if (csv) {
    for (const line of csv.trim().split('\n').slice(1)) {
      const [id, mutant, score] = line.split(',') as [string, string, string];
      if (!scores.has(id)) scores.set(id, new Map());
      scores.get(id)!.set(mutant, Number(score));
    }
  }
  return { outcome, meter, ctx, scores };
}

export function distinctPositionCount(mutants: Iterable<string>): number {
  const set = new Set<number>();
  for (const m of mutants) for (const [p] of subs(m)) set.add(p);
  return set.size;
}
