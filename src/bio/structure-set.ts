/**
 * Structure sets: a folder laid out like the source data's `structures/`, i.e. an `index.csv` plus coordinate
 * files (PDB or mmCIF, gzipped or not), loaded into contact maps over each chain's reference sequence.
 *
 * `index.csv` columns (header required, extra columns ignored):
 * - `file` (required): path of the coordinate file relative to the folder. If it does not exist, the
 *   same path with `.gz` added (or removed) is tried.
 * - `chain` (required): the target chain.
 * - `id` or `shiftx2_id`: row id (default: the file name without extensions); ids must be unique.
 * - `pdb_id`: PDB id (default: the file's HEADER / `_entry.id`).
 * - `seqres_sequence` or `sequence`: the reference sequence; when absent or empty, the file's SEQRES.
 *   Other columns (`observed_sequence`, counts) are for people and are not read.
 *
 * Each chain: parse (`pdb.ts`), place the observed residues on the reference (`placeOnReference`, with
 * chain breaks from the coordinates), Cβ coordinates and the contact map (`contact-map.ts`).
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BenchError } from '../util/errors.js';
import { excerpt } from '../util/fs.js';
import { sha256 } from '../util/hash.js';
import { placeOnReference } from './align.js';
import { cbCoordinates, CONTACT_THRESHOLD, contactMap, type VirtualCbMode } from './contact-map.js';
import { chainBreaks, parseStructure, readStructureBytes } from './pdb.js';
import type { ParsedChain, StructureEntry } from './structure-types.js';

export type { StructureEntry } from './structure-types.js';

export interface StructureLoadOptions {
  /** Fewer observed residues (with a Cβ) than this is an error (default 30). */
  minObserved?: number;
  /** Contact threshold in Å (default 8). */
  threshold?: number;
  /** Virtual Cβ for glycine and residues missing CB (default), or for all residues; `esm`: ESM's (see contact-map.ts). */
  virtualCb?: VirtualCbMode;
  /** Sequence disagreement tolerance, see `placeOnReference` (defaults 0.05 and 2). */
  tolerance?: number;
  minTolerance?: number;
}

export interface StructureSet {
  /** The index file: path, SHA-256 of its bytes, data rows. */
  index: { path: string; sha256: string; rows: number };
  entries: StructureEntry[];
}

function normaliseSequence(seq: string, where: string): string {
  const s = seq.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]*$/.test(s)) {
    const bad = s.match(/[^A-Z]/)?.[0] ?? '';
    throw new BenchError('E_DATA', `${where}: reference sequence has a character that is not a residue letter: ${JSON.stringify(bad)}`);
  }
  return s;
}

/**
 * Places a parsed chain on its reference (`reference`, else its SEQRES) and computes Cβ coordinates
 * and the contact map. `name` is used in error messages.
 */
export function buildStructureEntry(
  parsed: ParsedChain,
  meta: { id: string; file: string; sha256: string; pdbId?: string; reference?: string | null; name?: string },
  options: StructureLoadOptions = {},
): StructureEntry {
  const name = meta.name ?? parsed.file;
  const refRaw = meta.reference ? meta.reference : parsed.seqres;
  if (!refRaw) {
    throw new BenchError(
      'E_DATA',
      `${name}: chain ${parsed.chain}: no reference sequence (no sequence in the index and no SEQRES in the file)`,
    );
  }
  const reference = normaliseSequence(refRaw, name);
  const placement = placeOnReference(reference, parsed.sequence, {
    breaks: chainBreaks(parsed.residues),
    file: name,
    chain: parsed.chain,
    ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
    ...(options.minTolerance !== undefined ? { minTolerance: options.minTolerance } : {}),
  });
  const L = reference.length;
  const { cb, observed } = cbCoordinates(parsed.residues, placement.refIndex, L, options.virtualCb ?? 'missing');
  let nObserved = 0;
  for (let i = 0; i < L; i++) nObserved += observed[i]!;
  const minObserved = options.minObserved ?? 30;
  if (nObserved < minObserved) {
    throw new BenchError(
      'E_DATA',
      `${name}: chain ${parsed.chain} has ${nObserved} observed residues, fewer than the ${minObserved} required`,
    );
  }
  return {
    id: meta.id,
    pdbId: meta.pdbId || parsed.pdbId,
    chain: parsed.chain,
    file: meta.file,
    sha256: meta.sha256,
    sequence: reference,
    length: L,
    observed,
    nObserved,
    cb,
    contacts: contactMap(cb, observed, options.threshold ?? CONTACT_THRESHOLD),
  };
}

