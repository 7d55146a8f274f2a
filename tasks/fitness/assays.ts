import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { DataFileInfo } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import { assertNotSpecial, excerpt, isGzipBytes, readLimits, readMaybeGzipWithRaw } from '../../src/util/fs.js';
import {
  FlatSubstitutionsBuilder,
  MutantError,
  canonicalMutant,
  checkDmsRow,
  flatMutatedSequence,
  flatSubset,
  type FlatSubstitutions,
} from '../../src/bio/mutant.js';

/** The columns every assay CSV must have (ProteinGym's substitution format). */
export const REQUIRED_COLUMNS = ['mutant', 'mutated_sequence', 'DMS_score', 'DMS_score_bin'] as const;

/** Fewer variants than this and the metrics are undefined (NDCG's k = floor(n / 10) is 0). */
export const MIN_VARIANTS = 10;

/** Grouping used when an assay has no reference row giving its UniProt id and selection type. */
export const UNKNOWN_SELECTION_TYPE = 'unknown';

/** One row of ProteinGym's `DMS_substitutions.csv`, with the columns this task reads. */
export interface ReferenceRow {
  dmsId: string;
  /** `DMS_filename` without `.csv`, when given. */
  fileStem: string | null;
  targetSeq: string;
  uniprot: string | null;
  selectionType: string | null;
  cutoff: number | null;
  totalMutants: number | null;
  /** `taxon` (ProteinGym: Human, Eukaryote, Prokaryote, Virus), when given. */
  taxon: string | null;
  /** `MSA_Neff_L_category` with its first letter upper-cased, as ProteinGym's `main()` does (Low, Medium, High), when given. */
  msaDepth: string | null;
  /** The reference file the row comes from (its label), for messages and the result. */
  file: string;
  line: number;
}

/**
 * One deep mutational scan, held compactly: per variant its source line, measured score and binarised
 * score, and its substitutions flat ({@link FlatSubstitutions}). `mutated_sequence` is checked while
 * reading and not kept, so memory grows with the number of variants, not with variants x length.
 */
export interface Assay extends FlatSubstitutions {
  /** ProteinGym DMS_id: the CSV file name without `.csv` (or `.csv.gz`). */
  id: string;
  file: DataFileInfo;
  /**
   * sha256 of the CSV's bytes as read (after gunzip for a .csv.gz): compared with the sha256 of
   * ProteinGym's file to decide whether published values are on the same data.
   */
  contentSha256: string;
  wildType: string;
  wildTypeSource: 'reference' | 'reconstructed';
  uniprot: string;
  selectionType: string;
  /** True when UniProt id / selection type are not known and the assay forms its own group. */
  groupingFallback: boolean;
  /** From the reference row (null without one): ProteinGym's taxon and MSA depth class, for its breakdowns. */
  taxon: string | null;
  msaDepth: string | null;
  /** The reference file the wild type and ids came from (its label); null when reconstructed. */
  referenceFile: string | null;
  cutoff: number | null;
  /** Rows whose DMS_score_bin disagrees with `DMS_score >= DMS_binarization_cutoff` (ProteinGym's rule). */
  binCutoffMismatches: number;
  /** Variants in the file (the smoke tier scores a subset; `n` is the subset's size). */
  totalVariants: number;
  n: number;
  lines: Int32Array;
  dmsScore: Float64Array;
  dmsBin: Uint8Array;
}

/** The mutant string of variant `v`, as the file wrote it (the parser accepts only this canonical spelling). */
export function mutantString(a: Assay, v: number): string {
  const parts: string[] = [];
  for (let k = a.offsets[v]!; k < a.offsets[v + 1]!; k++) {
    parts.push(`${String.fromCharCode(a.wtCodes[k]!)}${a.positions[k]! + 1}${String.fromCharCode(a.mtCodes[k]!)}`);
  }
  return parts.join(':');
}

/** The sequence of variant `v`. */
export function mutatedSequence(a: Assay, v: number): string {
  return flatMutatedSequence(a.wildType, a, v);
}

