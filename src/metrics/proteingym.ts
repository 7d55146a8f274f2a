import type { NumericArray } from './types.js';
import { aucOrNaN } from './auc.js';
import { spearman } from './correlation.js';
import { mccUnchecked } from './mcc.js';
import { descendingOrder } from './ranks.js';
import { median, percentile } from './summary.js';
import { checkBinary, checkNumbers, checkSameLength } from './validate.js';

/*
 * ProteinGym's zero-shot DMS fitness metrics, transcribed from
 * OATML-Markslab/ProteinGym `proteingym/performance_DMS_benchmarks.py` (commit a6fc27f; the same
 * definitions at 1a99bd0 except the zero-division guard in calc_toprecall): `calc_ndcg`,
 * `calc_toprecall`, and the AUC / MCC lines of `main()`. Spearman there is plain
 * `scipy.stats.spearmanr(DMS_score, model_score)`, i.e. {@link spearman}.
 *
 * All take the model's scores first (higher = predicted fitter) and the assay's values second.
 * Inputs must be finite; lengths must match.
 */

/**
 * ProteinGym AUC: `roc_auc_score(y_true=DMS_score_bin, y_score=model_score)`, the ROC AUC of the
 * model scores against the assay's binarised fitness `DMS_score_bin` (0/1). Where only one class is
 * present sklearn raises and ProteinGym records NaN (its `try/except`); so does this function.
 */
export function proteingymAuc(modelScores: NumericArray, dmsScoreBin: NumericArray): number {
  checkSameLength('proteingymAuc', 'modelScores', modelScores, 'dmsScoreBin', dmsScoreBin);
  checkNumbers('proteingymAuc', 'modelScores', modelScores);
  checkBinary('proteingymAuc', 'dmsScoreBin', dmsScoreBin);
  return aucOrNaN(modelScores, dmsScoreBin);
}

/**
 * ProteinGym MCC: the model scores are binarised at their median, `1 if x >= median else 0`
 * (`>=`: items equal to the median count as predicted positive; the median is pandas'
 * `Series.median()`, the mean of the two middle values for even n), then
 * `matthews_corrcoef(y_true=DMS_score_bin, y_pred=that)`: 0 when either side is constant.
 */
export function proteingymMcc(modelScores: NumericArray, dmsScoreBin: NumericArray): number {
  checkSameLength('proteingymMcc', 'modelScores', modelScores, 'dmsScoreBin', dmsScoreBin);
  checkNumbers('proteingymMcc', 'modelScores', modelScores);
  checkBinary('proteingymMcc', 'dmsScoreBin', dmsScoreBin);
  const cutoff = median(modelScores);
  const predicted = Array.from(modelScores, (x) => (x >= cutoff ? 1 : 0));
  return mccUnchecked(predicted, dmsScoreBin);
}

/**
 * ProteinGym NDCG (`calc_ndcg(y_true=DMS_score, y_score=model_score)` with its defaults
 * quantile=True, top=10). Not sklearn's `ndcg_score`; a hand-written top-k DCG:
 *
 * - k = floor(n · top/100) (so k = 0 and the result is 0 for n < 10 at top = 10);
 * - gains = min-max scaled assay values, (y - min y) / (max y - min y); the model scores are NOT
 *   scaled, only ranked;
 * - rank the items by model score, descending, positions 1..n; DCG = Σ gain / log2(position + 1)
 *   over the k top-ranked items whose gain is not 0; if no such item, the result is 0;
 * - IDCG: the same sum with the items ranked by their own gains (the ideal order);
 * - NDCG = DCG / IDCG.
 *
 * Ties in model scores: ProteinGym ranks with `np.argsort(np.argsort(-y_score))`, numpy's default
 * (unstable) quicksort, whose order among ties is an implementation detail (index order for n <= 16,
 * not in general). Here ties are broken by index, lower index first: numpy's `kind='stable'`.
 * Without ties in the top k the two agree exactly. Ties in gains do not change the IDCG.
 *
 * Constant assay values make the gains 0/0: ProteinGym then returns NaN (k >= 1) or 0 (k = 0);
 * so does this function.
 */
