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
  const byProtein = new Map<string, { cls: string; values: number[] }>();
  for (const it of items) {
    if (it.cls === null) continue;
    const key = JSON.stringify([it.uniprot, it.cls]);
    let g = byProtein.get(key);
    if (!g) byProtein.set(key, (g = { cls: it.cls, values: [] }));
    g.values.push(proteingymRound(it.value));
  }
  const byClass = new Map<string, number[]>();
  for (const g of byProtein.values()) {
    let c = byClass.get(g.cls);
    if (!c) byClass.set(g.cls, (c = []));
    c.push(nanMean(g.values));
  }
  return new Map([...byClass].map(([k, v]) => [k, nanMean(v)]));
}

/**
 * ProteinGym's Depth_<d> column: the per-assay values at depth d, rounded, averaged per (UniProt, selection type),
 * then the plain mean over those groups (`uniprot_function_metric_performance[depth_columns].mean()`: not per
 * selection type first, unlike the headline average).
 */
export function proteingymDepthAverage(items: readonly Grouped[]): number {
  const byProtein = new Map<string, number[]>();
  for (const it of items) {
    const key = JSON.stringify([it.uniprot, it.selectionType]);
    let g = byProtein.get(key);
    if (!g) byProtein.set(key, (g = []));
    g.push(proteingymRound(it.value));
  }
  return nanMean([...byProtein.values()].map((v) => nanMean(v)));
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
