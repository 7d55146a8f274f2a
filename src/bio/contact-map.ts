/**
 * Cβ coordinates, distances and contact maps over the positions of a reference sequence.
 *
 * Cβ: the residue's own CB atom, except for glycine and residues without a CB atom, which get the
 * virtual Cβ of trRosetta and ESM (ideal geometry from N, CA, C):
 *   b = CA - N, c = C - CA, a = b x c, CB = -0.58273431 a + 0.56802827 b - 0.54067466 c + CA.
 * (`virtualCb: 'all'` uses that virtual Cβ for every residue.)
 * A residue with neither a CB atom nor all of N, CA, C has no Cβ and counts as unobserved.
 *
 * `virtualCb: 'esm'` is the Cβ of ESM's contact evaluation, the one behind ESM-2's published P@L
 * (facebookresearch/esm, examples/contact_prediction.ipynb @ 2b369911, `contacts_from_pdb`): for every residue,
 * `extend(C, N, CA, 1.522, 1.927, -2.143)` ({@link esmCb}: bond length 1.522 Å, angle 1.927 rad, dihedral
 * -2.143 rad), whatever atoms the residue has; a residue without all of N, CA, C is unobserved (its CB atom is
 * never used).
 *
 * Contact: Cβ-Cβ distance strictly below 8 Å between two observed residues. Maps are row-major L*L
 * `Uint8Array`s over the reference positions, 0 wherever either residue is unobserved; the diagonal
 * of an observed residue is 1 (distance 0). Separation bands follow ESM and CASP: short 6 <= |i-j| < 12,
 * medium 12 <= |i-j| < 24, long |i-j| >= 24.
 */
import type { Residue, Vec3 } from './structure-types.js';

export const CONTACT_THRESHOLD = 8;

/** Virtual Cβ from backbone N, CA, C (trRosetta/ESM constants). */
export function virtualCb(n: Vec3, ca: Vec3, c: Vec3): [number, number, number] {
  const b0 = ca[0] - n[0];
  const b1 = ca[1] - n[1];
  const b2 = ca[2] - n[2];
  const c0 = c[0] - ca[0];
  const c1 = c[1] - ca[1];
  const c2 = c[2] - ca[2];
  const a0 = b1 * c2 - b2 * c1;
  const a1 = b2 * c0 - b0 * c2;
  const a2 = b0 * c1 - b1 * c0;
  return [
    -0.58273431 * a0 + 0.56802827 * b0 - 0.54067466 * c0 + ca[0],
    -0.58273431 * a1 + 0.56802827 * b1 - 0.54067466 * c1 + ca[1],
    -0.58273431 * a2 + 0.56802827 * b2 - 0.54067466 * c2 + ca[2],
  ];
}

/**
 * ESM's virtual Cβ: `extend(a=C, b=N, c=CA, L=1.522, A=1.927, D=-2.143)` of examples/contact_prediction.ipynb
 * (facebookresearch/esm @ 2b369911): the point at distance L from CA, with angle A to N and dihedral D to C,
 * built in the frame bc = unit(N - CA), n = unit((N - C) x bc), (bc, n x bc, n).
 */
export function esmCb(n: Vec3, ca: Vec3, c: Vec3): [number, number, number] {
  const L = 1.522;
  const A = 1.927;
  const D = -2.143;
  const unit = (v: [number, number, number]): [number, number, number] => {
    const r = Math.hypot(v[0], v[1], v[2]);
    return [v[0] / r, v[1] / r, v[2] / r];
  };
  const cross = (u: readonly number[], v: readonly number[]): [number, number, number] => [
    u[1]! * v[2]! - u[2]! * v[1]!,
    u[2]! * v[0]! - u[0]! * v[2]!,
    u[0]! * v[1]! - u[1]! * v[0]!,
  ];
  const bc = unit([n[0] - ca[0], n[1] - ca[1], n[2] - ca[2]]);
  const nn = unit(cross([n[0] - c[0], n[1] - c[1], n[2] - c[2]], bc));
  const m1 = cross(nn, bc);
  const d0 = L * Math.cos(A);
  const d1 = L * Math.sin(A) * Math.cos(D);
  const d2 = -L * Math.sin(A) * Math.sin(D);
  return [0, 1, 2].map((k) => ca[k]! + (bc[k]! * d0 + m1[k]! * d1 + nn[k]! * d2)) as [number, number, number];
}

/** Which residues get a virtual Cβ: see the module comment. */
export type VirtualCbMode = 'missing' | 'all' | 'esm';

export interface CbCoordinates {
  /** 3L coordinates, NaN where unobserved. */
  cb: Float64Array;
  /** 1 where the position has a Cβ. */
  observed: Uint8Array;
  /** 1 where that Cβ is virtual. */
  virtual: Uint8Array;
}

/** Cβ of one residue: real CB (unless glycine or `all`), else virtual; `esm`: ESM's virtual Cβ only; `null` when impossible. */
export function residueCb(r: Residue, virtualCbFor: VirtualCbMode = 'missing'): { xyz: Vec3; virtual: boolean } | null {
  if (virtualCbFor === 'esm') {
    const n = r.atoms.get('N');
    const ca = r.atoms.get('CA');
    const c = r.atoms.get('C');
    return n && ca && c ? { xyz: esmCb(n, ca, c), virtual: true } : null;
  }
  const real = r.atoms.get('CB');
  if (real && virtualCbFor === 'missing' && r.aa !== 'G') return { xyz: real, virtual: false };
  const n = r.atoms.get('N');
  const ca = r.atoms.get('CA');
  const c = r.atoms.get('C');
  if (n && ca && c) return { xyz: virtualCb(n, ca, c), virtual: true };
  return real ? { xyz: real, virtual: false } : null;
}

