/**
 * Global pairwise alignment (Needleman-Wunsch with affine gaps, Gotoh's three-state recursion) in
 * O(n*m) time with typed arrays, and its two uses:
 *
 * - `globalIdentity(a, b)`: percent identity of two protein sequences (for clustering generated
 *   sequences): BLOSUM62, gap open 10, extend 0.5, end gaps free, the defaults of EMBOSS needle.
 * - `placeOnReference(reference, observed, ...)`: places the observed residues of a structure on a
 *   reference sequence (SEQRES or an index's sequence) so that unobserved residues are masked, never
 *   shifted. Scoring: identity (+2 match, -1 mismatch, 0 when either is X); gaps in the observed
 *   sequence (unobserved reference residues) are free at the chain ends, cheap (1 to open, 0.01 per
 *   residue) where the coordinates show a chain break, and expensive (12 to open, 0.5 per residue)
 *   between residues joined by a peptide bond; an observed residue with no reference partner costs
 *   6 to open and 1 per residue. Too many disagreements (see `placeOnReference`) is a `BenchError`.
 *
 * Gap cost convention (Biopython's PairwiseAligner and EMBOSS): a gap of length k costs
 * `open + (k - 1) * extend`.
 */
import { BenchError } from '../util/errors.js';

/** Column kinds of an alignment. */
export const PAIR = 0; // a[i] aligned with b[j]
export const GAP_IN_B = 1; // a[i] opposite a gap
export const GAP_IN_A = 2; // b[j] opposite a gap

/** A global alignment of `a` (length n) and `b` (length m). */
export interface PairAlignment {
  score: number;
  /** Columns in order: `PAIR`, `GAP_IN_B` or `GAP_IN_A`. */
  ops: Uint8Array;
  /** For each position of `a`, the aligned position of `b`, or -1. */
  aToB: Int32Array;
  /** For each position of `b`, the aligned position of `a`, or -1. */
  bToA: Int32Array;
}

/**
 * Per-position gap costs. A run of gaps opposite `a[i..]` sits at a fixed position `j` of `b` (the
 * number of `b` residues before it), so its costs are `bFirst[j]` for the first column and `bExt[j]`
 * for each further column (arrays of length m+1); likewise `aFirst[i]`, `aExt[i]` (length n+1) for a
 * run opposite `b[j..]` after `i` residues of `a`.
 */
interface GapCosts {
  aFirst: Float64Array;
  aExt: Float64Array;
  bFirst: Float64Array;
  bExt: Float64Array;
}

/** Residue alphabet of the substitution matrices; any other letter is coded as X. */
const ALPHABET = 'ARNDCQEGHILKMFPSTWYVBZX*';
const K = ALPHABET.length;
const X_CODE = ALPHABET.indexOf('X');
const CODE = new Uint8Array(128).fill(X_CODE);
for (let k = 0; k < K; k++) {
  CODE[ALPHABET.charCodeAt(k)] = k;
  CODE[ALPHABET.toLowerCase().charCodeAt(k)] = k;
}

