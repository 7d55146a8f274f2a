/**
 * Cheap mmCIF support: the `_atom_site` loop (coordinates), `_pdbx_poly_seq_scheme` (the chain's
 * SEQRES) and `_entry.id`. The same rules as the PDB parser apply (see `pdb.ts`), with two mmCIF
 * specifics: the chain is matched on `auth_asym_id` (falling back to `label_asym_id`), and when the
 * file has `label_seq_id`, a residue belongs to the polymer when that field is not `.` (so modified
 * residues are kept and ligands skipped without guessing), or when it is a HETATM residue named in
 * `MODIFIED_RESIDUES` (some writers, Biopython's MMCIFIO among them, give MSE no `label_seq_id`).
 * Only the first data block is read.
 */
import { BenchError } from '../util/errors.js';
import { ChainBuilder, WATER_NAMES } from './structure-build.js';
import { MODIFIED_RESIDUES, residueLetter } from './structure-residues.js';
import type { ParsedChain } from './structure-types.js';

interface CifTable {
  tags: string[];
  /** Row-major values, `tags.length` per row; `null` for `.` and `?`. */
  values: (string | null)[];
}

const WANTED = new Set(['_atom_site', '_pdbx_poly_seq_scheme', '_entry']);

function categoryOf(tag: string): string {
  const dot = tag.indexOf('.');
  return (dot < 0 ? tag : tag.slice(0, dot)).toLowerCase();
}

interface Token {
  v: string;
  quoted: boolean;
  line: number;
}

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.startsWith(';')) {
      const start = li;
      const parts = [line.slice(1)];
      li++;
      while (li < lines.length && !lines[li]!.startsWith(';')) parts.push(lines[li++]!);
      if (li >= lines.length) throw new BenchError('E_DATA', `${file}:${start + 1}: unterminated ';' text field`);
      out.push({ v: parts.join('\n'), quoted: true, line: start + 1 });
      continue;
    }
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line[i]!;
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === '#') break;
      if (c === "'" || c === '"') {
        let j = i + 1;
        while (j < n && !(line[j] === c && (j + 1 === n || line[j + 1] === ' ' || line[j + 1] === '\t'))) j++;
        if (j >= n) throw new BenchError('E_DATA', `${file}:${li + 1}: unterminated quoted value`);
        out.push({ v: line.slice(i + 1, j), quoted: true, line: li + 1 });
        i = j + 1;
        continue;
      }
      let j = i;
      while (j < n && line[j] !== ' ' && line[j] !== '\t') j++;
      out.push({ v: line.slice(i, j), quoted: false, line: li + 1 });
      i = j;
    }
  }
  return out;
}

function isKeyword(t: Token): boolean {
  if (t.quoted) return false;
  const v = t.v.toLowerCase();
  return t.v.startsWith('_') || v === 'loop_' || v.startsWith('data_') || v.startsWith('save_') || v === 'stop_' || v === 'global_';
}

function valueOf(t: Token): string | null {
  return !t.quoted && (t.v === '.' || t.v === '?') ? null : t.v;
}

/** Reads the wanted categories of the first data block. */
function readCif(text: string, file: string): Map<string, CifTable> {
  const toks = tokenize(text, file);
  const tables = new Map<string, CifTable>();
  let i = 0;
  let blocks = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    const low = t.quoted ? '' : t.v.toLowerCase();
    if (low.startsWith('data_')) {
      if (++blocks > 1) break;
      i++;
    } else if (low === 'loop_') {
      i++;
      const tags: string[] = [];
      while (i < toks.length && !toks[i]!.quoted && toks[i]!.v.startsWith('_')) tags.push(toks[i++]!.v);
      const values: (string | null)[] = [];
      while (i < toks.length && !isKeyword(toks[i]!)) values.push(valueOf(toks[i++]!));
      if (tags.length === 0) continue;
      if (values.length % tags.length !== 0) {
        throw new BenchError('E_DATA', `${file}:${t.line}: loop of ${tags.length} columns has ${values.length} values`);
      }
      const cat = categoryOf(tags[0]!);
      if (WANTED.has(cat)) tables.set(cat, { tags: tags.map((s) => s.toLowerCase()), values });
    } else if (!t.quoted && t.v.startsWith('_')) {
      const v = toks[i + 1];
      if (!v || isKeyword(v)) throw new BenchError('E_DATA', `${file}:${t.line}: ${t.v} has no value`);
      const cat = categoryOf(t.v);
      if (WANTED.has(cat)) {
        let tab = tables.get(cat);
        if (!tab) tables.set(cat, (tab = { tags: [], values: [] }));
        tab.tags.push(t.v.toLowerCase());
        tab.values.push(valueOf(v));
      }
      i += 2;
    } else {
      i++;
    }
  }
  if (blocks === 0) throw new BenchError('E_DATA', `${file}: not an mmCIF file (no data_ block)`);
  return tables;
}

function column(tab: CifTable, ...names: string[]): number {
  for (const n of names) {
    const k = tab.tags.indexOf(n);
    if (k >= 0) return k;
  }
  return -1;
}