/**
 * Cβ coordinates on the reference positions: `refIndex[k]` is the reference position of `residues[k]`
 * (or -1 to drop it), `length` the reference length.
 */
export function cbCoordinates(
  residues: readonly Residue[],
  refIndex: Int32Array,
  length: number,
  virtualCbFor: VirtualCbMode = 'missing',
): CbCoordinates {
  const cb = new Float64Array(3 * length).fill(Number.NaN);
  const observed = new Uint8Array(length);
  const virtual = new Uint8Array(length);
  residues.forEach((r, k) => {
    const i = refIndex[k]!;
    if (i < 0) return;
    const p = residueCb(r, virtualCbFor);
    if (!p) return;
    cb[3 * i] = p.xyz[0];
    cb[3 * i + 1] = p.xyz[1];
    cb[3 * i + 2] = p.xyz[2];
    observed[i] = 1;
    virtual[i] = p.virtual ? 1 : 0;
  });
  return { cb, observed, virtual };
}

/** Cβ-Cβ distance matrix (Float32, row-major L*L), NaN where either residue is unobserved. */
export function cbDistances(cb: Float64Array, observed: Uint8Array): Float32Array {
  const L = observed.length;
  const d = new Float32Array(L * L).fill(Number.NaN);
  for (let i = 0; i < L; i++) {
    if (!observed[i]) continue;
    for (let j = i; j < L; j++) {
      if (!observed[j]) continue;
      const dx = cb[3 * i]! - cb[3 * j]!;
      const dy = cb[3 * i + 1]! - cb[3 * j + 1]!;
      const dz = cb[3 * i + 2]! - cb[3 * j + 2]!;
      const v = Math.sqrt(dx * dx + dy * dy + dz * dz);
      d[i * L + j] = v;
      d[j * L + i] = v;
    }
  }
  return d;
}

/** Contact map (row-major L*L): 1 where both are observed and Cβ-Cβ < threshold (in double precision). */
export function contactMap(cb: Float64Array, observed: Uint8Array, threshold = CONTACT_THRESHOLD): Uint8Array {
  const L = observed.length;
  const map = new Uint8Array(L * L);
  for (let i = 0; i < L; i++) {
    if (!observed[i]) continue;
    for (let j = i; j < L; j++) {
      if (!observed[j]) continue;
      const dx = cb[3 * i]! - cb[3 * j]!;
      const dy = cb[3 * i + 1]! - cb[3 * j + 1]!;
      const dz = cb[3 * i + 2]! - cb[3 * j + 2]!;
      if (Math.sqrt(dx * dx + dy * dy + dz * dz) < threshold) {
        map[i * L + j] = 1;
        map[j * L + i] = 1;
      }
    }
  }
  return map;
}

export type ContactBand = 'short' | 'medium' | 'long';

/** Separation |i-j| of each band (ESM/CASP), from (inclusive) and below (exclusive): the one definition of the bands. */
export const SEPARATION_BANDS: Readonly<Record<ContactBand, readonly [number, number]>> = {
  short: [6, 12],
  medium: [12, 24],
  long: [24, Infinity],
};

/** Separation band of a pair (ESM/CASP): short 6-11, medium 12-23, long >= 24; `null` below 6. */
export function separationBand(i: number, j: number): ContactBand | null {
  const s = Math.abs(i - j);
  if (s >= SEPARATION_BANDS.long[0]) return 'long';
  if (s >= SEPARATION_BANDS.medium[0]) return 'medium';
  if (s >= SEPARATION_BANDS.short[0]) return 'short';
  return null;
}

export interface BandStats {
  /** Pairs i < j in the band with both residues observed. */
  pairs: number;
  /** Of those, pairs in contact. */
  contacts: number;
}

/** Observed pairs and contacts per separation band (base rates = contacts / pairs). */
export function contactStats(contacts: Uint8Array, observed: Uint8Array): Record<ContactBand, BandStats> {
  const L = observed.length;
  const out: Record<ContactBand, BandStats> = {
    short: { pairs: 0, contacts: 0 },
    medium: { pairs: 0, contacts: 0 },
    long: { pairs: 0, contacts: 0 },
  };
  for (let i = 0; i < L; i++) {
    if (!observed[i]) continue;
    for (let j = i + SEPARATION_BANDS.short[0]; j < L; j++) {
      if (!observed[j]) continue;
      const s = out[separationBand(i, j)!];
      s.pairs++;
      s.contacts += contacts[i * L + j]!;
    }
  }
  return out;
}

/** Pairs (i < j, |i-j| >= minSeparation) in contact, in row order. */
export function contactPairs(contacts: Uint8Array, length: number, minSeparation = 1): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < length; i++) {
    for (let j = i + minSeparation; j < length; j++) if (contacts[i * length + j]) out.push([i, j]);
  }
  return out;
}
