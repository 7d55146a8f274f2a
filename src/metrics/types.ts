import type { Rng } from '../util/rng.js';

/**
 * Any array of numbers the metrics accept: `number[]`, `Float64Array`, `Float32Array`...
 * Metrics never modify their inputs.
 *
 * Argument order convention across `src/metrics/`: the model's output (scores, predictions) comes
 * first and the truth (labels, measured values) second, e.g. `aucRoc(scores, labels01)`,
 * `proteingymNdcg(modelScores, dmsScores)`. Swapping them is silent for the asymmetric metrics
 * (NDCG, top recall), so name your variables.
 */
export type NumericArray = ArrayLike<number>;

/** Options of {@link bootstrapCI} and {@link pairedBootstrapMeanDiff}. */
export interface BootstrapOptions {
  /** Source of the resampling indices; it is advanced (pass `rng.fork('...')` to isolate a consumer). */
  rng: Rng;
  /** Number of bootstrap resamples (default 1000). */
  resamples?: number;
  /** Two-sided miscoverage: the interval is the [alpha/2, 1 - alpha/2] percentile range (default 0.05). */
  alpha?: number;
}

/** A percentile bootstrap interval. */
export interface BootstrapResult {
  /** The statistic on the full data (not the bootstrap mean). */
  estimate: number;
  /**
   * `[lo, hi]`: the alpha/2 and 1 - alpha/2 percentiles (numpy's default linear interpolation) of the
   * finite resampled statistics; `null` when no interval can be estimated: fewer than 2 items, or
   * no resample gave a finite statistic.
   */
  ci: [number, number] | null;
  /** Number of items resampled. */
  n: number;
  /** Resamples drawn (0 when n < 2). */
  resamples: number;
  /** Resamples whose statistic was not finite (NaN or infinite) and were left out of the percentiles. */
  nonFinite: number;
}

/** Result of {@link pairedBootstrapMeanDiff}: the mean of `b - a` over paired items. */
export interface PairedBootstrapResult extends BootstrapResult {
  /** Mean of `a` over all items. */
  meanA: number;
  /** Mean of `b` over all items. */
  meanB: number;
}
