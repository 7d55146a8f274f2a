/**
 * `plddt_proxy`: a structure-confidence PROXY, not pLDDT (see README, "plddt_proxy"). For a sequence x of L residues
 * with composition f (frequencies of the 20 amino acids), the natural background composition q (the reference set)
 * and a reference model R:
 *
 *     plddt_proxy = G - max(0, B - tau),   B = KL(f || q) - 19 / (2L)
 *     G = (1/L) sum_i [ log p_R(x_i | context) - log q(x_i) ]
 *
 * G: how much better R predicts the residues than the background composition does (nats per residue; causal R: the
 * residues before i; masked R: the sequence with x_i masked). B: the sequence's compositional bias beyond what L
 * residues drawn from q show by chance (19/(2L) is the expected plug-in KL of a sample of L from 20 categories, to
 * first order). tau: the 90th percentile of B over the natural reference proteins (0.114 nats), so the penalty is 0
 * for 90% of natural proteins and charges only rarer, skewed compositions: a low-complexity or repeat-rich sequence
 * that R predicts well because it is repetitive (masked models copy the other repeats) pays for its composition.
 *
 * Its validation (`validateProxy`) is computed on every run, for the reference model of that run.
 */
import { aucRoc, bootstrapCI, spearman } from '../../src/metrics/index.js';
import { groupBy } from '../../src/util/order.js';
import type { Rng } from '../../src/util/rng.js';
import { aaCounts, aaIndex, klDivergence, normalise } from './sequence.js';

export interface ProxyParts {
  plddtProxy: number;
  /** G: mean log-likelihood gain of R over the background composition, nats per residue. */
  gain: number;
  /** max(0, KL(f || q) - 19/(2L) - tau), nats. */
  compositionPenalty: number;
  /** KL(f || q), nats. */
  kl: number;
  /** Mean negative log-likelihood under R, nats per residue. */
  nll: number;
}

/** B = KL(f || q) - 19/(2L): compositional bias of a sequence beyond chance, nats. */
export function compositionalBias(seq: string, background: ArrayLike<number>): number {
  return klDivergence(normalise(aaCounts(seq)), background) - 19 / (2 * seq.length);
}

/** The proxy and its parts; `tau` is the reference set's 90th percentile of the compositional bias (`loadReference`). */
export function proxyParts(seq: string, logProbs: ArrayLike<number>, background: ArrayLike<number>, tau: number): ProxyParts {
  const L = seq.length;
  if (L === 0 || logProbs.length !== L) throw new RangeError('proxyParts: one log-probability per residue, at least one residue');
  let ll = 0;
  let llq = 0;
  for (let i = 0; i < L; i++) {
    ll += logProbs[i]!;
    llq += Math.log(background[aaIndex(seq[i]!)]!);
  }
  const gain = (ll - llq) / L;
  const kl = klDivergence(normalise(aaCounts(seq)), background);
  const compositionPenalty = Math.max(0, kl - 19 / (2 * L) - tau);
  return { plddtProxy: gain - compositionPenalty, gain, compositionPenalty, kl, nll: -ll / L };
}

/** One sequence of the validation set with its scores. */
export interface ValidationRow {
  id: string;
  /** The natural protein it comes from. */
  source: string;
  kind: 'natural' | 'shuffled' | 'repeat' | 'substituted';
  /** Fraction of residues redrawn (substituted), else 0. */
  level: number;
  /** Scores to validate: the proxy and its components (higher = more natural); null = not computed. */
  scores: Record<string, number | null>;
}

export interface ScoreValidation {
  /** P(natural scores above shuffled), ties 1/2: ROC AUC of natural (1) vs shuffled (0). */
  auc_natural_vs_shuffled: Interval;
  auc_natural_vs_repeat: Interval;
  /** Natural vs shuffled and repeat-corrupted together. */
  auc_natural_vs_corrupted: Interval;
  /** Mean over natural proteins of the Spearman correlation between the score and the substituted fraction (0, 0.15, 0.3, 0.5): -1 = always ranked by corruption. */
  spearman_with_corruption: Interval;
  /** Fraction of (protein, level) pairs where the substituted version scores below its original. */
  below_original: Record<string, number>;
  n: number;
}

export interface Interval {
  value: number;
  ci95: [number, number] | null;
}

/**
 * The validation numbers of each score in `rows[].scores`, with 95% percentile bootstrap intervals over the
 * natural proteins (each resample keeps a protein's corrupted versions with it; 1,000 resamples).
 */
export function validateScores(rows: readonly ValidationRow[], rng: Rng): Record<string, ScoreValidation | null> {
  const proteins = [...groupBy(rows, (r) => r.source).values()];
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.scores)))];
  const out: Record<string, ScoreValidation | null> = {};
  for (const name of names) {
    const usable = proteins.filter((p) =>
      p.every((r) => r.scores[name] !== null && r.scores[name] !== undefined && Number.isFinite(r.scores[name])),
    );
    if (usable.length < 2) {
      out[name] = null;
      continue;
    }
    const score = (r: ValidationRow) => r.scores[name] as number;
    const auc = (sample: readonly ValidationRow[][], kinds: string[]) => {
      const s: number[] = [];
      const y: number[] = [];
      for (const p of sample) {
        for (const r of p) {
          if (r.kind === 'natural') {
            s.push(score(r));
            y.push(1);
          } else if (kinds.includes(r.kind)) {
            s.push(score(r));
            y.push(0);
          }
        }
      }
      return y.includes(0) && y.includes(1) ? aucRoc(s, y) : Number.NaN;
    };
    const rho = (sample: readonly ValidationRow[][]) => {
      let sum = 0;
      let c = 0;
      for (const p of sample) {
        const series = p.filter((r) => r.kind === 'natural' || r.kind === 'substituted');
        if (series.length < 3) continue;
        const v = spearman(
          series.map((r) => r.level),
          series.map(score),
        );
        if (Number.isFinite(v)) {
          sum += v;
          c++;
        }
      }
      return c > 0 ? sum / c : Number.NaN;
    };
    const interval = (stat: (s: readonly ValidationRow[][]) => number, label: string): Interval => {
      const r = bootstrapCI(usable, stat, { rng: rng.fork(`${name}:${label}`), resamples: 1000 });
      return { value: r.estimate, ci95: r.ci };
    };
    const levels = [...new Set(rows.filter((r) => r.kind === 'substituted').map((r) => r.level))].sort((a, b) => a - b);
    const below: Record<string, number> = {};
    for (const level of levels) {
      let hit = 0;
      let c = 0;
      for (const p of usable) {
        const orig = p.find((r) => r.kind === 'natural');
        const sub = p.find((r) => r.kind === 'substituted' && r.level === level);
        if (!orig || !sub) continue;
        c++;
        if (score(sub) < score(orig)) hit++;
      }
      below[String(level)] = c > 0 ? hit / c : Number.NaN;
    }
    out[name] = {
      auc_natural_vs_shuffled: interval((s) => auc(s, ['shuffled']), 'shuffled'),
      auc_natural_vs_repeat: interval((s) => auc(s, ['repeat']), 'repeat'),
      auc_natural_vs_corrupted: interval((s) => auc(s, ['shuffled', 'repeat']), 'corrupted'),
      spearman_with_corruption: interval(rho, 'spearman'),
      below_original: below,
      n: usable.length,
    };
  }
  return out;
}
