import { proteingymRound } from '../../src/metrics/index.js';

/**
 * Aggregation of per-assay values into one number, as ProteinGym does
 * (`proteingym/performance_DMS_benchmarks.py` at bb685245, `main`, substitutions branch):
 *
 *   per_DMS          = per_DMS.astype(float).round(3)        # every per-assay value, 3 decimals
 *   uniprot_function = per_DMS.groupby(['UniProt_ID', 'Selection Type']).mean()
 *   per_function     = uniprot_function.groupby('Selection Type').mean()
 *   final_average    = per_function.mean()
 *
 * pandas' `mean` skips NaN at every level (a group whose values are all NaN is NaN and is skipped in
 * turn). The plain mean over assays ({@link proteingymMean}) rounds and skips NaN too. The result itself is
 * not rounded (ProteinGym's Summary files round it to 3 decimals again for display).
 */

export interface Grouped {
  uniprot: string;
  selectionType: string;
  /** NaN when the metric is undefined on this assay (e.g. AUC with one class). */
  value: number;
}

/** Mean of the finite values; NaN when there are none (pandas `mean(skipna=True)`). */
export function nanMean(values: Iterable<number>): number {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? NaN : s / n;
}

/** Plain mean over assays of the per-assay values rounded to 3 decimals as ProteinGym rounds them, NaN skipped. */
export function proteingymMean(values: Iterable<number>): number {
  return nanMean(Array.from(values, (v) => proteingymRound(v)));
}

/**
 * ProteinGym's headline average: every value rounded to 3 decimals ({@link proteingymRound}), then the mean per
 * (UniProt, selection type), then per selection type, then the mean.
 */
export function proteingymAverage(items: readonly Grouped[]): number {
  const byProtein = new Map<string, { selectionType: string; values: number[] }>();
  for (const it of items) {
    const key = JSON.stringify([it.uniprot, it.selectionType]);
    let g = byProtein.get(key);
    if (!g) byProtein.set(key, (g = { selectionType: it.selectionType, values: [] }));
    g.values.push(proteingymRound(it.value));
  }
  const byType = new Map<string, number[]>();
  for (const g of byProtein.values()) {
    let t = byType.get(g.selectionType);
    if (!t) byType.set(g.selectionType, (t = []));
    t.push(nanMean(g.values));
  }
  return nanMean([...byType.values()].map((v) => nanMean(v)));
}
