import { bootstrapCI, mean } from '../metrics/index.js';
import type { Rng } from '../util/rng.js';
import type { MetricValue } from './types.js';

/**
 * A metric over items with its 95% percentile bootstrap interval (1,000 resamples of the items):
 * `statistic` defaults to the mean of the per-item values.
 */
export function metricOverItems<T>(items: readonly T[], statistic: (sample: readonly T[]) => number, rng: Rng): MetricValue {
  const r = bootstrapCI(items, statistic, { rng, resamples: 1000 });
  return { value: r.estimate, ci95: r.ci, n: items.length };
}

/** Mean of per-item values with a bootstrap interval over items. */
export function meanOverItems(values: readonly number[], rng: Rng): MetricValue {
  return metricOverItems(values, (s) => mean(s as number[]), rng);
}
