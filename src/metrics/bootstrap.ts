import type { BootstrapOptions, BootstrapResult, NumericArray, PairedBootstrapResult } from './types.js';
import { compensatedSum, sortedQuantile } from './summary.js';
import { checkNumbers, checkSameLength } from './validate.js';

/**
 * Percentile bootstrap interval of `statistic` over `items`.
 *
 * Each of `resamples` replicates draws n items with replacement (indices `rng.int(n)`, in order)
 * and evaluates `statistic` on them; the interval is the alpha/2 and 1 - alpha/2 percentiles
 * (numpy 'linear') of the finite replicate values. Replicates whose statistic is NaN or infinite
 * (e.g. a Spearman on a resample that happens to be constant) are dropped and counted in
 * `nonFinite`. `estimate` is `statistic(items)` on the full data.
 *
 * n = 1: the interval is `null` (a single item says nothing about the spread; `[v, v]` would claim
 * certainty) and the rng is not advanced. The same seed, items and statistic give the same result.
 */
export function bootstrapCI<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: BootstrapOptions,
): BootstrapResult {
  const n = items.length;
  if (n === 0) throw new RangeError('bootstrapCI: items must not be empty');
  const { rng, resamples, alpha } = normaliseOptions('bootstrapCI', options);
  const estimate = statistic(items);
  if (n < 2) return { estimate, ci: null, n, resamples: 0, nonFinite: 0 };
  const values: number[] = [];
  const sample = new Array<T>(n);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) sample[j] = items[rng.int(n)]!;
    values.push(statistic(sample.slice()));
  }
  return { estimate, n, resamples, ...percentileInterval(values, alpha) };
}

/**
 * Paired bootstrap of the mean difference `b - a` over paired items (item i of `a` and of `b` are the
 * same item measured twice, e.g. per-assay Spearman of a baseline run `a` and the current run `b`).
 * `estimate` is the mean of `b[i] - a[i]`; positive means `b` is higher. Resampling and interval as
 * {@link bootstrapCI} with the mean as the statistic (n = 1: `ci` is null). For a regression gate
 * on a higher-is-better metric, "b is worse" is `ci[1] < 0` (or `< -tolerance`).
 */
export function pairedBootstrapMeanDiff(a: NumericArray, b: NumericArray, options: BootstrapOptions): PairedBootstrapResult {
  checkSameLength('pairedBootstrapMeanDiff', 'a', a, 'b', b);
  checkNumbers('pairedBootstrapMeanDiff', 'a', a);
  checkNumbers('pairedBootstrapMeanDiff', 'b', b);
  const { rng, resamples, alpha } = normaliseOptions('pairedBootstrapMeanDiff', options);
  const n = a.length;
  const d = Array.from({ length: n }, (_, i) => b[i]! - a[i]!);
  const means = { meanA: compensatedSum(a) / n, meanB: compensatedSum(b) / n };
  const estimate = compensatedSum(d) / n;
  if (n < 2) return { estimate, ci: null, n, resamples: 0, nonFinite: 0, ...means };
  const values: number[] = [];
  const sample = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) sample[j] = d[rng.int(n)]!;
    values.push(compensatedSum(sample) / n);
  }
  return { estimate, n, resamples, ...percentileInterval(values, alpha), ...means };
}

function percentileInterval(values: number[], alpha: number): { ci: [number, number] | null; nonFinite: number } {
  const finite = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  const nonFinite = values.length - finite.length;
  if (finite.length === 0) return { ci: null, nonFinite };
  return { ci: [sortedQuantile(finite, alpha / 2), sortedQuantile(finite, 1 - alpha / 2)], nonFinite };
}

function normaliseOptions(fn: string, options: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = options.resamples ?? 1000;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`${fn}: resamples must be a positive integer, got ${resamples}`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${fn}: alpha must be in (0, 1), got ${alpha}`);
  // Checked at run time too: the metrics are called from plain JavaScript (tests, perf scripts) as well.
  if (typeof (options.rng as { int?: unknown } | undefined)?.int !== 'function') {
    throw new RangeError(`${fn}: options.rng must be an Rng (new Rng(seed))`);
  }
  return { rng: options.rng, resamples, alpha };
}
