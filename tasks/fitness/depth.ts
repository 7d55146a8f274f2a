import { mcc, median, proteingymAuc, proteingymNdcg, proteingymTopRecall, spearman } from '../../src/metrics/index.js';
import { DEPTHS, depthClass, type Depth } from './aggregate.js';
import type { Metric } from './baselines.js';

/** What the per-depth metrics need of an assay: measured values and each variant's substitutions (`offsets`). */
export interface DepthInput {
  n: number;
  offsets: Int32Array;
  dmsScore: Float64Array;
  dmsBin: Uint8Array;
}

/**
 * The five metrics on the variants of each mutation depth (1, 2, 3, 4, 5+ substitutions), as ProteinGym's
 * `main()` computes them with `--performance_by_depth` (performance_DMS_benchmarks.py @ bb685245): Spearman, NDCG,
 * top recall and AUC on the depth's variants alone; MCC against the model scores binarised at the median of the
 * **whole** assay (`merged_scores[score + "_bin"]` is set before the depth loop and only subset after), so it is
 * not the depth subset's own MCC. A depth without variants is NaN for every metric, as ProteinGym records it.
 */
export function metricsByDepth(scores: Float64Array, a: DepthInput): Record<Depth, Record<Metric, number>> {
  const cut = median(scores);
  const members = new Map<Depth, number[]>(DEPTHS.map((d) => [d, []]));
  for (let v = 0; v < a.n; v++) members.get(depthClass(a.offsets[v + 1]! - a.offsets[v]!))!.push(v);
  const out = {} as Record<Depth, Record<Metric, number>>;
  for (const d of DEPTHS) {
    const idx = members.get(d)!;
    if (idx.length === 0) {
      out[d] = { spearman: NaN, auc: NaN, mcc: NaN, ndcg: NaN, top_recall: NaN };
      continue;
    }
    const s = Float64Array.from(idx, (v) => scores[v]!);
    const y = Float64Array.from(idx, (v) => a.dmsScore[v]!);
    const bin = Uint8Array.from(idx, (v) => a.dmsBin[v]!);
    out[d] = {
      spearman: spearman(y, s),
      auc: proteingymAuc(s, bin),
      mcc: mcc(
        Uint8Array.from(s, (x) => (x >= cut ? 1 : 0)),
        bin,
      ),
      ndcg: proteingymNdcg(s, y),
      top_recall: proteingymTopRecall(s, y),
    };
  }
  return out;
}
