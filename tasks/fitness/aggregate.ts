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
  const byProtein = meansBy(
    items,
    (i) => [i.uniprot, i.selectionType],
    (i) => proteingymRound(i.value),
  );
  return nanMean(
    meansBy(
      byProtein,
      (g) => [g.key[1]!],
      (g) => g.mean,
    ).map((t) => t.mean),
  );
}

/**
 * pandas' `groupby(keys).mean()` (NaN skipped; an all-NaN group is NaN): the mean of `valueOf` per distinct key, groups
 * in order of first appearance; items whose key is null are left out, as groupby drops missing keys.
 */
function meansBy<T>(items: readonly T[], keyOf: (t: T) => string[] | null, valueOf: (t: T) => number): { key: string[]; mean: number }[] {
  const groups = new Map<string, { key: string[]; values: number[] }>();
  for (const it of items) {
    const key = keyOf(it);
    if (key === null) continue;
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, values: [] }));
    g.values.push(valueOf(it));
  }
  return [...groups.values()].map((g) => ({ key: g.key, mean: nanMean(g.values) }));
}

/** ProteinGym's mutation-depth classes: the number of substitutions of a variant, 5 and more pooled. */
export const DEPTHS = ['1', '2', '3', '4', '5+'] as const;
export type Depth = (typeof DEPTHS)[number];

/** `'5+' if len(mutant.split(':')) >= 5 else str(...)` (performance_DMS_benchmarks.py @ bb685245, `main`). */
export function depthClass(substitutions: number): Depth {
  return substitutions >= 5 ? '5+' : (String(substitutions) as Depth);
}

/** ProteinGym's MSA depth classes (`MSA_Neff_L_category`) and Summary columns, in its column order. */
export const MSA_DEPTH_COLUMNS: [string, string][] = [
  ['Low', 'Low_MSA_depth'],
  ['Medium', 'Medium_MSA_depth'],
  ['High', 'High_MSA_depth'],
];
/** ProteinGym's taxa (`taxon`) and Summary columns: `Eukaryote` is reported as `Taxa_Other_Eukaryote`. */
export const TAXON_COLUMNS: [string, string][] = [
  ['Human', 'Taxa_Human'],
  ['Eukaryote', 'Taxa_Other_Eukaryote'],
  ['Prokaryote', 'Taxa_Prokaryote'],
  ['Virus', 'Taxa_Virus'],
];

/** One assay's rounded-later values for the breakdowns: its overall value and one per mutation depth. */
export interface BreakdownItem extends Grouped {
  /** ProteinGym's `MSA_Neff_L_category` / `taxon` of the assay; null when unknown (then in no class). */
  msaDepth: string | null;
  taxon: string | null;
  /** The metric on the variants of each depth; NaN when the assay has none of that depth. */
  byDepth: Record<Depth, number>;
}

/**
 * Mean per (UniProt, class), then per class, of the rounded values: how ProteinGym computes its MSA depth and
 * taxon columns (`performance_all_DMS[metric].groupby(["UniProt_ID", "MSA_Neff_L_category"]).mean()
 * .groupby(["MSA_Neff_L_category"]).mean()`, likewise with "Taxon"). The inner groups are by UniProt id only, not by
 * selection type. Assays whose class is unknown are left out (pandas' groupby drops NaN keys).
 */
export function proteingymByClass(items: readonly { uniprot: string; cls: string | null; value: number }[]): Map<string, number> {
  const byProtein = meansBy(
    items,
    (i) => (i.cls === null ? null : [i.uniprot, i.cls]),
    (i) => proteingymRound(i.value),
  );
  return new Map(
    meansBy(
      byProtein,
      (g) => [g.key[1]!],
      (g) => g.mean,
    ).map((c) => [c.key[0]!, c.mean]),
  );
}

/**
 * ProteinGym's Depth_<d> column: the per-assay values at depth d, rounded, averaged per (UniProt, selection type),
 * then the plain mean over those groups (`uniprot_function_metric_performance[depth_columns].mean()`: not per
 * selection type first, unlike the headline average).
 */
export function proteingymDepthAverage(items: readonly Grouped[]): number {
  return nanMean(
    meansBy(
      items,
      (i) => [i.uniprot, i.selectionType],
      (i) => proteingymRound(i.value),
    ).map((g) => g.mean),
  );
}

/**
 * The columns of ProteinGym's Summary table for one metric, from per-assay values, unrounded (ProteinGym's files
 * round them to 3 decimals for display): `Average`, `Function_<type>` for each selection type present, the MSA
 * depth classes, the taxa and the mutation depths. A column with no assay (or only NaN values) is null.
 */
export function proteingymSummary(items: readonly BreakdownItem[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  out['Average'] = finite(proteingymAverage(items));
  for (const type of [...new Set(items.map((i) => i.selectionType))].sort())
    out[`Function_${type}`] = finite(proteingymAverage(items.filter((i) => i.selectionType === type)));
  const msa = proteingymByClass(items.map((i) => ({ uniprot: i.uniprot, cls: i.msaDepth, value: i.value })));
  for (const [cls, col] of MSA_DEPTH_COLUMNS) out[col] = finite(msa.get(cls));
  const taxa = proteingymByClass(items.map((i) => ({ uniprot: i.uniprot, cls: i.taxon, value: i.value })));
  for (const [cls, col] of TAXON_COLUMNS) out[col] = finite(taxa.get(cls));
  for (const d of DEPTHS)
    out[`Depth_${d}`] = finite(
      proteingymDepthAverage(items.map((i) => ({ uniprot: i.uniprot, selectionType: i.selectionType, value: i.byDepth[d] }))),
    );
  return out;
}
