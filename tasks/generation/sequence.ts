/**
 * Sequence statistics that need no model: amino-acid composition and its divergences, SEG low-complexity
 * segments (Wootton & Federhen 1993), exact internal repeats. Sequences here use the 20 standard amino acids
 * only (the sampler emits nothing else and the bundled sets are filtered): other letters are an internal error.
 */

/** The 20 standard amino acids, in the order of every composition vector here. */
export const STANDARD = 'ACDEFGHIKLMNPQRSTVWY';

const INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < STANDARD.length; i++) INDEX[STANDARD.charCodeAt(i)] = i;

/** Index of a standard amino acid letter in `STANDARD`, or -1. */
export function aaIndex(letter: string): number {
  const c = letter.charCodeAt(0);
  return c < 128 ? INDEX[c]! : -1;
}

/** Coded sequence (0..19); a letter outside the 20 is a RangeError naming it. */
export function codeSequence(seq: string): Uint8Array {
  const out = new Uint8Array(seq.length);
  for (let i = 0; i < seq.length; i++) {
    const k = aaIndex(seq[i]!);
    if (k < 0) throw new RangeError(`sequence statistics: "${seq[i]}" at ${i + 1} is not one of the 20 standard amino acids`);
    out[i] = k;
  }
  return out;
}

/** Counts of the 20 standard amino acids. */
export function aaCounts(seq: string): Float64Array {
  const c = new Float64Array(20);
  for (const k of codeSequence(seq)) c[k]!++;
  return c;
}

/** Frequencies (counts / total); all zero for an empty input. */
export function normalise(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float64Array(counts.length);
  if (total > 0) for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}

/** Kullback-Leibler divergence KL(p || q) in nats (terms with p_i = 0 are 0; q_i = 0 with p_i > 0 gives Infinity). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (pi > 0) s += pi * Math.log(pi / q[i]!);
  }
  return s;
}

/**
 * Jensen-Shannon divergence of two distributions in bits (log base 2, so 0 <= JSD <= 1):
 * JSD = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2; equal to
 * `scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2`.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const P = normalise(p);
  const Q = normalise(q);
  let s = 0;
  for (let i = 0; i < P.length; i++) {
    const m = (P[i]! + Q[i]!) / 2;
    if (P[i]! > 0) s += 0.5 * P[i]! * Math.log2(P[i]! / m);
    if (Q[i]! > 0) s += 0.5 * Q[i]! * Math.log2(Q[i]! / m);
  }
  return Math.max(0, s);
}

// ---------------------------------------------------------------------------------------------------------
// SEG

export interface SegParams {
  window: number;
  /** Trigger complexity, bits. */
  locut: number;
  /** Extension complexity, bits. */
  hicut: number;
  /** Most residues the trimming step may remove from a raw segment. */
  maxtrim: number;
}

/** SEG's defaults (`seg <file> 12 2.2 2.5`, maxtrim 100), as NCBI BLAST's protein filter uses them. */
export const SEG_DEFAULTS: SegParams = { window: 12, locut: 2.2, hicut: 2.5, maxtrim: 100 };

const LN20 = Math.log(20);
let lnfacTable = new Float64Array([0]);
function lnfac(n: number): number {
  if (n >= lnfacTable.length) {
    const next = new Float64Array(Math.max(n + 1, 2 * lnfacTable.length));
    next.set(lnfacTable);
    for (let i = lnfacTable.length; i < next.length; i++) next[i] = next[i - 1]! + Math.log(i);
    lnfacTable = next;
  }
  return lnfacTable[n]!;
}

/** Shannon entropy (bits) of a window's counts. */
function entropyBits(counts: Int32Array, total: number): number {
  let h = 0;
  for (let a = 0; a < 20; a++) {
    const n = counts[a]!;
    if (n > 0) h -= (n / total) * Math.log2(n / total);
  }
  return h;
}

/**
 * SEG's log-probability of a composition (`getprob` in seg.c): ln(number of sequences with this complexity
 * state) - total * ln 20, i.e. ln(20! / prod_v m_v!) + ln(total! / prod_a n_a!) - total ln 20, where m_v is the
 * number of letters (of 20) that occur exactly v times (v = 0 included).
 */
function segLogProb(counts: Int32Array, total: number): number {
  let perm = lnfac(total);
  const classes = new Map<number, number>();
  for (let a = 0; a < 20; a++) {
    const n = counts[a]!;
    perm -= lnfac(n);
    classes.set(n, (classes.get(n) ?? 0) + 1);
  }
  let ass = lnfac(20);
  for (const m of classes.values()) ass -= lnfac(m);
  return ass + perm - total * LN20;
}

/**
 * Low-complexity segments by SEG (Wootton & Federhen 1993; the algorithm of NCBI's seg.c, ported):
 * H[i] = Shannon entropy (bits) of the window of `window` residues centred on i (offsets -5..+6 for 12);
 * a window with H <= locut triggers a raw segment made of the contiguous windows with H <= hicut around it;
 * the raw segment is trimmed to its sub-segment of least SEG probability (`trim`, at most `maxtrim` residues
 * removed), a trigger left of the trimmed segment is segmented again (seg.c's recursion), and overlapping
 * segments are merged. Returns inclusive [begin, end] residue ranges, in order.
 */
