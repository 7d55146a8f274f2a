/**
 * Set-level metrics of a scored set of sequences (the samples, or the natural control), defined once so that both
 * rows are computed the same way. Intervals: 95% percentile bootstrap over the sequences (1,000 resamples), except
 * the cluster counts (a resample repeats sequences, which would merge into their own clusters: no interval).
 */
import { perplexityFromNll } from '../../src/metrics/index.js';
import type { MetricValue } from '../../src/task/index.js';
import { metricOverItems } from '../../src/task/index.js';
import type { Rng } from '../../src/util/rng.js';
import { greedyClusters, meanPairwise, type MaxIdentity } from './identity.js';
import type { ProxyParts } from './proxy.js';
import { aaCounts, jensenShannon, type Complexity } from './sequence.js';

export interface ScoredSequence {
  id: string;
  sequence: string;
  /** Drew the end token (the natural control: true). */
  ended: boolean;
  /** Sum of log p under the generating model over the residues. */
  selfLogLik: number;
  /** Sum of log p under the reference model (null when the reference is the generating model). */
  refLogLik: number | null;
  proxy: ProxyParts;
  contactConfidence: number | null;
  complexity: Complexity;
  novelty: MaxIdentity;
  /** Real pLDDT from the user's file, when given. */
  plddt: number | null;
}

/** Identity bins of novelty (max identity to the reference set), percent: [lo, hi). */
export const NOVELTY_BINS: readonly [number, number][] = [
  [0, 50],
  [50, 70],
  [70, 90],
  [90, 100.0001],
];

export const CLUSTER_THRESHOLD = 50;

/** Max identity to the reference set at or above which a sequence counts as having a natural homolog. */
export const HOMOLOG_IDENTITY = 50;

export interface SetSummary {
  metrics: Record<string, MetricValue>;
  lengths: {
    n: number;
    mean: number;
    min: number;
    median: number;
    max: number;
    quantiles: Record<string, number>;
    histogram: { from: number; to: number; count: number }[];
  };
  noveltyBins: { bin: string; n: number; fraction: number; ppl_self: number | null; ppl_ref: number | null; plddt_proxy: number | null }[];
  clusters: { threshold: number; count: number; representatives: string[] };
}

/** Corpus perplexity over residues: exp(-sum log p / sum residues). */
function corpusPpl(set: readonly ScoredSequence[], get: (s: ScoredSequence) => number): number {
  let ll = 0;
  let n = 0;
  for (const s of set) {
    ll += get(s);
    n += s.sequence.length;
  }
  return perplexityFromNll(-ll, n);
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Metrics of one set. `matrix` holds the pairwise identities of `set` (n x n, n = set.length, in set order). */
export function summarise(
  set: readonly ScoredSequence[],
  matrix: Float64Array,
  background: Float64Array,
  rng: Rng,
  withRef: boolean,
): SetSummary {
  const n = set.length;
  const metrics: Record<string, MetricValue> = {};
  const over = (name: string, stat: (s: readonly ScoredSequence[]) => number) => {
    metrics[name] = metricOverItems(set, stat, rng.fork(name));
  };
  over('plddt_proxy', (s) => mean(s.map((x) => x.proxy.plddtProxy)));
  over('ppl_self', (s) => corpusPpl(s, (x) => x.selfLogLik));
  if (withRef) over('ppl_ref', (s) => corpusPpl(s, (x) => x.refLogLik!));
  const withContacts = set.filter((x) => x.contactConfidence !== null);
  if (withContacts.length > 0) {
    metrics['contact_confidence'] = metricOverItems(
      withContacts,
      (s) => mean(s.map((x) => x.contactConfidence!)),
      rng.fork('contact_confidence'),
    );
  }
  const counts = new Map<ScoredSequence, Float64Array>(set.map((x) => [x, aaCounts(x.sequence)]));
  over('composition_jsd', (s) => {
    const c = new Float64Array(20);
    for (const x of s) counts.get(x)!.forEach((v, i) => (c[i]! += v));
    return jensenShannon(c, background);
  });
  over('low_complexity_fraction', (s) => s.reduce((a, x) => a + x.complexity.either, 0) / s.reduce((a, x) => a + x.complexity.length, 0));
  over('end_fraction', (s) => s.filter((x) => x.ended).length / s.length);
  over('homolog_fraction', (s) => s.filter((x) => x.novelty.identity >= HOMOLOG_IDENTITY).length / s.length);
  // Bootstrapped over the sequences' indices (the same resamples as over the sequences); pairs of distinct
  // sequences only: a resample's copies of one sequence are not compared with each other.
  metrics['mean_pairwise_identity'] = metricOverItems(
    set.map((_, i) => i),
    (s) => meanPairwise(matrix, n, s),
    rng.fork('mean_pairwise_identity'),
  );
  const cl = greedyClusters(
    matrix,
    n,
    set.map((x) => x.sequence.length),
    CLUSTER_THRESHOLD,
  );
  metrics['clusters_50'] = { value: cl.representatives.length, ci95: null, n: set.length };
  metrics['cluster_fraction'] = { value: cl.representatives.length / set.length, ci95: null, n: set.length };
  const withPlddt = set.filter((x) => x.plddt !== null);
  if (withPlddt.length > 0) metrics['plddt'] = metricOverItems(withPlddt, (s) => mean(s.map((x) => x.plddt!)), rng.fork('plddt'));

  const lengths = set.map((x) => x.sequence.length).sort((a, b) => a - b);
  const q = (f: number) => lengths[Math.min(lengths.length - 1, Math.floor(f * lengths.length))]!;
  const histogram: { from: number; to: number; count: number }[] = [];
  const width = 50;
  for (let from = 0; from <= lengths[lengths.length - 1]!; from += width) {
    histogram.push({ from, to: from + width, count: lengths.filter((l) => l >= from && l < from + width).length });
  }
  const noveltyBins = NOVELTY_BINS.map(([lo, hi]) => {
    const inBin = set.filter((x) => x.novelty.identity >= lo && x.novelty.identity < hi);
    return {
      bin: hi > 100 ? `>=${lo}` : `${lo}-${hi}`,
      n: inBin.length,
      fraction: inBin.length / set.length,
      ppl_self: inBin.length > 0 ? corpusPpl(inBin, (x) => x.selfLogLik) : null,
      ppl_ref: inBin.length > 0 && withRef ? corpusPpl(inBin, (x) => x.refLogLik!) : null,
      plddt_proxy: inBin.length > 0 ? mean(inBin.map((x) => x.proxy.plddtProxy)) : null,
    };
  });
  return {
    metrics,
    lengths: {
      n: lengths.length,
      mean: mean(lengths),
      min: lengths[0]!,
      median: q(0.5),
      max: lengths[lengths.length - 1]!,
      quantiles: { '0.1': q(0.1), '0.25': q(0.25), '0.75': q(0.75), '0.9': q(0.9) },
      histogram,
    },
    noveltyBins,
    clusters: {
      threshold: CLUSTER_THRESHOLD,
      count: cl.representatives.length,
      representatives: cl.representatives.map((i) => set[i]!.id),
    },
  };
}
