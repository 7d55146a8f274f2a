/**
 * PDB coordinate files (and mmCIF through `structure-cif.ts`): the observed residues of one chain.
 *
 * Rules, for both formats:
 * - Input may be gzipped; gzip is detected by its magic bytes (1f 8b), not by the file name.
 *   mmCIF is detected by a first data line starting with `data_`; anything else is read as PDB.
 * - Only the first model counts (PDB: records after the first ENDMDL are ignored).
 * - Only the target chain counts; waters are skipped; hydrogens (element H or D) are dropped.
 * - Alternate locations: per atom, the record with the highest occupancy wins, ties going to the first
 *   one listed (Biopython's choice). A residue number with records of two residue names keeps the name
 *   whose best atom has the highest occupancy.
 * - Residues are keyed by residue number plus insertion code, in the order of their first record.
 * - One-letter codes: standard names, the small map of common modified residues in
 *   `structure-residues.ts` (MSE -> M, SEP -> S, ...), and the file's MODRES records. ATOM records with an
 *   unknown name are polymer residues coded `X`. HETATM records are polymer residues only when their name
 *   maps to a letter and they come before the chain's TER record; other HETATM residues (ligands, ions,
 *   unknown modified residues) are skipped, so their reference position stays unobserved (masked, never
 *   shifted: see `align.ts`).
 * - SEQRES of the chain is returned when present (residue names coded as above, unknown -> `X`).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { BenchError } from '../util/errors.js';
import { isGzipBytes } from '../util/fs.js';
import { ChainBuilder, isHydrogen, WATER_NAMES } from './structure-build.js';
import { parseMmcif } from './structure-cif.js';
import { residueLetter } from './structure-residues.js';
import type { ParsedChain } from './structure-types.js';

export { chainBreaks } from './structure-build.js';
export type { ParsedChain, Residue, Vec3 } from './structure-types.js';

/** Bytes of a structure file to text: gunzips when the gzip magic bytes are present; refuses binary data. */
export function decodeStructureBytes(bytes: Uint8Array, file: string): string {
  let raw = bytes;
  if (isGzipBytes(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new BenchError('E_DATA', `${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const head = text.slice(0, 4096);
  if (head.includes('\u0000')) {
    throw new BenchError('E_DATA', `${file}: not a PDB or mmCIF file (binary data)`);
  }
  return text;
}

/** True when the first line that is neither blank nor a comment starts with `data_` (mmCIF). */
export function looksLikeMmcif(text: string): boolean {
  const re = /^[ \t]*(\S.*)$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const line = m[1] ?? '';
    if (line.startsWith('#')) continue;
    return line.toLowerCase().startsWith('data_');
  }
  return false;
}

/** Parses PDB or mmCIF text (detected from the content) and returns chain `chain`. */
export function parseStructureText(text: string, chain: string, file: string): ParsedChain {
  return looksLikeMmcif(text) ? parseMmcif(text, chain, file) : parsePdb(text, chain, file);
}

/** Parses structure bytes (gzipped or not, PDB or mmCIF) and returns chain `chain`. */
export function parseStructure(bytes: Uint8Array, chain: string, file: string): ParsedChain {
  return parseStructureText(decodeStructureBytes(bytes, file), chain, file);
}

/** Reads and parses a structure file; `name` (default: the path) is used in error messages. */
export async function readStructureFile(path: string, chain: string, name = path): Promise<ParsedChain> {
  return parseStructure(await readStructureBytes(path, name), chain, name);
}

/** Reads a file's bytes; a missing file is an `E_DATA` error naming `name`. */
export async function readStructureBytes(path: string, name = path): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BenchError('E_DATA', `${name}: file not found`);
    if (code === 'EISDIR') throw new BenchError('E_DATA', `${name}: is a directory, not a structure file`);
    throw new BenchError('E_IO', `${name}: cannot read (${(e as Error).message})`);
  }
}

function threeToOne(names: readonly string[], modres: ReadonlyMap<string, string> | undefined): string {
  return names.map((n) => residueLetter(n, modres) ?? 'X').join('');
}

/** Parses PDB-format text and returns chain `chain` (rules in the module comment). */
export function parsePdb(text: string, chain: string, file: string): ParsedChain {
  const lines = text.split(/\r?\n/);
  const builder = new ChainBuilder();
  const seqres = new Map<string, string[]>();
  const modres = new Map<string, Map<string, string>>();
  const chainsSeen = new Set<string>();
  const terSeen = new Set<string>();
  let pdbId = '';
  let atomRecords = 0;
  let lastAtomChain = '';

  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const rec = line.slice(0, 6);
    if (rec === 'ATOM  ' || rec === 'HETATM') {
      atomRecords++;
      const ch = line[21] ?? ' ';
      lastAtomChain = ch;
      chainsSeen.add(ch);
      if (ch !== chain) continue;
      const resName = line.slice(17, 20).trim();
      if (WATER_NAMES.has(resName)) continue;
      const nameField = line.slice(12, 16);
      if (isHydrogen(line.slice(76, 78), nameField)) continue;
      const hetero = rec === 'HETATM';
      let aa = residueLetter(resName, modres.get(ch));
      if (hetero) {
        if (aa === undefined || terSeen.has(ch)) continue;
      } else if (aa === undefined) {
        aa = 'X';
      }
      const x = Number.parseFloat(line.slice(30, 38));
      const y = Number.parseFloat(line.slice(38, 46));
      const z = Number.parseFloat(line.slice(46, 54));
      const resSeq = Number.parseInt(line.slice(22, 26), 10);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
        throw new BenchError('E_DATA', `${file}:${li + 1}: bad coordinates in ${rec.trim()} record`);
      }
      if (!Number.isFinite(resSeq)) {
        throw new BenchError('E_DATA', `${file}:${li + 1}: bad residue number in ${rec.trim()} record`);
      }
      const occText = line.slice(54, 60).trim();
      const occ = occText === '' ? 1 : Number.parseFloat(occText);
      builder.add({
        hetero,
        atomName: nameField.trim(),
        resName,
        resSeq,
        iCode: (line[26] ?? ' ').trim(),
        aa,
        x,
        y,
        z,
        occupancy: Number.isFinite(occ) ? occ : 1,
      });
    } else if (rec === 'TER   ' || rec === 'TER') {
      const ch = line.length > 21 && line[21] !== ' ' ? line[21]! : lastAtomChain;
      terSeen.add(ch);
    } else if (rec === 'ENDMDL') {
      break; // first model only
    } else if (rec === 'SEQRES') {
      const ch = line[11] ?? ' ';
      const names = line
        .slice(19)
        .trim()
        .split(/\s+/)
        .filter((s) => s !== '');
      const list = seqres.get(ch);
      if (list) list.push(...names);
      else seqres.set(ch, names);
    } else if (rec === 'MODRES') {
      const ch = line[16] ?? ' ';
      const name = line.slice(12, 15).trim().toUpperCase();
      const parent = residueLetter(line.slice(24, 27));
      if (name !== '' && parent !== undefined) {
        let m = modres.get(ch);
        if (!m) modres.set(ch, (m = new Map<string, string>()));
        m.set(name, parent);
      }
    } else if (rec === 'HEADER') {
      pdbId = line.slice(62, 66).trim();
    }
  }

  if (atomRecords === 0) {
    throw new BenchError('E_DATA', `${file}: not a PDB file (no ATOM or HETATM records)`);
  }
  if (!chainsSeen.has(chain)) {
    const list = [...chainsSeen].map((c) => (c === ' ' ? "' '" : c)).join(', ');
    throw new BenchError('E_DATA', `${file}: no chain ${JSON.stringify(chain)} (chains in the file: ${list})`);
  }
  const residues = builder.build();
  if (residues.length === 0) {
    throw new BenchError('E_DATA', `${file}: chain ${chain} has no amino-acid residues`);
  }
  const names = seqres.get(chain);
  return {
    file,
    chain,
    pdbId,
    format: 'pdb',
    residues,
    sequence: residues.map((r) => r.aa).join(''),
    seqres: names && names.length > 0 ? threeToOne(names, modres.get(chain)) : null,
  };
}
