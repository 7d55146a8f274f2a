import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DataFileInfo } from '../../src/task/index.js';
import { describeDataFile } from '../../src/task/index.js';
import {
  FlatSubstitutionsBuilder,
  MutantError,
  canonicalMutant,
  checkDmsRow,
  flatMutatedSequence,
  flatSubset,
  type FlatSubstitutions,
} from '../../src/bio/mutant.js';
import { BenchError } from '../../src/util/errors.js';
import { readMaybeGzipWithRaw } from '../../src/util/fs.js';

/** ProteinGym's cross-validation schemes of the supervised track (singles), in its order. */
export const SCHEMES = ['fold_random_5', 'fold_modulo_5', 'fold_contiguous_5'] as const;
export type Scheme = (typeof SCHEMES)[number];
/** Metric suffix of each scheme. */
export const SCHEME_SHORT: Record<Scheme, string> = { fold_random_5: 'random', fold_modulo_5: 'modulo', fold_contiguous_5: 'contiguous' };

export const REQUIRED_COLUMNS = ['mutant', 'mutated_sequence', 'DMS_score', ...SCHEMES] as const;
/** Fewer variants and a 5-fold scheme leaves folds of one or two rows. */
export const MIN_VARIANTS = 10;
/** A scheme needs a test fold, an inner validation fold and at least one training fold. */
export const MIN_FOLDS = 3;

/** One assay with its fold assignments; substitutions stored flat ({@link FlatSubstitutions}). */
export interface FoldAssay extends FlatSubstitutions {
  id: string;
  file: DataFileInfo;
  wildType: string;
  n: number;
  mutants: string[];
  lines: Int32Array;
  score: Float64Array;
  folds: Record<Scheme, Int32Array>;
}

/** Strips `.gz` and `.csv`: the DMS_id of an assay file. */
export function assayIdOf(fileName: string): string {
  return basename(fileName)
    .replace(/\.gz$/i, '')
    .replace(/\.csv$/i, '');
}

/** The assay CSVs (`*.csv`, `*.csv.gz`) of a user folder (or a single file), sorted. */
export function listUserAssays(path: string): string[] {
  if (!existsSync(path)) throw new BenchError('E_IO', `${path}: not found`);
  if (statSync(path).isFile()) return [path];
  const files = readdirSync(path)
    .filter((f) => /\.csv(\.gz)?$/i.test(f) && statSync(join(path, f)).isFile())
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new BenchError('E_DATA', `${path}: no assay CSV files (*.csv, *.csv.gz) in this folder`);
  const seen = new Map<string, string>();
  for (const f of files) {
    const id = assayIdOf(f);
    if (seen.has(id)) throw new BenchError('E_DATA', `${path}: ${basename(seen.get(id)!)} and ${basename(f)} are the same assay ${id}`);
    seen.set(id, f);
  }
  return files;
}

/**
 * Reads one ProteinGym fold file (columns `mutant, mutated_sequence, DMS_score, fold_random_5,
 * fold_modulo_5, fold_contiguous_5`; others ignored). Every rule a row breaks is one
 * `BenchError('E_DATA', '<label>:<line>: ...')`: a missing column, a mutant that does not parse or does
 * not match the wild type (reconstructed from the first row) and its mutated_sequence, a duplicate mutant,
 * a non-numeric score, a row without a fold (folds must cover every row), and a scheme with fewer than
 * {@link MIN_FOLDS} folds.
 */
