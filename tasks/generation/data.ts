/**
 * The task's bundled data (natural reference set, natural control, the proxy's validation set) and the user's
 * pLDDT file (`--data generation=plddt.csv`).
 */
import { existsSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { readFasta, type FastaRecord } from '../../src/bio/index.js';
import { bundledData, describeDataFile, type DataFileInfo } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import { excerpt, readTextMaybeGzip } from '../../src/util/fs.js';
import { KmerIndex } from './identity.js';
import type { ValidationRow } from './proxy.js';
import { aaIndex } from './sequence.js';
import { compositionalBias } from './proxy.js';
import { percentile } from '../../src/metrics/index.js';

export const FILES = {
  reference: { file: 'reference.fasta.gz', sha256: 'dd6bec3c66acae9c86eb62c06d0081946cf4e552dd39fa16543d1a6600190396', rows: 9853 },
  control: { file: 'control.fasta', sha256: 'b52a520ab1367886d5cc792172c79e53abbd9c612be92a3e6faee2969c3791cb', rows: 100 },
  validation: { file: 'proxy-validation.fasta', sha256: '02314241a7d9ea2355906f933139518189257ce88701c19bc19017cf1721ca95', rows: 144 },
} as const;

export interface Reference {
  records: FastaRecord[];
  /** Frequencies of the 20 standard amino acids over all residues (STANDARD order). */
  background: Float64Array;
  /** tau of plddt_proxy: the 90th percentile (numpy 'linear') of KL(f || q) - 19/(2L) over the reference proteins of 30 or more residues, all standard. */
  biasThreshold: number;
  index: KmerIndex;
  file: DataFileInfo;
}

const referenceMemo = new Map<string, Reference>();

/** The natural reference set with its background composition and 3-mer index (built once per process). */
export function loadReference(taskDir: string): Reference {
  const { path, label } = bundledData(taskDir, FILES.reference.file);
  let ref = referenceMemo.get(path);
  if (!ref) {
    const file = checked(path, label, FILES.reference);
    const records = readFasta(path);
    const counts = new Float64Array(20);
    for (const r of records) {
      for (let i = 0; i < r.sequence.length; i++) {
        const a = aaIndex(r.sequence[i]!);
        if (a >= 0) counts[a]!++;
      }
    }
    let total = 0;
    for (const c of counts) total += c;
    const background = counts.map((c) => c / total);
    const bias = records
      .filter((r) => r.sequence.length >= 30 && /^[ACDEFGHIKLMNPQRSTVWY]+$/.test(r.sequence))
      .map((r) => compositionalBias(r.sequence, background));
    ref = {
      records,
      background,
      biasThreshold: percentile(bias, 90),
      index: new KmerIndex(records.map((r) => r.sequence)),
      file: { ...file, rows: records.length },
    };
    referenceMemo.set(path, ref);
  }
  return ref;
}

export interface ControlRecord {
  id: string;
  sequence: string;
  organism: string;
}

/** The natural control (100 held-out proteins), in the file's order. */
export function loadControl(taskDir: string): { records: ControlRecord[]; file: DataFileInfo } {
  const { path, label } = bundledData(taskDir, FILES.control.file);
  const file = checked(path, label, FILES.control);
  const records = readFasta(path).map((r) => ({ id: r.id, sequence: r.sequence, organism: field(r, 'organism') }));
  return { records, file: { ...file, rows: records.length } };
}

export interface ValidationSequence extends Omit<ValidationRow, 'scores'> {
  sequence: string;
  smoke: boolean;
}

/** The proxy's validation set: natural proteins and their corrupted versions. */
export function loadValidation(taskDir: string): { records: ValidationSequence[]; file: DataFileInfo } {
  const { path, label } = bundledData(taskDir, FILES.validation.file);
  const file = checked(path, label, FILES.validation);
  const records = readFasta(path).map((r) => {
    const kind = field(r, 'kind') as ValidationRow['kind'];
    return {
      id: r.id,
      source: field(r, 'source'),
      kind,
      level: Number(field(r, 'level')),
      sequence: r.sequence,
      smoke: field(r, 'tier') === 'smoke',
    };
  });
  return { records, file: { ...file, rows: records.length } };
}

function field(r: FastaRecord, key: string): string {
  const m = new RegExp(`\\b${key}=(\\S+)`).exec(r.header);
  if (!m) throw new Error(`internal: bundled record ${r.id} has no ${key}=`);
  return m[1]!;
}

/** A bundled file, refused when its bytes differ from the hash describe() records. */
function checked(path: string, label: string, expect: { sha256: string }): DataFileInfo {
  if (!existsSync(path)) throw new BenchError('E_IO', `${path}: bundled data file not found`);
  const info = describeDataFile(path, label, 0);
  if (info.sha256 !== expect.sha256) {
    throw new BenchError(
      'E_DATA',
      `${path}: sha256 ${info.sha256.slice(0, 12)}... differs from the task's recorded ${expect.sha256.slice(0, 12)}...; rebuild with data/build_data.py or bump the task version`,
    );
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------
// pLDDT file

export interface PlddtFile {
  /** id -> pLDDT (0-100), with the line it came from. */
  values: Map<string, { plddt: number; line: number }>;
  file: DataFileInfo;
  path: string;
}

/**
 * Reads a CSV with a header holding `id` and `plddt` (case-insensitive; other columns ignored): one row per
 * sequence, pLDDT on ESMFold's / AlphaFold's 0-100 scale (mean over residues). Empty lines are skipped. A missing
 * column, an empty or duplicate id, or a value that is not a number in [0, 100] is an E_DATA error naming the
 * file and line. Whether the ids are this run's is checked once the samples exist (`matchPlddt`).
 */
export function readPlddt(path: string): PlddtFile {
  if (!existsSync(path)) throw new BenchError('E_IO', `${path}: not found`);
  if (statSync(path).isDirectory())
    throw new BenchError('E_DATA', `${path}: --data generation= takes a CSV file (id,plddt), got a directory`);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(readTextMaybeGzip(path), { bom: true, skip_empty_lines: true, relax_column_count: false, info: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (e) {
    throw new BenchError('E_DATA', `${path}: ${(e as Error).message}`);
  }
  if (rows.length === 0) throw new BenchError('E_DATA', `${path}: empty file (expected a header with id and plddt)`);
  const header = rows[0]!.record.map((h) => h.trim().toLowerCase());
  const idCol = header.indexOf('id');
  const valCol = header.indexOf('plddt');
  for (const [name, col] of [
    ['id', idCol],
    ['plddt', valCol],
  ] as const) {
    if (col < 0)
      throw new BenchError(
        'E_DATA',
        `${path}:${rows[0]!.info.lines}: missing column "${name}" (columns: ${excerpt(rows[0]!.record.join(', '))})`,
      );
  }
  const values = new Map<string, { plddt: number; line: number }>();
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const id = (record[idCol] ?? '').trim();
    const raw = (record[valCol] ?? '').trim();
    if (id === '') throw new BenchError('E_DATA', `${path}:${line}: empty id`);
    const v = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(v) || v < 0 || v > 100) {
      throw new BenchError(
        'E_DATA',
        `${path}:${line}: ${id}: plddt must be a number from 0 to 100 (ESMFold/AlphaFold scale; multiply 0-1 values by 100), got "${raw}"`,
      );
    }
    const prev = values.get(id);
    if (prev) throw new BenchError('E_DATA', `${path}:${line}: duplicate id ${id} (first on line ${prev.line})`);
    values.set(id, { plddt: v, line });
  }
  if (values.size === 0) throw new BenchError('E_DATA', `${path}: no data rows`);
  return { values, path, file: describeDataFile(path, path, values.size) };
}

/** Every id of the file must be one of this run's sequences (samples or natural control). */
export function matchPlddt(plddt: PlddtFile, known: ReadonlySet<string>, example: string): void {
  for (const [id, { line }] of plddt.values) {
    if (!known.has(id)) {
      throw new BenchError(
        'E_DATA',
        `${plddt.path}:${line}: unknown id ${id}: not a sequence of this run (ids are those of this run's generation.fasta, e.g. ${example}; the same model, seed, tier and options give the same ids)`,
      );
    }
  }
}