// BLOSUM62 in ALPHABET order (as distributed with Biopython, Bio.Align.substitution_matrices).
const BLOSUM62_ROWS = [
  ' 4 -1 -2 -2  0 -1 -1  0 -2 -1 -1 -1 -1 -2 -1  1  0 -3 -2  0 -2 -1  0 -4',
  '-1  5  0 -2 -3  1  0 -2  0 -3 -2  2 -1 -3 -2 -1 -1 -3 -2 -3 -1  0 -1 -4',
  '-2  0  6  1 -3  0  0  0  1 -3 -3  0 -2 -3 -2  1  0 -4 -2 -3  3  0 -1 -4',
  '-2 -2  1  6 -3  0  2 -1 -1 -3 -4 -1 -3 -3 -1  0 -1 -4 -3 -3  4  1 -1 -4',
  ' 0 -3 -3 -3  9 -3 -4 -3 -3 -1 -1 -3 -1 -2 -3 -1 -1 -2 -2 -1 -3 -3 -2 -4',
  '-1  1  0  0 -3  5  2 -2  0 -3 -2  1  0 -3 -1  0 -1 -2 -1 -2  0  3 -1 -4',
  '-1  0  0  2 -4  2  5 -2  0 -3 -3  1 -2 -3 -1  0 -1 -3 -2 -2  1  4 -1 -4',
  ' 0 -2  0 -1 -3 -2 -2  6 -2 -4 -4 -2 -3 -3 -2  0 -2 -2 -3 -3 -1 -2 -1 -4',
  '-2  0  1 -1 -3  0  0 -2  8 -3 -3 -1 -2 -1 -2 -1 -2 -2  2 -3  0  0 -1 -4',
  '-1 -3 -3 -3 -1 -3 -3 -4 -3  4  2 -3  1  0 -3 -2 -1 -3 -1  3 -3 -3 -1 -4',
  '-1 -2 -3 -4 -1 -2 -3 -4 -3  2  4 -2  2  0 -3 -2 -1 -2 -1  1 -4 -3 -1 -4',
  '-1  2  0 -1 -3  1  1 -2 -1 -3 -2  5 -1 -3 -1  0 -1 -3 -2 -2  0  1 -1 -4',
  '-1 -1 -2 -3 -1  0 -2 -3 -2  1  2 -1  5  0 -2 -1 -1 -1 -1  1 -3 -1 -1 -4',
  '-2 -3 -3 -3 -2 -3 -3 -3 -1  0  0 -3  0  6 -4 -2 -2  1  3 -1 -3 -3 -1 -4',
  '-1 -2 -2 -1 -3 -1 -1 -2 -2 -3 -3 -1 -2 -4  7 -1 -1 -4 -3 -2 -2 -1 -2 -4',
  ' 1 -1  1  0 -1  0  0  0 -1 -2 -2  0 -1 -2 -1  4  1 -3 -2 -2  0  0  0 -4',
  ' 0 -1  0 -1 -1 -1 -1 -2 -2 -1 -1 -1 -1 -2 -1  1  5 -2 -2  0 -1 -1  0 -4',
  '-3 -3 -4 -4 -2 -2 -3 -2 -2 -3 -2 -3 -1  1 -4 -3 -2 11  2 -3 -4 -3 -2 -4',
  '-2 -2 -2 -3 -2 -1 -2 -3  2 -1 -1 -2 -1  3 -3 -2 -2  2  7 -1 -3 -2 -1 -4',
  ' 0 -3 -3 -3 -1 -2 -2 -3 -3  3  1 -2  1 -1 -2 -2  0 -3 -1  4 -3 -2 -1 -4',
  '-2 -1  3  4 -3  0  1 -1  0 -3 -4  0 -3 -3 -2  0 -1 -4 -3 -3  4  1 -1 -4',
  '-1  0  0  1 -3  3  4 -2  0 -3 -3  1 -1 -3 -1  0 -1 -3 -2 -2  1  4 -1 -4',
  ' 0 -1 -1 -1 -2 -1 -1 -1 -1 -1 -1 -1 -1 -1 -2  0  0 -2 -1 -1 -1 -1 -1 -4',
  '-4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4 -4  1',
];
const BLOSUM62 = new Float64Array(K * K);
BLOSUM62_ROWS.forEach((row, i) => {
  row
    .trim()
    .split(/\s+/)
    .forEach((v, j) => (BLOSUM62[i * K + j] = Number(v)));
});

/** Identity scoring for placing observed residues: +2 match, -1 mismatch, 0 with X. */
const IDENTITY = new Float64Array(K * K);
for (let i = 0; i < K; i++) {
  for (let j = 0; j < K; j++) IDENTITY[i * K + j] = i === X_CODE || j === X_CODE ? 0 : i === j ? 2 : -1;
}

function encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 128 ? CODE[c]! : X_CODE;
  }
  return out;
}

// Scratch buffers reused across calls (alignment is synchronous, so sharing is safe).
let scratchRows = new Float64Array(0);
let scratchTrace = new Uint8Array(0);