/** Loads one chain of one coordinate file (PDB or mmCIF, gzipped or not). */
export async function loadStructureChain(
  path: string,
  chain: string,
  options: StructureLoadOptions & { reference?: string; id?: string } = {},
): Promise<StructureEntry> {
  const bytes = await readStructureBytes(path);
  const parsed = parseStructure(bytes, chain, path);
  return buildStructureEntry(
    parsed,
    { id: options.id ?? stripExtensions(basename(path)), file: path, sha256: sha256(bytes), reference: options.reference ?? null },
    options,
  );
}

function stripExtensions(name: string): string {
  return name.replace(/\.gz$/i, '').replace(/\.(pdbh?|ent|cif|mmcif)$/i, '');
}

async function exists(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The index's path if it exists, else with `.gz` added or removed; the index's path when neither exists. */
async function resolveFile(dir: string, file: string): Promise<string> {
  const p = join(dir, file);
  if (await exists(p)) return p;
  const alt = /\.gz$/i.test(p) ? p.slice(0, -3) : `${p}.gz`;
  return (await exists(alt)) ? alt : p;
}

/** Loads every chain named in `<dir>/index.csv`, in index order; the first bad row is a `BenchError`. */
export async function loadStructureSet(dir: string, options: StructureLoadOptions = {}): Promise<StructureSet> {
  const indexPath = join(dir, 'index.csv');
  const indexBytes = await readStructureBytes(indexPath).catch((e: unknown) => {
    if (e instanceof BenchError && e.message.endsWith('file not found')) {
      throw new BenchError('E_IO', `${indexPath}: not found (a structure folder needs an index.csv)`);
    }
    throw e;
  });
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parse(Buffer.from(indexBytes), { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new BenchError('E_DATA', `${indexPath}: ${(e as Error).message}`);
  }
  const columns = rows.length > 0 ? Object.keys(rows[0]!.record) : [];
  for (const col of ['file', 'chain']) {
    if (rows.length > 0 && !columns.includes(col)) {
      throw new BenchError('E_DATA', `${indexPath}: missing column "${col}" (columns: ${excerpt(columns.join(', '))})`);
    }
  }
  const entries: StructureEntry[] = [];
  const ids = new Set<string>();
  for (const { record, info } of rows) {
    const where = `${indexPath}:${info.lines}`;
    const file = record['file'] ?? '';
    const chain = record['chain'] ?? '';
    if (file === '') throw new BenchError('E_DATA', `${where}: empty file`);
    if (chain === '') throw new BenchError('E_DATA', `${where}: empty chain`);
    const id = record['id'] || record['shiftx2_id'] || stripExtensions(basename(file));
    if (ids.has(id)) throw new BenchError('E_DATA', `${where}: duplicate id ${JSON.stringify(id)}`);
    ids.add(id);
    const path = await resolveFile(dir, file);
    const bytes = await readStructureBytes(path);
    const parsed = parseStructure(bytes, chain, path);
    entries.push(
      buildStructureEntry(
        parsed,
        {
          id,
          file,
          sha256: sha256(bytes),
          pdbId: record['pdb_id'] ?? '',
          reference: record['seqres_sequence'] || record['sequence'] || null,
          name: path,
        },
        options,
      ),
    );
  }
  return { index: { path: indexPath, sha256: sha256(indexBytes), rows: rows.length }, entries };
}