export function proteingymNdcg(modelScores: NumericArray, dmsScores: NumericArray, topPercent = 10): number {
  checkSameLength('proteingymNdcg', 'modelScores', modelScores, 'dmsScores', dmsScores);
  checkNumbers('proteingymNdcg', 'modelScores', modelScores);
  checkNumbers('proteingymNdcg', 'dmsScores', dmsScores);
  checkTop('proteingymNdcg', topPercent);
  const n = dmsScores.length;
  const k = Math.floor(n * (topPercent / 100)); // np.floor(y_true.shape[0]*(top/100)).astype(int)
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, dmsScores[i]!);
    hi = Math.max(hi, dmsScores[i]!);
  }
  if (k === 0) return 0;
  if (lo === hi) return NaN;
  const gains = Array.from(dmsScores, (y) => (y - lo) / (hi - lo));
  const dcg = topKDcg(gains, descendingOrder(modelScores), k);
  if (dcg === null) return 0; // "if none of the ranks made it return 0"
  const idcg = topKDcg(gains, descendingOrder(gains), k)!; // the top gain is 1, so never null
  return dcg / idcg;
}

/**
 * ProteinGym top recall (`calc_toprecall(true_scores=DMS_score, model_scores=model_score)`, with
 * top_true = top_model = 10):
 *
 * - top true  = items whose assay value  > np.percentile(DMS_score, 100 - top)
 * - top model = items whose model score  > np.percentile(model_score, 100 - top)
 * - recall = |top true ∩ top model| / |top true|, and 0 when top true is empty.
 *
 * Strict `>` against numpy's linearly interpolated percentile (reproduced exactly, see
 * {@link percentile}); so items tied at the threshold are all out, and a constant array has an empty
 * top set. (Copies of this function in other repositories use `>=`; ProteinGym's own uses `>`.)
 */
export function proteingymTopRecall(modelScores: NumericArray, dmsScores: NumericArray, topPercent = 10): number {
  checkSameLength('proteingymTopRecall', 'modelScores', modelScores, 'dmsScores', dmsScores);
  checkNumbers('proteingymTopRecall', 'modelScores', modelScores);
  checkNumbers('proteingymTopRecall', 'dmsScores', dmsScores);
  checkTop('proteingymTopRecall', topPercent);
  const trueCut = percentile(dmsScores, 100 - topPercent);
  const modelCut = percentile(modelScores, 100 - topPercent);
  let topTrue = 0;
  let both = 0;
  for (let i = 0; i < dmsScores.length; i++) {
    if (dmsScores[i]! > trueCut) {
      topTrue++;
      if (modelScores[i]! > modelCut) both++;
    }
  }
  return topTrue > 0 ? both / topTrue : 0;
}

/** The five ProteinGym DMS metrics of one assay, keyed by the result schema's metric names. */
export interface ProteinGymMetrics {
  spearman: number;
  auc: number;
  mcc: number;
  ndcg: number;
  top_recall: number;
}

/** All five ProteinGym metrics of one assay, as `performance_DMS_benchmarks.py` computes them. */
export function proteingymMetrics(
  modelScores: NumericArray,
  dmsScores: NumericArray,
  dmsScoreBin: NumericArray,
): ProteinGymMetrics {
  return {
    spearman: spearman(dmsScores, modelScores),
    auc: proteingymAuc(modelScores, dmsScoreBin),
    mcc: proteingymMcc(modelScores, dmsScoreBin),
    ndcg: proteingymNdcg(modelScores, dmsScores),
    top_recall: proteingymTopRecall(modelScores, dmsScores),
  };
}

/** Σ gain / log2(position + 1) over the first k positions of `order` with a non-zero gain; null if none. */
function topKDcg(gains: number[], order: ArrayLike<number>, k: number): number | null {
  let s = 0;
  let used = 0;
  for (let p = 1; p <= k; p++) {
    const g = gains[order[p - 1]!]!;
    if (g !== 0) {
      s += g / Math.log2(p + 1);
      used++;
    }
  }
  return used === 0 ? null : s;
}

function checkTop(fn: string, topPercent: number): void {
  if (!(topPercent > 0 && topPercent <= 100)) {
    throw new RangeError(`${fn}: topPercent must be in (0, 100], got ${topPercent}`);
  }
}