/**
 * Gotoh alignment of coded sequences with substitution scores `sub` (K*K) and per-position gap costs.
 * Ties in the traceback prefer a pair, then a gap in b, then a gap in a.
 */
function gotoh(ca: Uint8Array, cb: Uint8Array, sub: Float64Array, g: GapCosts): PairAlignment {
  const n = ca.length;
  const m = cb.length;
  const w = m + 1;
  if (scratchRows.length < 6 * w) scratchRows = new Float64Array(6 * w);
  if (scratchTrace.length < (n + 1) * w) scratchTrace = new Uint8Array((n + 1) * w);
  // Three states, M (pair), X (a[i] vs gap), Y (gap vs b[j]), each with a previous and a current row
  // in one flat buffer: state s of row parity p lives at rows[(2 * s + p) * w + j].
  const rows = scratchRows;
  // Trace byte: bits 0-1 predecessor of M, bits 2-3 of X, bits 4-5 of Y (0 = M, 1 = X, 2 = Y).
  const tr = scratchTrace;
  const NEG = -Infinity;
  const { aFirst, aExt, bFirst, bExt } = g;

  let pM = 0;
  let pX = 2 * w;
  let pY = 4 * w;
  let cM = w;
  let cX = 3 * w;
  let cY = 5 * w;
  rows[pM] = 0;
  rows[pX] = NEG;
  rows[pY] = NEG;
  tr[0] = 0;
  for (let j = 1; j <= m; j++) {
    rows[pM + j] = NEG;
    rows[pX + j] = NEG;
    rows[pY + j] = j === 1 ? -aFirst[0]! : rows[pY + j - 1]! - aExt[0]!;
    tr[j] = (j === 1 ? 0 : 2) << 4;
  }
  for (let i = 1; i <= n; i++) {
    const rowBase = i * w;
    const ai = ca[i - 1]! * K;
    rows[cM] = NEG;
    rows[cY] = NEG;
    rows[cX] = i === 1 ? -bFirst[0]! : rows[pX]! - bExt[0]!;
    tr[rowBase] = (i === 1 ? 0 : 1) << 2;
    const af = aFirst[i]!;
    const ae = aExt[i]!;
    let leftM = rows[cM]!;
    let leftX = rows[cX]!;
    let leftY = NEG;
    let diagM = rows[pM]!;
    let diagX = rows[pX]!;
    let diagY = rows[pY]!;
    for (let j = 1; j <= m; j++) {
      const upM = rows[pM + j]!;
      const upX = rows[pX + j]!;
      const upY = rows[pY + j]!;
      // M: pair a[i-1], b[j-1]
      let best = diagM;
      let t = 0;
      if (diagX > best) {
        best = diagX;
        t = 1;
      }
      if (diagY > best) {
        best = diagY;
        t = 2;
      }
      const vM = best + sub[ai + cb[j - 1]!]!;
      // X: a[i-1] opposite a gap, after j residues of b
      const bf = bFirst[j]!;
      let vX = upM - bf;
      const xx = upX - bExt[j]!;
      const xy = upY - bf;
      if (xx > vX) {
        vX = xx;
        t |= 1 << 2;
      }
      if (xy > vX) {
        vX = xy;
        t = (t & 3) | (2 << 2);
      }
      // Y: b[j-1] opposite a gap, after i residues of a
      let vY = leftM - af;
      const yx = leftX - af;
      const yy = leftY - ae;
      if (yx > vY) {
        vY = yx;
        t |= 1 << 4;
      }
      if (yy > vY) {
        vY = yy;
        t = (t & 15) | (2 << 4);
      }
      rows[cM + j] = vM;
      rows[cX + j] = vX;
      rows[cY + j] = vY;
      tr[rowBase + j] = t;
      leftM = vM;
      leftX = vX;
      leftY = vY;
      diagM = upM;
      diagX = upX;
      diagY = upY;
    }
    let tmp = pM;
    pM = cM;
    cM = tmp;
    tmp = pX;
    pX = cX;
    cX = tmp;
    tmp = pY;
    pY = cY;
    cY = tmp;
  }
  // Traceback from (n, m).
  let state = 0;
  let score = rows[pM + m]!;
  if (rows[pX + m]! > score) {
    score = rows[pX + m]!;
    state = 1;
  }
  if (rows[pY + m]! > score) {
    score = rows[pY + m]!;
    state = 2;
  }
  const ops = new Uint8Array(n + m);
  let len = 0;
  const aToB = new Int32Array(n).fill(-1);
  const bToA = new Int32Array(m).fill(-1);
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const t = tr[i * w + j]!;
    if (state === 0) {
      aToB[i - 1] = j - 1;
      bToA[j - 1] = i - 1;
      ops[len++] = PAIR;
      state = t & 3;
      i--;
      j--;
    } else if (state === 1) {
      ops[len++] = GAP_IN_B;
      state = (t >> 2) & 3;
      i--;
    } else {
      ops[len++] = GAP_IN_A;
      state = (t >> 4) & 3;
      j--;
    }
  }
  return { score, ops: ops.slice(0, len).reverse(), aToB, bToA };
}

