import { createHash } from 'node:crypto';
import { readTextMaybeGzip } from '../../src/util/fs.js';
import { BenchError } from '../../src/util/errors.js';

/** One CB513 entry in the NetSurfP-2.0 format. */
export interface SsProtein {
  /** `cb513-<row>`, the 1-based data row (header excluded). */
  id: string;
  /** 1-based line in the file. */
  line: number;
  sequence: string;
  /** 3-state labels, one of H E C per residue. */
  ss3: string;
  /** 8-state labels, one of H G I E B T S C per residue. */
  ss8: string;
  /** 1 where the residue is evaluated (`cb513_mask` 1.0), else 0. */
  mask: Uint8Array;
  /** Residues with mask 1. */
  evaluated: number;
}

export const Q3_CLASSES = 'HEC';
export const Q8_CLASSES = 'HGIEBTSC';
const HEADER = ['input', 'dssp3', 'dssp8', 'disorder', 'cb513_mask'];

/**
 * Parses a CSV in the NetSurfP-2.0 CB513 format: header `input,dssp3,dssp8,disorder,cb513_mask`, then one
 * protein per line: the sequence, its 3- and 8-state DSSP strings, and space-separated per-residue
 * disorder and evaluation-mask values. Lengths that disagree, unknown state letters or mask values other
 * than 0/1 are errors naming the file and line. Sequences are upper-cased.
 */
export function parseNetsurfpCsv(text: string, source: string): SsProtein[] {
  const lines = text.split(/\r?\n/);
  const head = (lines[0] ?? '').split(',').map((s) => s.trim());
  if (HEADER.some((h) => !head.includes(h))) {
    throw new BenchError('E_DATA', `${source}:1: header must name the columns ${HEADER.join(',')}, got "${lines[0] ?? ''}"`);
  }
  const col = (name: string) => head.indexOf(name);
  const out: SsProtein[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const at = `${source}:${i + 1}`;
    if (raw.includes('"')) throw new BenchError('E_DATA', `${at}: quoted fields are not part of the NetSurfP CSV format`);
    const f = raw.split(',');
    if (f.length !== head.length) throw new BenchError('E_DATA', `${at}: expected ${head.length} fields, got ${f.length}`);
    const sequence = f[col('input')]!.trim().toUpperCase();
    const ss3 = f[col('dssp3')]!.trim();
    const ss8 = f[col('dssp8')]!.trim();
    const maskText = f[col('cb513_mask')]!.trim();
    const maskValues = maskText === '' ? [] : maskText.split(/\s+/);
    if (sequence.length === 0) throw new BenchError('E_DATA', `${at}: empty sequence`);
    if (!/^[A-Z]+$/.test(sequence)) throw new BenchError('E_DATA', `${at}: the sequence must be letters only`);
    for (const [name, s] of [
      ['dssp3', ss3],
      ['dssp8', ss8],
    ] as const) {
      if (s.length !== sequence.length) {
        throw new BenchError('E_DATA', `${at}: ${name} has ${s.length} labels but the sequence has ${sequence.length} residues`);
      }
    }
    if (maskValues.length !== sequence.length) {
      throw new BenchError('E_DATA', `${at}: cb513_mask has ${maskValues.length} values but the sequence has ${sequence.length} residues`);
    }
    const bad3 = [...ss3].findIndex((c) => !Q3_CLASSES.includes(c));
    if (bad3 >= 0) throw new BenchError('E_DATA', `${at}: dssp3 label "${ss3[bad3]}" at residue ${bad3 + 1} is not one of ${Q3_CLASSES}`);
    const bad8 = [...ss8].findIndex((c) => !Q8_CLASSES.includes(c));
    if (bad8 >= 0) throw new BenchError('E_DATA', `${at}: dssp8 label "${ss8[bad8]}" at residue ${bad8 + 1} is not one of ${Q8_CLASSES}`);
    const mask = new Uint8Array(sequence.length);
    let evaluated = 0;
    maskValues.forEach((v, j) => {
      const x = Number(v);
      if (x !== 0 && x !== 1) throw new BenchError('E_DATA', `${at}: cb513_mask value "${v}" at residue ${j + 1} is not 0 or 1`);
      mask[j] = x;
      evaluated += x;
    });
    out.push({ id: `cb513-${String(out.length + 1).padStart(3, '0')}`, line: i + 1, sequence, ss3, ss8, mask, evaluated });
  }
  if (out.length === 0) throw new BenchError('E_DATA', `${source}: no proteins`);
  return out;
}

export function readNetsurfpCsv(path: string): SsProtein[] {
  return parseNetsurfpCsv(readTextMaybeGzip(path), path);
}

export type SsRole = 'train' | 'valid' | 'test';

/** The split rule's key and fractions (of proteins, by hash of the sequence). */
export const SS_SPLIT = { key: 'plmbench-ss-v1', test: 0.5, valid: 0.1 } as const;

/**
 * Role of a protein: u = the first 32 bits of sha256("plmbench-ss-v1:" + sequence) / 2^32; test when
 * u < 0.5, validation when u < 0.6, training otherwise. Keyed on the sequence, so entries that share a
 * chain (CB513 lists multi-segment chains as repeated sequences with different masks) share a role.
 */
export function roleOf(sequence: string): SsRole {
  const u = createHash('sha256').update(`${SS_SPLIT.key}:${sequence}`).digest().readUInt32BE(0) / 2 ** 32;
  return u < SS_SPLIT.test ? 'test' : u < SS_SPLIT.test + SS_SPLIT.valid ? 'valid' : 'train';
}
