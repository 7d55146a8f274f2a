/**
 * Contact precision, as defined in this task's README ("Metric"):
 *
 * For one chain with L = `lengthForK` (the ESM convention: the number of observed residues, ESM's
 * `override_length`; the SEQRES convention: the full reference length), a
 * separation range R (short 6-11, medium 12-23, long >= 24, or all >= 6 for the TAPE number), the candidates
 * are the pairs i < j with j - i in R, both residues observed, and a prediction (a finite score). They are
 * ranked by score, highest first; ties are broken by a seeded random order of the pairs when `tieBreak` is
 * given (what the task does: a constant predictor then scores the base rate on average, not whatever the
 * pair order favours), else by pair order (row-major: smaller i, then smaller j). For k in
 * {L, floor(L/2), floor(L/5)}, P@k = (true contacts among the first min(k, #candidates)) / k: when a range has
 * fewer than k candidates, the missing predictions count as wrong (ESM pads its top-k with non-contacts).
 */
import type { Rng } from '../../src/util/rng.js';
import { MIN_SEPARATION, pairCount } from '../../src/contacts/index.js';
import { contactStats, SEPARATION_BANDS, separationBand, type BandStats, type ContactBand } from '../../src/bio/contact-map.js';

export type Range = ContactBand;
export const RANGES: readonly Range[] = ['short', 'medium', 'long'];
/** Separation [from, below) of each range: the bands of `src/bio/contact-map.ts`. */
export const RANGE_BOUNDS = SEPARATION_BANDS;

export type Cut = 'l' | 'l2' | 'l5';
export const CUTS: readonly Cut[] = ['l', 'l2', 'l5'];

/** What the metrics need to know about a chain. */
export interface ChainTruth {
  id: string;
  /** L: reference sequence length. */
  length: number;
  observed: Uint8Array;
  /** Row-major L x L contact map (1 = contact). */
  contacts: Uint8Array;
}

export interface Hits {
  hits: number;
  k: number;
}

export interface RangeResult {
  /** Candidates: observed pairs in the range with a prediction. */
  candidates: number;
  /** Contacts among the candidates. */
  contacts: number;
  at: Record<Cut, Hits>;
}

export interface ChainPrecision {
  ranges: Record<Range, RangeResult>;
  /** All pairs with separation >= 6, top floor(L/5) (TAPE's precision at L/5). */
  tape: RangeResult;
  /** Observed pairs (separation >= 6) that have no prediction (windows never held both residues). */
  unscored: number;
}

export function cutK(L: number, cut: Cut): number {
  return cut === 'l' ? L : cut === 'l2' ? Math.floor(L / 2) : Math.floor(L / 5);
}

/**
 * Precision of one chain's predictions. `scores` has one value per pair (see `src/contacts/pairs.ts`), NaN where there is
 * no prediction. `tieBreak`: a stream that orders tied pairs at random (one draw per candidate, in pair order).
 * `lengthForK`: the L of P@L, P@L/2, P@L/5 (default the reference length); TAPE's P@L/5 always uses the reference
 * length, as TAPE's `compute_precision_at_l5` takes the sequence length.
 */
export function chainPrecision(
  truth: ChainTruth,
  scores: Float32Array | Float64Array,
  tieBreak?: Rng,
  lengthForK = truth.length,
): ChainPrecision {
  const L = truth.length;
  const K = lengthForK;
  if (scores.length !== pairCount(L))
    throw new RangeError(`chainPrecision: ${truth.id}: ${scores.length} scores for ${pairCount(L)} pairs`);
  const { observed, contacts } = truth;
  const cand: number[] = [];
  const pi: number[] = [];
  const pj: number[] = [];
  const empty = (n: number): RangeResult => ({
    candidates: 0,
    contacts: 0,
    at: { l: { hits: 0, k: n }, l2: { hits: 0, k: cutK(n, 'l2') }, l5: { hits: 0, k: cutK(n, 'l5') } },
  });
  const ranges: Record<Range, RangeResult> = { short: empty(K), medium: empty(K), long: empty(K) };
  const tape = empty(L);
  let unscored = 0;
  let p = 0;
  for (let i = 0; i + MIN_SEPARATION < L; i++) {
    for (let j = i + MIN_SEPARATION; j < L; j++, p++) {
      if (!observed[i] || !observed[j]) continue;
      if (!Number.isFinite(scores[p]!)) {
        unscored++;
        continue;
      }
      cand.push(p);
      pi.push(i);
      pj.push(j);
      const c = contacts[i * L + j]!;
      const r = ranges[separationBand(i, j)!];
      r.candidates++;
      r.contacts += c;
      tape.candidates++;
      tape.contacts += c;
    }
  }
  const tie = new Float64Array(cand.length);
  for (let t = 0; t < cand.length; t++) tie[t] = tieBreak ? tieBreak.next() : t;
  const order = Array.from(cand.keys()).sort((a, b) => scores[cand[b]!]! - scores[cand[a]!]! || tie[a]! - tie[b]! || a - b);
  const seen: Record<Range, number> = { short: 0, medium: 0, long: 0 };
  let seenAll = 0;
  for (const o of order) {
    const i = pi[o]!;
    const j = pj[o]!;
    const c = contacts[i * L + j]!;
    const range = separationBand(i, j)!;
    const rank = seen[range]++;
    const r = ranges[range];
    for (const cut of CUTS) if (rank < r.at[cut].k) r.at[cut].hits += c;
    if (seenAll++ < tape.at.l5.k) tape.at.l5.hits += c;
  }
  return { ranges, tape, unscored };
}

export function precision(h: Hits): number | null {
  return h.k > 0 ? h.hits / h.k : null;
}

/** Observed pairs and contacts per range (base rates = contacts / pairs), from the structure alone, plus their total. */
export function rangeCounts(truth: ChainTruth): Record<Range | 'all', BandStats> {
  const bands = contactStats(truth.contacts, truth.observed);
  const all: BandStats = { pairs: 0, contacts: 0 };
  for (const r of RANGES) {
    all.pairs += bands[r].pairs;
    all.contacts += bands[r].contacts;
  }
  return { ...bands, all };
}