function uniformGaps(len: number, first: number, ext: number, freeEnds: boolean): [Float64Array, Float64Array] {
  const f = new Float64Array(len + 1).fill(first);
  const e = new Float64Array(len + 1).fill(ext);
  if (freeEnds) {
    f[0] = f[len] = 0;
    e[0] = e[len] = 0;
  }
  return [f, e];
}

export interface GlobalAlignOptions {
  /** Substitution scores: BLOSUM62 (default) or identity (+2 match, -1 mismatch, 0 with X). */
  matrix?: 'blosum62' | 'identity';
  /** Cost of a gap's first column (default 10). */
  gapOpen?: number;
  /** Cost of each further column (default 0.5). */
  gapExtend?: number;
  /** End gaps free (default true, as EMBOSS needle). */
  freeEndGaps?: boolean;
}

/** Global alignment of two protein sequences (letters outside the BLOSUM alphabet count as X). */
export function globalAlign(a: string, b: string, options: GlobalAlignOptions = {}): PairAlignment {
  const open = options.gapOpen ?? 10;
  const ext = options.gapExtend ?? 0.5;
  const free = options.freeEndGaps ?? true;
  if (!(open >= 0) || !(ext >= 0)) throw new RangeError('globalAlign: gap costs must be >= 0');
  const [aFirst, aExt] = uniformGaps(a.length, open, ext, free);
  const [bFirst, bExt] = uniformGaps(b.length, open, ext, free);
  const sub = options.matrix === 'identity' ? IDENTITY : BLOSUM62;
  return gotoh(encode(a), encode(b), sub, { aFirst, aExt, bFirst, bExt });
}

export interface IdentityOptions extends GlobalAlignOptions {
  /**
   * Denominator of the percentage (default `shorter`):
   * - `shorter`: length of the shorter sequence (CD-HIT's global identity);
   * - `alignment`: alignment columns, gaps included, end gaps included;
   * - `longer`: length of the longer sequence.
   */
  denominator?: 'shorter' | 'alignment' | 'longer';
}

/**
 * Percent identity (0 to 100) of `a` and `b` over their global alignment (`globalAlign`, default
 * BLOSUM62, gap open 10, extend 0.5, free end gaps): 100 * identical aligned pairs / denominator,
 * where a pair is identical when both letters are the same (case-insensitive) and not X, and the
 * denominator is by default the length of the shorter sequence (see `IdentityOptions`).
 * Returns 0 when either sequence is empty. O(n*m) time, O(n*m) bytes of traceback.
 */
export function globalIdentity(a: string, b: string, options: IdentityOptions = {}): number {
  if (a.length === 0 || b.length === 0) return 0;
  const A = a.toUpperCase();
  const B = b.toUpperCase();
  const aln = globalAlign(A, B, options);
  let same = 0;
  for (let i = 0; i < A.length; i++) {
    const j = aln.aToB[i]!;
    if (j >= 0 && A[i] === B[j] && A[i] !== 'X') same++;
  }
  const den =
    options.denominator === 'alignment'
      ? aln.ops.length
      : options.denominator === 'longer'
        ? Math.max(A.length, B.length)
        : Math.min(A.length, B.length);
  return (100 * same) / den;
}

