/** Hand-made PDB text for the bio tests: ATOM lines in exact PDB columns and small synthetic chains. */
import { existsSync } from 'node:fs';
import { sourceDataPath } from '../../../src/util/source-data.js';

/**
 * The source structures folder (41 X-ray chains: index.csv + pdb/*.pdb.gz): `PLMBENCH_STRUCTURES`, else
 * `$PLMBENCH_SOURCE_DATA/structures`; null when absent (tests that need it skip).
 */
export function structuresDir(): string | null {
  const dir = process.env['PLMBENCH_STRUCTURES'] ?? sourceDataPath('structures');
  if (dir === null) return null;
  return existsSync(`${dir}/index.csv`) ? dir : null;
}

export interface AtomLineOptions {
  het?: boolean;
  alt?: string;
  iCode?: string;
  occ?: number;
  element?: string;
  serial?: number;
}

const THREE: Record<string, string> = {
  A: 'ALA',
  R: 'ARG',
  N: 'ASN',
  D: 'ASP',
  C: 'CYS',
  Q: 'GLN',
  E: 'GLU',
  G: 'GLY',
  H: 'HIS',
  I: 'ILE',
  L: 'LEU',
  K: 'LYS',
  M: 'MET',
  F: 'PHE',
  P: 'PRO',
  S: 'SER',
  T: 'THR',
  W: 'TRP',
  Y: 'TYR',
  V: 'VAL',
};

export function three(aa: string): string {
  const t = THREE[aa];
  if (!t) throw new Error(`no three-letter name for ${aa}`);
  return t;
}

/** One ATOM/HETATM line in PDB columns. */
export function atomLine(
  name: string,
  resName: string,
  chain: string,
  resSeq: number,
  xyz: readonly [number, number, number],
  o: AtomLineOptions = {},
): string {
  const element = o.element ?? name.replace(/[^A-Z]/g, '')[0] ?? 'C';
  const nameField = name.length >= 4 || /^\d/.test(name) ? name.padEnd(4).slice(0, 4) : ` ${name.padEnd(3)}`;
  return (
    (o.het ? 'HETATM' : 'ATOM  ') +
    String(o.serial ?? 1).padStart(5) +
    ' ' +
    nameField +
    (o.alt ?? ' ') +
    resName.padStart(3) +
    ' ' +
    chain +
    String(resSeq).padStart(4) +
    (o.iCode ?? ' ') +
    '   ' +
    xyz.map((v) => v.toFixed(3).padStart(8)).join('') +
    (o.occ ?? 1).toFixed(2).padStart(6) +
    '20.00'.padStart(6) +
    '          ' +
    element.padStart(2)
  );
}

/** Backbone + CB atoms of residue number k along a straight line (consecutive residues are bonded). */
export function residueLines(
  aa: string,
  chain: string,
  resSeq: number,
  k: number,
  o: AtomLineOptions & { resName?: string; shift?: number } = {},
): string[] {
  const x = 3.8 * k;
  const dy = o.shift ?? 0;
  const resName = o.resName ?? three(aa);
  const lines = [
    atomLine('N', resName, chain, resSeq, [x, dy, 0], o),
    atomLine('CA', resName, chain, resSeq, [x + 1.2, 0.8 + dy, 0], o),
    atomLine('C', resName, chain, resSeq, [x + 2.5, dy, 0], o),
    atomLine('O', resName, chain, resSeq, [x + 2.5, -1.2 + dy, 0], o),
  ];
  if (aa !== 'G') lines.push(atomLine('CB', resName, chain, resSeq, [x + 1.2, 1.5 + dy, 1.2], o));
  return lines;
}

/** SEQRES records of a chain. */
export function seqresLines(chain: string, seq: string): string[] {
  const names = [...seq].map(three);
  const out: string[] = [];
  for (let k = 0; k * 13 < names.length; k++) {
    out.push(
      `SEQRES ${String(k + 1).padStart(3)} ${chain} ${String(names.length).padStart(4)}  ${names.slice(13 * k, 13 * k + 13).join(' ')}`,
    );
  }
  return out;
}

/**
 * A whole PDB file: one chain whose residues `observed[k]` (a letter, or '-' for unobserved) are
 * numbered k+1 and laid out so that a skipped residue leaves a geometric break.
 */
export function syntheticPdb(chain: string, seqres: string, observed: string, extra: string[] = []): string {
  const lines = ['HEADER    TEST PROTEIN                            01-JAN-00   1ABC', ...seqresLines(chain, seqres)];
  for (let k = 0; k < observed.length; k++) {
    const aa = observed[k]!;
    if (aa === '-') continue;
    lines.push(...residueLines(aa, chain, k + 1, k));
  }
  lines.push(`TER      99      ALA ${chain}${String(observed.length).padStart(4)}`, ...extra, 'END', '');
  return lines.join('\n');
}
