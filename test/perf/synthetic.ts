import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../../src/util/rng.js';

const AA = 'ACDEFGHIKLMNPQRSTVWY';
const THREE: Record<string, string> = {
  A: 'ALA',
  C: 'CYS',
  D: 'ASP',
  E: 'GLU',
  F: 'PHE',
  G: 'GLY',
  H: 'HIS',
  I: 'ILE',
  K: 'LYS',
  L: 'LEU',
  M: 'MET',
  N: 'ASN',
  P: 'PRO',
  Q: 'GLN',
  R: 'ARG',
  S: 'SER',
  T: 'THR',
  V: 'VAL',
  W: 'TRP',
  Y: 'TYR',
};

export function randomProtein(n: number, seed: string): string {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => AA[rng.int(20)]).join('');
}

/**
 * A structures folder (index.csv + one PDB) holding one ideal alpha-helical chain of `n` residues: a
 * memory workload for the contacts task on long chains (the contacts themselves are only local).
 */
export function helixStructureFolder(dir: string, n: number, seed: string): { dir: string; sequence: string } {
  const seq = randomProtein(n, seed);
  const lines: string[] = [];
  let serial = 1;
  const atom = (name: string, res: number, x: number, y: number, z: number) => {
    const el = name[0]!;
    lines.push(
      `ATOM  ${String(serial++).padStart(5)}  ${name.padEnd(3)} ${THREE[seq[res]!]} A${String(res + 1).padStart(4)}    ` +
        `${x.toFixed(3).padStart(8)}${y.toFixed(3).padStart(8)}${z.toFixed(3).padStart(8)}  1.00 20.00           ${el}`,
    );
  };
  for (let i = 0; i < n; i++) {
    // Ideal alpha helix: 100 degrees and 1.5 A rise per residue; N and C a little before and after CA.
    const t = (i * 100 * Math.PI) / 180;
    const pos = (r: number, dt: number, dz: number) => [r * Math.cos(t + dt), r * Math.sin(t + dt), 1.5 * i + dz] as const;
    atom('N', i, ...pos(1.55, -0.5, -0.6));
    atom('CA', i, ...pos(2.3, 0, 0));
    atom('C', i, ...pos(1.65, 0.45, 0.55));
  }
  lines.push('TER', 'END');
  mkdirSync(join(dir, 'pdb'), { recursive: true });
  writeFileSync(join(dir, 'pdb', 'HELX_A.pdb.gz'), gzipSync(lines.join('\n') + '\n'));
  writeFileSync(
    join(dir, 'index.csv'),
    `file,shiftx2_id,pdb_id,chain,n_observed_residues,seqres_length,experiment,molecule,observed_sequence,seqres_sequence\n` +
      `pdb/HELX_A.pdb.gz,HELX,HELX,A,${n},${n},SYNTHETIC,ideal helix,${seq},${seq}\n`,
  );
  return { dir, sequence: seq };
}

/**
 * A ProteinGym-format assay of `count` distinct variants (single and double substitutions) of a random
 * wild type, with a DMS_substitutions.csv row: a memory workload that grows only in variants.
 */
export function syntheticAssay(dir: string, id: string, wtLength: number, count: number, seed: string): string {
  const rng = new Rng(seed);
  const wt = randomProtein(wtLength, `${seed}/wt`);
  const seen = new Set<string>();
  const rows: string[] = ['mutant,mutated_sequence,DMS_score,DMS_score_bin'];
  while (rows.length <= count) {
    const sites = rng.int(2) + 1;
    const positions = [...new Set(Array.from({ length: sites }, () => rng.int(wtLength)))].sort((a, b) => a - b);
    const seq = wt.split('');
    const parts: string[] = [];
    for (const p of positions) {
      let aa = AA[rng.int(20)]!;
      while (aa === wt[p]) aa = AA[rng.int(20)]!;
      seq[p] = aa;
      parts.push(`${wt[p]}${p + 1}${aa}`);
    }
    const mutant = parts.join(':');
    if (seen.has(mutant)) continue;
    seen.add(mutant);
    const score = rng.normal();
    rows.push(`${mutant},${seq.join('')},${score.toFixed(5)},${score > 0 ? 1 : 0}`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.csv`), rows.join('\n') + '\n');
  writeFileSync(
    join(dir, 'DMS_substitutions.csv'),
    `DMS_id,target_seq,seq_len,DMS_binarization_cutoff,coarse_selection_type,UniProt_ID\n${id},${wt},${wtLength},0,Activity,SYNTH_${id}\n`,
  );
  return dir;
}