export interface PlacementOptions {
  /** Chain breaks from `chainBreaks` (length = observed.length + 1); default: no break known inside the chain. */
  breaks?: Uint8Array;
  /** Names in error messages. */
  file?: string;
  chain?: string;
  /** Disagreements allowed: max(`minTolerance`, floor(`tolerance` * observed length)); defaults 0.05 and 2. */
  tolerance?: number;
  minTolerance?: number;
}

export interface Placement {
  /** For each observed residue, its position on the reference, or -1 (not in the reference). */
  refIndex: Int32Array;
  /** Observed residues on a reference position with another letter (X never counts). */
  mismatches: number;
  /** Observed residues with no reference position. */
  unplaced: number;
  /** Reference residues skipped between two observed residues joined by a peptide bond. */
  skippedBonded: number;
  /** mismatches + unplaced + skippedBonded. */
  disagreements: number;
}

/**
 * Places observed residues on the reference (scoring in the module comment). Disagreements are
 * mismatches, observed residues left without a reference position, and reference residues skipped
 * where the coordinates show no break; more than the tolerance (default max(2, 5% of the observed
 * residues)) means the reference and the coordinates disagree: a `BenchError` naming file and chain.
 */
export function placeOnReference(reference: string, observed: string, options: PlacementOptions = {}): Placement {
  const n = reference.length;
  const m = observed.length;
  const breaks = options.breaks;
  if (breaks && breaks.length !== m + 1) throw new RangeError('placeOnReference: breaks must have observed.length + 1 entries');
  const bFirst = new Float64Array(m + 1);
  const bExt = new Float64Array(m + 1);
  for (let j = 1; j < m; j++) {
    const brk = breaks ? breaks[j] === 1 : false;
    bFirst[j] = brk ? 1 : 12;
    bExt[j] = brk ? 0.01 : 0.5;
  }
  const aFirst = new Float64Array(n + 1).fill(6);
  const aExt = new Float64Array(n + 1).fill(1);
  const ref = reference.toUpperCase();
  const obs = observed.toUpperCase();
  const aln = gotoh(encode(ref), encode(obs), IDENTITY, { aFirst, aExt, bFirst, bExt });

  let mismatches = 0;
  let unplaced = 0;
  let skippedBonded = 0;
  let first = '';
  for (let j = 0; j < m; j++) {
    const i = aln.bToA[j]!;
    if (i < 0) {
      unplaced++;
      first ||= `observed residue ${j + 1} (${obs[j]}) has no reference position`;
    } else if (ref[i] !== obs[j] && ref[i] !== 'X' && obs[j] !== 'X') {
      mismatches++;
      first ||= `observed residue ${j + 1} is ${obs[j]}, reference position ${i + 1} is ${ref[i]}`;
    }
    if (j > 0 && (!breaks || breaks[j] === 0)) {
      const prev = aln.bToA[j - 1]!;
      if (i >= 0 && prev >= 0 && i - prev > 1) {
        skippedBonded += i - prev - 1;
        first ||= `reference positions ${prev + 2}-${i} are missing between bonded residues`;
      }
    }
  }
  const disagreements = mismatches + unplaced + skippedBonded;
  const allowed = Math.max(options.minTolerance ?? 2, Math.floor((options.tolerance ?? 0.05) * m));
  if (disagreements > allowed) {
    const where = [options.file, options.chain !== undefined ? `chain ${options.chain}` : undefined].filter(Boolean).join(': ');
    throw new BenchError(
      'E_DATA',
      `${where || 'structure'}: coordinates disagree with the reference sequence at ${disagreements} of ${m} observed residues ` +
        `(${mismatches} mismatched, ${unplaced} not in the reference, ${skippedBonded} reference residues missing between bonded residues; ` +
        `tolerance ${allowed}); first: ${first}`,
    );
  }
  return { refIndex: aln.bToA, mismatches, unplaced, skippedBonded, disagreements };
}