export function segSegments(seq: string, params: SegParams = SEG_DEFAULTS): [number, number][] {
  const code = codeSequence(seq);
  const segs: [number, number][] = [];
  segseq(code, 0, code.length, params, segs);
  // mergesegs: overlapping segments are joined (hilenmin = 0, so nothing else is).
  const merged: [number, number][] = [];
  for (const s of segs) {
    const last = merged[merged.length - 1];
    if (last && last[1] >= s[0]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

function segseq(code: Uint8Array, start: number, length: number, p: SegParams, out: [number, number][]): void {
  const W = p.window;
  if (W > length) return;
  const downset = Math.floor((W + 1) / 2) - 1;
  const upset = W - downset;
  const H = new Float64Array(length).fill(-1);
  const counts = new Int32Array(20);
  for (let j = 0; j < W; j++) counts[code[start + j]!]!++;
  const first = downset;
  const last = length - upset;
  for (let i = first; i <= last; i++) {
    H[i] = entropyBits(counts, W);
    if (i < last) {
      counts[code[start + i - downset]!]!--;
      counts[code[start + i - downset + W]!]!++;
    }
  }
  let lowlim = first;
  for (let i = first; i <= last; i++) {
    if (!(H[i]! <= p.locut && H[i] !== -1)) continue;
    let loi = i;
    while (loi >= lowlim && H[loi] !== -1 && H[loi]! <= p.hicut) loi--;
    loi++;
    let hii = i;
    while (hii <= last && H[hii] !== -1 && H[hii]! <= p.hicut) hii++;
    hii--;
    let leftend = loi - downset;
    let rightend = hii + upset - 1;
    [leftend, rightend] = trim(code, start, leftend, rightend, p.maxtrim);
    if (i + upset - 1 < leftend) {
      // A trigger window in the left trim: segment that part again.
      const lend = loi - downset;
      const rend = leftend - 1;
      segseq(code, start + lend, rend - lend + 1, p, out);
    }
    out.push([start + leftend, start + rightend]);
    i = Math.min(hii, rightend + downset);
    lowlim = i + 1;
  }
}

/** seg.c `trim`: the sub-window of [leftend, rightend] with the least SEG probability (longest, then leftmost, on ties). */
function trim(code: Uint8Array, start: number, leftend: number, rightend: number, maxtrim: number): [number, number] {
  const L = rightend - leftend + 1;
  let minlen = 1;
  if (L - maxtrim > minlen) minlen = L - maxtrim;
  let minprob = 1;
  let lend = 0;
  let rend = L - 1;
  const base = start + leftend;
  const counts = new Int32Array(20);
  for (let len = L; len > minlen; len--) {
    counts.fill(0);
    for (let j = 0; j < len; j++) counts[code[base + j]!]!++;
    for (let i = 0; i + len <= L; i++) {
      if (i > 0) {
        counts[code[base + i - 1]!]!--;
        counts[code[base + i + len - 1]!]!++;
      }
      const prob = segLogProb(counts, len);
      if (prob < minprob) {
        minprob = prob;
        lend = i;
        rend = len + i - 1;
      }
    }
  }
  return [leftend + lend, rightend - (L - rend - 1)];
}

/** Length of the exact repeats `repeatMask` looks for. */
export const REPEAT_K = 8;

/** 1 for every residue covered by an exact k-mer (default 8) that occurs at least twice in the sequence. */
export function repeatMask(seq: string, k = REPEAT_K): Uint8Array {
  const mask = new Uint8Array(seq.length);
  const seen = new Map<string, number[]>();
  for (let i = 0; i + k <= seq.length; i++) {
    const w = seq.slice(i, i + k);
    const list = seen.get(w);
    if (list) list.push(i);
    else seen.set(w, [i]);
  }
  for (const list of seen.values()) {
    if (list.length < 2) continue;
    for (const i of list) mask.fill(1, i, i + k);
  }
  return mask;
}

export interface Complexity {
  /** Residues in SEG segments. */
  seg: number;
  /** Residues in exact repeats (k = 8). */
  repeat: number;
  /** Residues in either. */
  either: number;
  length: number;
}

/** Residues of a sequence in SEG low-complexity segments, in exact internal repeats, and in either. */
export function complexity(seq: string): Complexity {
  const rep = repeatMask(seq);
  const segMask = new Uint8Array(seq.length);
  for (const [b, e] of segSegments(seq)) segMask.fill(1, b, e + 1);
  let seg = 0;
  let repeat = 0;
  let either = 0;
  for (let i = 0; i < seq.length; i++) {
    seg += segMask[i]!;
    repeat += rep[i]!;
    either += segMask[i]! | rep[i]!;
  }
  return { seg, repeat, either, length: seq.length };
}
