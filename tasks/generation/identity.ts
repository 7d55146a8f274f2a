/**
 * Sequence identity for novelty and diversity, from `globalIdentity` of src/bio (global alignment with BLOSUM62, gap
 * open 10, extend 0.5, end gaps free: EMBOSS needle's defaults):
 * - diversity (pairs within a set): identical aligned residues over the shorter sequence (CD-HIT's denominator);
 * - novelty (a query against the reference set): identical aligned residues over the query's length, so that a short
 *   reference peptide cannot make a query look like its homolog (over the shorter sequence, a 14-residue reference
 *   reaches 50% with a random-like 150-residue sample).
 *
 * Novelty against a large reference set uses a k-mer prefilter: only the `candidates` references that share the
 * most 3-mers with the query, beyond what chance predicts, are aligned (see `KmerIndex`). Identities within a set
 * (diversity) are computed for every pair, with no prefilter.
 */
import { globalIdentity } from '../../src/bio/index.js';
import { aaIndex } from './sequence.js';

const K = 3;
const CODES = 20 ** K;

/** Distinct 3-mer codes of a sequence (3-mers with a letter outside the 20 standard ones are skipped). */
export function kmerSet(seq: string): Int32Array {
  const seen = new Uint8Array(CODES);
  const out: number[] = [];
  for (let i = 0; i + K <= seq.length; i++) {
    let code = 0;
    let ok = true;
    for (let j = 0; j < K; j++) {
      const a = aaIndex(seq[i + j]!);
      if (a < 0) {
        ok = false;
        break;
      }
      code = code * 20 + a;
    }
    if (ok && !seen[code]) {
      seen[code] = 1;
      out.push(code);
    }
  }
  return Int32Array.from(out);
}

/**
 * Inverted index of the distinct 3-mers of a reference set. `candidates(query, m)` ranks references by the
 * excess of shared distinct 3-mers over chance, `shared - |K(q)| * |K(r)| / 8000` (|K| = distinct 3-mers; 8000 =
 * 20^3), and returns the best m (ties: lower reference index first). The correction keeps long references, which
 * share many 3-mers with anything, from crowding out true homologs.
 */
export class KmerIndex {
  readonly size: number;
  private readonly offsets: Int32Array;
  private readonly postings: Int32Array;
  private readonly kmerCount: Int32Array;

  constructor(readonly sequences: readonly string[]) {
    this.size = sequences.length;
    const sets = sequences.map(kmerSet);
    this.kmerCount = Int32Array.from(sets.map((s) => s.length));
    const counts = new Int32Array(CODES + 1);
    for (const s of sets) for (const c of s) counts[c + 1]!++;
    for (let c = 0; c < CODES; c++) counts[c + 1]! += counts[c]!;
    this.offsets = counts.slice();
    const fill = counts.slice(0, CODES);
    this.postings = new Int32Array(this.offsets[CODES]!);
    sets.forEach((s, r) => {
      for (const c of s) this.postings[fill[c]!++] = r;
    });
  }

  /** The m references with the largest excess of shared 3-mers (fewer when the set is smaller). */
  candidates(query: string, m: number): number[] {
    const q = kmerSet(query);
    const shared = new Int32Array(this.size);
    for (const c of q) {
      for (let k = this.offsets[c]!; k < this.offsets[c + 1]!; k++) shared[this.postings[k]!]!++;
    }
    const score = new Float64Array(this.size);
    for (let r = 0; r < this.size; r++) score[r] = shared[r]! - (q.length * this.kmerCount[r]!) / CODES;
    const order = Array.from({ length: this.size }, (_, r) => r);
    order.sort((a, b) => score[b]! - score[a]! || a - b);
    return order.slice(0, Math.min(m, this.size));
  }
}

export interface MaxIdentity {
  /** Percent identity to the closest reference found. */
  identity: number;
  /** Index of that reference. */
  reference: number;
}

/** Number of prefiltered references aligned per query. */
export const NOVELTY_CANDIDATES = 32;

/** Percent of the query's residues identical to their aligned reference residue (the novelty identity). */
export function queryIdentity(query: string, reference: string): number {
  return globalIdentity(query, reference, { denominator: query.length <= reference.length ? 'shorter' : 'longer' });
}

/** Highest identity of `query` to the prefiltered candidates of the index (first candidate on ties). */
export function maxIdentity(query: string, index: KmerIndex, m = NOVELTY_CANDIDATES): MaxIdentity {
  let best: MaxIdentity = { identity: 0, reference: -1 };
  for (const r of index.candidates(query, m)) {
    const id = queryIdentity(query, index.sequences[r]!);
    if (id > best.identity) best = { identity: id, reference: r };
  }
  return best;
}

/** Highest identity of `query` to every reference (the brute force the prefilter is checked against). */
export function maxIdentityBruteForce(query: string, references: readonly string[]): MaxIdentity {
  let best: MaxIdentity = { identity: 0, reference: -1 };
  references.forEach((ref, r) => {
    const id = queryIdentity(query, ref);
    if (id > best.identity) best = { identity: id, reference: r };
  });
  return best;
}

/** Identity of every pair of a set, as a symmetric n x n matrix (diagonal 100). */
export function pairwiseIdentities(seqs: readonly string[], onRow?: (i: number) => void): Float64Array {
  const n = seqs.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 100;
    for (let j = i + 1; j < n; j++) {
      const v = globalIdentity(seqs[i]!, seqs[j]!);
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
    onRow?.(i);
  }
  return m;
}

/**
 * Mean identity over the pairs of the members `subset` of a pairwise matrix of size n (n(n-1)/2 pairs when
 * they are distinct). A member listed more than once (a bootstrap resample) is not compared with its own
 * copies: pairs of equal indices are skipped. NaN without a pair.
 */
export function meanPairwise(matrix: Float64Array, n: number, subset: readonly number[]): number {
  let s = 0;
  let c = 0;
  for (let a = 0; a < subset.length; a++) {
    for (let b = a + 1; b < subset.length; b++) {
      const i = subset[a]!;
      const j = subset[b]!;
      if (i === j) continue;
      s += matrix[i * n + j]!;
      c++;
    }
  }
  return c > 0 ? s / c : Number.NaN;
}

export interface Clustering {
  /** Cluster of each sequence (index of its representative). */
  assignment: Int32Array;
  representatives: number[];
}

/**
 * Greedy clustering at `threshold` percent identity, CD-HIT's order: sequences by length, longest first (ties:
 * lower index first); each joins the first representative (in the order they were made) with identity >=
 * threshold, else becomes a representative.
 */
export function greedyClusters(matrix: Float64Array, n: number, lengths: readonly number[], threshold: number): Clustering {
  const members = Array.from({ length: n }, (_, i) => i);
  members.sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const assignment = new Int32Array(n).fill(-1);
  const representatives: number[] = [];
  for (const i of members) {
    const rep = representatives.find((r) => matrix[i * n + r]! >= threshold);
    if (rep === undefined) {
      representatives.push(i);
      assignment[i] = i;
    } else assignment[i] = rep;
  }
  return { assignment, representatives };
}
