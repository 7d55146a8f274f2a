/**
 * Collects the atom records of one chain into residues, shared by the PDB and mmCIF parsers.
 *
 * Rules (documented in `pdb.ts`): residues are keyed by residue number plus insertion code and kept
 * in the order of their first record; per atom name the conformer with the highest occupancy wins,
 * ties going to the first one listed (as Biopython does). When one residue key carries records of
 * several residue names (microheterogeneity), the name whose best atom has the highest occupancy
 * wins, ties to the first listed.
 */
import type { Residue, Vec3 } from './structure-types.js';

interface Variant {
  aa: string;
  hetero: boolean;
  maxOcc: number;
  atoms: Map<string, { xyz: Vec3; occ: number }>;
}

interface ResidueAcc {
  resSeq: number;
  iCode: string;
  variants: Map<string, Variant>;
}

export interface AtomInput {
  hetero: boolean;
  atomName: string;
  resName: string;
  resSeq: number;
  iCode: string;
  aa: string;
  x: number;
  y: number;
  z: number;
  occupancy: number;
}

export class ChainBuilder {
  private readonly byKey = new Map<string, ResidueAcc>();

  add(a: AtomInput): void {
    const key = `${a.resSeq}|${a.iCode}`;
    let res = this.byKey.get(key);
    if (!res) {
      res = { resSeq: a.resSeq, iCode: a.iCode, variants: new Map() };
      this.byKey.set(key, res);
    }
    let v = res.variants.get(a.resName);
    if (!v) {
      v = { aa: a.aa, hetero: a.hetero, maxOcc: -Infinity, atoms: new Map() };
      res.variants.set(a.resName, v);
    }
    const prev = v.atoms.get(a.atomName);
    if (!prev || a.occupancy > prev.occ) {
      v.atoms.set(a.atomName, { xyz: [a.x, a.y, a.z], occ: a.occupancy });
    }
    if (a.occupancy > v.maxOcc) v.maxOcc = a.occupancy;
  }

  get size(): number {
    return this.byKey.size;
  }

  build(): Residue[] {
    const out: Residue[] = [];
    for (const res of this.byKey.values()) {
      let bestName = '';
      let best: Variant | undefined;
      for (const [name, v] of res.variants) {
        if (!best || v.maxOcc > best.maxOcc) {
          best = v;
          bestName = name;
        }
      }
      if (!best) continue;
      const atoms = new Map<string, Vec3>();
      for (const [name, a] of best.atoms) atoms.set(name, a.xyz);
      out.push({
        resSeq: res.resSeq,
        iCode: res.iCode,
        resName: bestName,
        aa: best.aa,
        hetero: best.hetero,
        atoms,
      });
    }
    return out;
  }
}

/**
 * True for hydrogen and deuterium: from the element symbol (PDB columns 77-78), or, when it is blank,
 * from the atom name's first letter after leading spaces and digits (`1HB`, ` HA `, `HD21`); no heavy
 * atom of an amino acid has a name starting with H or D.
 */
export function isHydrogen(element: string, atomNameField: string): boolean {
  const e = element.trim().toUpperCase();
  if (e !== '') return e === 'H' || e === 'D';
  const m = /^[\s\d]*([A-Za-z])/.exec(atomNameField);
  const sym = m?.[1]?.toUpperCase();
  return sym === 'H' || sym === 'D';
}

/** Residue names of waters, skipped before any other rule. */
export const WATER_NAMES: ReadonlySet<string> = new Set(['HOH', 'WAT', 'DOD', 'H2O', 'SOL', 'TIP', 'TIP3']);

/**
 * Chain breaks between consecutive observed residues: `breaks[j] = 1` when residue `j-1` and residue
 * `j` may have unobserved residues between them (length n+1; `breaks[0]` and `breaks[n]` are 1, the
 * chain ends). A break is a residue numbering that is not consecutive (the next number without
 * insertion code, or the same number with another insertion code), or, with C of `j-1` and N of `j`
 * both present, a C-N distance over `maxPeptideBond` Å (a peptide bond is 1.33 Å). Both count because
 * deposited models sometimes join the residues flanking a disordered loop (1HUU chain B: 56 and 73 at
 * 1.34 Å) and numbering is sometimes continuous across a break.
 */
export function chainBreaks(residues: readonly Residue[], maxPeptideBond = 2.0): Uint8Array {
  const n = residues.length;
  const breaks = new Uint8Array(n + 1);
  breaks[0] = 1;
  breaks[n] = 1;
  for (let j = 1; j < n; j++) {
    const prev = residues[j - 1]!;
    const cur = residues[j]!;
    const consecutive = (cur.resSeq === prev.resSeq + 1 && cur.iCode === '') || (cur.resSeq === prev.resSeq && cur.iCode !== prev.iCode);
    let gap = !consecutive;
    const c = prev.atoms.get('C');
    const nAt = cur.atoms.get('N');
    if (!gap && c && nAt) {
      const dx = c[0] - nAt[0];
      const dy = c[1] - nAt[1];
      const dz = c[2] - nAt[2];
      gap = Math.sqrt(dx * dx + dy * dy + dz * dz) > maxPeptideBond;
    }
    breaks[j] = gap ? 1 : 0;
  }
  return breaks;
}