/** Parses mmCIF text and returns chain `chain` (rules in the module comment and in `pdb.ts`). */
export function parseMmcif(text: string, chain: string, file: string): ParsedChain {
  const tables = readCif(text, file);
  const atoms = tables.get('_atom_site');
  if (!atoms) throw new BenchError('E_DATA', `${file}: mmCIF file without an _atom_site loop`);
  const w = atoms.tags.length;
  const cx = column(atoms, '_atom_site.cartn_x');
  const cy = column(atoms, '_atom_site.cartn_y');
  const cz = column(atoms, '_atom_site.cartn_z');
  const cAtom = column(atoms, '_atom_site.label_atom_id', '_atom_site.auth_atom_id');
  const cComp = column(atoms, '_atom_site.label_comp_id', '_atom_site.auth_comp_id');
  const cChain = column(atoms, '_atom_site.auth_asym_id', '_atom_site.label_asym_id');
  const cSeq = column(atoms, '_atom_site.auth_seq_id', '_atom_site.label_seq_id');
  const cLabelSeq = column(atoms, '_atom_site.label_seq_id');
  const cIns = column(atoms, '_atom_site.pdbx_pdb_ins_code');
  const cOcc = column(atoms, '_atom_site.occupancy');
  const cElem = column(atoms, '_atom_site.type_symbol');
  const cGroup = column(atoms, '_atom_site.group_pdb');
  const cModel = column(atoms, '_atom_site.pdbx_pdb_model_num');
  for (const [k, name] of [
    [cx, 'Cartn_x'],
    [cy, 'Cartn_y'],
    [cz, 'Cartn_z'],
    [cAtom, 'label_atom_id'],
    [cComp, 'label_comp_id'],
    [cChain, 'auth_asym_id'],
    [cSeq, 'auth_seq_id'],
  ] as const) {
    if (k < 0) throw new BenchError('E_DATA', `${file}: _atom_site has no ${name} column`);
  }
  const builder = new ChainBuilder();
  const chainsSeen = new Set<string>();
  const rows = atoms.values.length / w;
  let firstModel: string | null | undefined;
  for (let r = 0; r < rows; r++) {
    const v = (k: number): string | null => (k < 0 ? null : atoms.values[r * w + k]!);
    if (cModel >= 0) {
      const m = v(cModel);
      if (firstModel === undefined) firstModel = m;
      else if (m !== firstModel) continue;
    }
    const ch = v(cChain) ?? '';
    chainsSeen.add(ch);
    if (ch !== chain) continue;
    const resName = (v(cComp) ?? '').toUpperCase();
    if (WATER_NAMES.has(resName)) continue;
    const elem = (v(cElem) ?? '').toUpperCase();
    const atomName = v(cAtom) ?? '';
    if (elem === 'H' || elem === 'D' || (elem === '' && /^[HD]/.test(atomName))) continue;
    const hetero = v(cGroup) === 'HETATM';
    let aa = residueLetter(resName);
    if (cLabelSeq >= 0 && v(cLabelSeq) !== null) {
      aa ??= 'X'; // part of a polymer
    } else if (cLabelSeq >= 0) {
      // not in a polymer by label_seq_id; writers such as Biopython's MMCIFIO give MSE and other
      // modified residues no label_seq_id, so a known modified (non-standard) name is still kept
      aa = hetero ? MODIFIED_RESIDUES.get(resName) : undefined;
      if (aa === undefined) continue;
    } else if (hetero) {
      if (aa === undefined) continue;
    } else {
      aa ??= 'X';
    }
    const x = Number.parseFloat(v(cx) ?? '');
    const y = Number.parseFloat(v(cy) ?? '');
    const z = Number.parseFloat(v(cz) ?? '');
    const resSeq = Number.parseInt(v(cSeq) ?? '', 10);
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z) || !Number.isFinite(resSeq)) {
      throw new BenchError('E_DATA', `${file}: _atom_site row ${r + 1}: bad coordinates or residue number`);
    }
    const occ = Number.parseFloat(v(cOcc) ?? '1');
    builder.add({
      hetero,
      atomName,
      resName,
      resSeq,
      iCode: v(cIns) ?? '',
      aa,
      x,
      y,
      z,
      occupancy: Number.isFinite(occ) ? occ : 1,
    });
  }
  if (!chainsSeen.has(chain)) {
    throw new BenchError('E_DATA', `${file}: no chain ${JSON.stringify(chain)} (chains in the file: ${[...chainsSeen].join(', ')})`);
  }
  const residues = builder.build();
  if (residues.length === 0) throw new BenchError('E_DATA', `${file}: chain ${chain} has no amino-acid residues`);

  let seqres: string | null = null;
  const scheme = tables.get('_pdbx_poly_seq_scheme');
  if (scheme) {
    const sw = scheme.tags.length;
    const sStrand = column(scheme, '_pdbx_poly_seq_scheme.pdb_strand_id');
    const sSeq = column(scheme, '_pdbx_poly_seq_scheme.seq_id');
    const sMon = column(scheme, '_pdbx_poly_seq_scheme.mon_id');
    if (sStrand >= 0 && sSeq >= 0 && sMon >= 0) {
      const seen = new Set<string>();
      const letters: string[] = [];
      for (let r = 0; r < scheme.values.length / sw; r++) {
        if (scheme.values[r * sw + sStrand] !== chain) continue;
        const id = scheme.values[r * sw + sSeq] ?? '';
        if (seen.has(id)) continue; // microheterogeneity: first listed
        seen.add(id);
        letters.push(residueLetter(scheme.values[r * sw + sMon] ?? '') ?? 'X');
      }
      if (letters.length > 0) seqres = letters.join('');
    }
  }
  const entry = tables.get('_entry');
  const idCol = entry ? column(entry, '_entry.id') : -1;
  return {
    file,
    chain,
    pdbId: entry && idCol >= 0 ? (entry.values[idCol] ?? '') : '',
    format: 'mmcif',
    residues,
    sequence: residues.map((r) => r.aa).join(''),
    seqres,
  };
}