export function readFoldAssay(path: string, label: string): FoldAssay {
  const { raw, data } = readMaybeGzipWithRaw(path);
  let records: string[][];
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse's generic overload needs the columns option
    records = parse(data.toString('utf8'), { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new BenchError('E_DATA', `${label}: ${(e as Error).message}`);
  }
  const header = records[0];
  if (!header) throw new BenchError('E_DATA', `${label}: empty file (no header)`);
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new BenchError(
      'E_DATA',
      `${label}:1: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (columns: ${header.join(', ')})`,
    );
  }
  const col = (c: string) => header.indexOf(c);
  const id = assayIdOf(path);
  let wildType: string | null = null;
  const mutants: string[] = [];
  const lines: number[] = [];
  const scores: number[] = [];
  const folds: Record<Scheme, number[]> = { fold_random_5: [], fold_modulo_5: [], fold_contiguous_5: [] };
  const flat = new FlatSubstitutionsBuilder();
  const seen = new Map<string, number>();
  records.slice(1).forEach((r, k) => {
    const line = k + 2;
    const where = `${label}:${line}`;
    const mutant = (r[col('mutant')] ?? '').trim();
    const mutated = (r[col('mutated_sequence')] ?? '').trim().toUpperCase();
    let subs;
    try {
      ({ subs, wildType } = checkDmsRow(mutant, mutated, wildType, ' (from line 2)'));
    } catch (e) {
      if (e instanceof MutantError) throw new BenchError('E_DATA', `${where}: ${e.message}`);
      throw e;
    }
    const key = canonicalMutant(subs);
    const first = seen.get(key);
    if (first !== undefined) throw new BenchError('E_DATA', `${where}: duplicate mutant "${mutant}" (first at line ${first})`);
    seen.set(key, line);
    const scoreText = (r[col('DMS_score')] ?? '').trim();
    const score = scoreText === '' ? NaN : Number(scoreText);
    if (!Number.isFinite(score)) throw new BenchError('E_DATA', `${where}: DMS_score "${scoreText}" is not a finite number`);
    for (const s of SCHEMES) {
      const t = (r[col(s)] ?? '').trim();
      if (!/^[0-9]+$/.test(t)) {
        throw new BenchError(
          'E_DATA',
          `${where}: ${s} is ${t === '' ? 'empty' : `"${t}"`}; the folds must cover every row with a fold number (0, 1, 2...)`,
        );
      }
      folds[s].push(Number(t));
    }
    mutants.push(mutant);
    lines.push(line);
    scores.push(score);
    flat.push(subs);
  });
  const n = mutants.length;
  if (n < MIN_VARIANTS)
    throw new BenchError('E_DATA', `${label}: ${n} variant${n === 1 ? '' : 's'}; an assay needs at least ${MIN_VARIANTS}`);
  for (const s of SCHEMES) {
    const k = new Set(folds[s]).size;
    if (k < MIN_FOLDS)
      throw new BenchError(
        'E_DATA',
        `${label}: ${s} has ${k} fold${k === 1 ? '' : 's'}; cross-validation with an inner validation fold needs at least ${MIN_FOLDS}`,
      );
  }
  return {
    id,
    file: describeDataFile(path, label, n, raw),
    wildType: wildType!,
    n,
    mutants,
    lines: Int32Array.from(lines),
    score: Float64Array.from(scores),
    folds: {
      fold_random_5: Int32Array.from(folds.fold_random_5),
      fold_modulo_5: Int32Array.from(folds.fold_modulo_5),
      fold_contiguous_5: Int32Array.from(folds.fold_contiguous_5),
    },
    ...flat.build(),
  };
}

/** The sequence of variant `v`. */
export function variantSequence(a: FoldAssay, v: number): string {
  return flatMutatedSequence(a.wildType, a, v);
}

/** The assay restricted to the variants `idx` (ascending). */
export function subsetFoldAssay(a: FoldAssay, idx: readonly number[]): FoldAssay {
  const sub = (x: Int32Array) => Int32Array.from(idx, (v) => x[v]!);
  return {
    ...a,
    ...flatSubset(a, idx),
    n: idx.length,
    mutants: idx.map((v) => a.mutants[v]!),
    lines: sub(a.lines),
    score: Float64Array.from(idx, (v) => a.score[v]!),
    folds: {
      fold_random_5: sub(a.folds.fold_random_5),
      fold_modulo_5: sub(a.folds.fold_modulo_5),
      fold_contiguous_5: sub(a.folds.fold_contiguous_5),
    },
  };
}

/** ProteinGym's published per-assay Spearman of one scheme: DMS_id -> model name -> value. */
export type PublishedTable = Map<string, Record<string, number | null>>;

/** Reads `DMS_substitutions_Spearman_DMS_level_<scheme>.csv` (ProteinGym benchmarks/DMS_supervised). */
export function readPublished(path: string, label: string): { table: PublishedTable; models: string[]; info: DataFileInfo } {
  const { raw, data } = readMaybeGzipWithRaw(path);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse's generic overload needs the columns option
  const records = parse(data.toString('utf8'), { bom: true, skip_empty_lines: true }) as string[][];
  const header = records[0]!;
  if (header[0] !== 'DMS_id') throw new BenchError('E_DATA', `${label}:1: first column must be DMS_id`);
  const models = header.slice(1);
  const table: PublishedTable = new Map();
  for (const r of records.slice(1)) {
    table.set(
      r[0]!,
      Object.fromEntries(
        models.map((m, j) => {
          const t = (r[j + 1] ?? '').trim();
          return [m, t === '' ? null : Number(t)];
        }),
      ),
    );
  }
  return { table, models, info: describeDataFile(path, label, records.length - 1, raw) };
}