/** The assay restricted to the variants `idx` (in that order). */
export function subsetAssay(a: Assay, idx: readonly number[]): Assay {
  return {
    ...a,
    ...flatSubset(a, idx),
    n: idx.length,
    lines: Int32Array.from(idx, (v) => a.lines[v]!),
    dmsScore: Float64Array.from(idx, (v) => a.dmsScore[v]!),
    dmsBin: Uint8Array.from(idx, (v) => a.dmsBin[v]!),
  };
}

/** Strips `.gz` and `.csv` from a file name: the DMS_id of an assay file. */
export function assayIdOf(fileName: string): string {
  return basename(fileName)
    .replace(/\.gz$/i, '')
    .replace(/\.csv$/i, '');
}

/** Assay CSVs of a user folder: every `*.csv` / `*.csv.gz` except the reference file, sorted by name. */
export function listAssayFiles(dir: string): { assays: string[]; reference: string | null } {
  if (!existsSync(dir)) throw new BenchError('E_IO', `--data fitness=${dir}: not found`);
  if (!statSync(dir).isDirectory()) {
    throw new BenchError(
      'E_DATA',
      `--data fitness=${dir}: must be a folder of ProteinGym assay CSVs (with DMS_substitutions.csv), got a file`,
    );
  }
  const names = readdirSync(dir)
    .filter((f) => /\.csv(\.gz)?$/i.test(f) && statSync(join(dir, f)).isFile())
    .sort();
  const isRef = (f: string) => assayIdOf(f) === 'DMS_substitutions';
  const ref = names.find(isRef);
  const assays = names.filter((f) => !isRef(f)).map((f) => join(dir, f));
  if (assays.length === 0) throw new BenchError('E_DATA', `${dir}: no assay CSV files (*.csv, *.csv.gz) in this folder`);
  const ids = new Map<string, string>();
  for (const f of assays) {
    const id = assayIdOf(f);
    if (ids.has(id)) throw new BenchError('E_DATA', `${dir}: ${basename(ids.get(id)!)} and ${basename(f)} are the same assay ${id}`);
    ids.set(id, f);
  }
  return { assays, reference: ref ? join(dir, ref) : null };
}

/**
 * Reads ProteinGym's reference file (`DMS_substitutions.csv`: the bundled copy of ProteinGym's, or a
 * user's). Needs `DMS_id` and `target_seq`; reads `DMS_filename`, `UniProt_ID`, `coarse_selection_type`,
 * `DMS_binarization_cutoff`, `DMS_total_number_mutants`, `taxon`, `MSA_Neff_L_category` when present.
 * Also returns the file's bytes as stored (`bytes`, for its sha256).
 */
export function readReference(path: string, label: string): { rows: Map<string, ReferenceRow>; count: number; bytes: Buffer } {
  const { raw, data } = readMaybeGzipWithRaw(path);
  const text = data.toString('utf8');
  let records: string[][];
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- csv-parse's generic overload needs the columns option
    records = parseSync(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new BenchError('E_DATA', `${label}: ${(e as Error).message}`);
  }
  const header = records[0] ?? [];
  const col = (name: string) => header.indexOf(name);
  for (const name of ['DMS_id', 'target_seq']) {
    if (col(name) < 0)
      throw new BenchError('E_DATA', `${label}:1: missing required column "${name}" (columns: ${excerpt(header.join(', '))})`);
  }
  const get = (r: string[], name: string): string | null => {
    const i = col(name);
    const v = i < 0 ? '' : (r[i] ?? '').trim();
    return v === '' ? null : v;
  };
  const rows = new Map<string, ReferenceRow>();
  records.slice(1).forEach((r, k) => {
    const line = k + 2;
    const dmsId = get(r, 'DMS_id');
    if (!dmsId) throw new BenchError('E_DATA', `${label}:${line}: empty DMS_id`);
    const targetSeq = (get(r, 'target_seq') ?? '').toUpperCase();
    if (!/^[A-Z]+$/.test(targetSeq))
      throw new BenchError('E_DATA', `${label}:${line}: ${dmsId}: target_seq must be letters A-Z, got "${targetSeq.slice(0, 20)}"`);
    const num = (name: string): number | null => {
      const v = get(r, name);
      if (v === null) return null;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new BenchError('E_DATA', `${label}:${line}: ${dmsId}: ${name} "${v}" is not a number`);
      return x;
    };
    const seqLen = num('seq_len');
    if (seqLen !== null && seqLen !== targetSeq.length) {
      throw new BenchError('E_DATA', `${label}:${line}: ${dmsId}: seq_len is ${seqLen} but target_seq has ${targetSeq.length} residues`);
    }
    const fileName = get(r, 'DMS_filename');
    const row: ReferenceRow = {
      dmsId,
      fileStem: fileName ? assayIdOf(fileName) : null,
      targetSeq,
      uniprot: get(r, 'UniProt_ID'),
      selectionType: get(r, 'coarse_selection_type'),
      cutoff: num('DMS_binarization_cutoff'),
      totalMutants: num('DMS_total_number_mutants'),
      taxon: get(r, 'taxon'),
      msaDepth: capitalise(get(r, 'MSA_Neff_L_category')),
      file: label,
      line,
    };
    if (rows.has(dmsId))
      throw new BenchError('E_DATA', `${label}:${line}: DMS_id ${dmsId} is listed twice (first at line ${rows.get(dmsId)!.line})`);
    rows.set(dmsId, row);
  });
  return { rows, count: records.length - 1, bytes: raw };
}

/** ProteinGym's `x[0].upper() + x[1:]` on `MSA_Neff_L_category` (performance_DMS_benchmarks.py @ bb685245, `main`). */
function capitalise(x: string | null): string | null {
  return x === null ? null : x[0]!.toUpperCase() + x.slice(1);
}

/** The reference row of an assay file: by `DMS_filename`, else by `DMS_id`. */
export function referenceFor(rows: Map<string, ReferenceRow> | null, id: string): ReferenceRow | null {
  if (!rows) return null;
  for (const r of rows.values()) if (r.fileStem === id) return r;
  return rows.get(id) ?? null;
}

/**
 * Reads and checks one assay CSV, streaming (gzipped or not). Every rule a row breaks is a
 * `BenchError('E_DATA', '<label>:<line>: ...')`: a missing column, a malformed mutant, a wild-type
 * letter that does not match, a position outside the sequence, a mutated_sequence that is not the
 * wild type with the mutant applied, a non-numeric DMS_score, a DMS_score_bin other than 0/1, a
 * duplicate mutant, and fewer than {@link MIN_VARIANTS} variants. Without a reference row the wild
 * type is reconstructed from the first row (its mutated_sequence with the substitutions reverted)
 * and every later row is checked against it.
 */
export async function readAssay(path: string, label: string, ref: ReferenceRow | null): Promise<Assay> {
  const id = assayIdOf(path);
  const hash = createHash('sha256');
  assertNotSpecial(path, label);
  const raw = createReadStream(path);
  raw.on('data', (c) => hash.update(c as Buffer));
  const { maxInputBytes, maxRecordBytes } = readLimits();
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: false, info: true, max_record_size: maxRecordBytes });
  const source: Readable = isGzip(path, label) ? raw.pipe(createGunzip()) : raw;
  const content = createHash('sha256');
  let size = 0;
  source.on('data', (c) => {
    content.update(c as Buffer);
    size += (c as Buffer).length;
    if (size > maxInputBytes)
      parser.destroy(
        new BenchError(
          'E_DATA',
          `${label}: more than the cap of ${maxInputBytes / 1048576} MiB per data file after decompression (--max-input-mb)`,
        ),
      );
  });
  source.on('error', (e: Error) => parser.destroy(new BenchError('E_DATA', `${label}: ${e.message}`)));
  raw.on('error', (e: Error) =>
    parser.destroy(new BenchError('E_IO', `${label}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`)),
  );
  source.pipe(parser);

  let idx: Record<(typeof REQUIRED_COLUMNS)[number], number> | null = null;
  let wildType = ref?.targetSeq ?? null;
  let count = 0;
  const lines: number[] = [];
  const scores: number[] = [];
  const bins: number[] = [];
  const flat = new FlatSubstitutionsBuilder();
  const seen = new Map<string, number>();
  let mismatches = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines;
      if (!idx) {
        const missing = REQUIRED_COLUMNS.filter((c) => !record.includes(c));
        if (missing.length > 0) {
          throw new BenchError(
            'E_DATA',
            `${label}:${line}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (columns: ${excerpt(record.join(', '))})`,
          );
        }
        idx = {
          mutant: record.indexOf('mutant'),
          mutated_sequence: record.indexOf('mutated_sequence'),
          DMS_score: record.indexOf('DMS_score'),
          DMS_score_bin: record.indexOf('DMS_score_bin'),
        };
        continue;
      }
      const where = `${label}:${line}`;
      const mutant = (record[idx.mutant] ?? '').trim();
      const mutated = (record[idx.mutated_sequence] ?? '').trim().toUpperCase();
      let subs;
      try {
        ({ subs, wildType } = checkDmsRow(mutant, mutated, wildType, ref ? ` (target_seq of ${ref.dmsId} in ${ref.file})` : ''));
      } catch (e) {
        if (e instanceof MutantError) throw new BenchError('E_DATA', `${where}: ${e.message}`);
        throw e;
      }
      const key = canonicalMutant(subs);
      const first = seen.get(key);
      if (first !== undefined) throw new BenchError('E_DATA', `${where}: duplicate mutant "${mutant}" (first at line ${first})`);
      seen.set(key, line);
      const scoreText = (record[idx.DMS_score] ?? '').trim();
      const score = scoreText === '' ? NaN : Number(scoreText);
      if (!Number.isFinite(score)) throw new BenchError('E_DATA', `${where}: DMS_score "${scoreText}" is not a finite number`);
      const binText = (record[idx.DMS_score_bin] ?? '').trim();
      const bin = Number(binText);
      if (binText === '' || (bin !== 0 && bin !== 1)) throw new BenchError('E_DATA', `${where}: DMS_score_bin "${binText}" must be 0 or 1`);
      if (ref?.cutoff != null && (score >= ref.cutoff ? 1 : 0) !== bin) mismatches++;
      count++;
      lines.push(line);
      scores.push(score);
      bins.push(bin);
      flat.push(subs);
    }
  } catch (e) {
    raw.destroy();
    if (e instanceof BenchError) throw e;
    throw new BenchError('E_DATA', `${label}: ${(e as Error).message}`);
  }
  if (!idx) throw new BenchError('E_DATA', `${label}: empty file (no header)`);
  if (count < MIN_VARIANTS) {
    throw new BenchError(
      'E_DATA',
      `${label}: ${count} variant${count === 1 ? '' : 's'}; an assay needs at least ${MIN_VARIANTS} (with fewer, NDCG's k = floor(n/10) is 0 and the metrics are undefined)`,
    );
  }
  const hasGroups = ref?.uniprot != null && ref.selectionType != null;
  return {
    id,
    file: { file: label, sha256: hash.digest('hex'), rows: count },
    contentSha256: content.digest('hex'),
    wildType: wildType!,
    wildTypeSource: ref ? 'reference' : 'reconstructed',
    uniprot: hasGroups ? ref.uniprot! : id,
    selectionType: hasGroups ? ref.selectionType! : UNKNOWN_SELECTION_TYPE,
    groupingFallback: !hasGroups,
    taxon: ref?.taxon ?? null,
    msaDepth: ref?.msaDepth ?? null,
    referenceFile: ref?.file ?? null,
    cutoff: ref?.cutoff ?? null,
    binCutoffMismatches: mismatches,
    totalVariants: count,
    n: count,
    lines: Int32Array.from(lines),
    dmsScore: Float64Array.from(scores),
    dmsBin: Uint8Array.from(bins),
    ...flat.build(),
  };
}

function isGzip(path: string, label: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new BenchError('E_IO', `${label}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const b = Buffer.alloc(2);
    const n = readSync(fd, b, 0, 2, 0);
    return isGzipBytes(b.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}
