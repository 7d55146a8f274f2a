import type { NumericArray } from './types.js';
import { aucOrNaN } from './auc.js';
import { spearman } from './correlation.js';
import { mccUnchecked } from './mcc.js';
import { descendingOrder } from './ranks.js';
import { median, percentile } from './summary.js';
import { checkBinary, checkNumbers, checkSameLength } from './validate.js';

/*
 * ProteinGym's zero-shot DMS fitness metrics, transcribed from
 * OATML-Markslab/ProteinGym `proteingym/performance_DMS_benchmarks.py` at bb685245 (v1.3, the commit the
 * project cites; git blob 8c9ed717 of that file): `calc_ndcg`, `calc_toprecall`, the AUC / MCC lines of `main()`,
 * and its rounding of per-assay values ({@link proteingymRound}). Spearman there is plain
 * `scipy.stats.spearmanr(DMS_score, model_score)`, i.e. {@link spearman}.
 *
 * Checked against ProteinGym's own functions, loaded unchanged from that commit at run time by
 * `test/golden/proteingym_reference.py` (`test/golden/metrics/make_golden.py`).
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
 * - top true  = items whose assay value  >= np.percentile(DMS_score, 100 - top)
 * - top model = items whose model score  >= np.percentile(model_score, 100 - top)
 * - recall = |top true ∩ top model| / |top true|, and 0 when top true is empty (it never is with `>=`).
 *
 * `>=` against numpy's linearly interpolated percentile (reproduced exactly, see {@link percentile}), as
 * at bb685245: items tied at the threshold are all in, so with ties a top set can hold more than 10%, and a
 * constant array's top set is every item. (ProteinGym used `>` until f5e47f1, "Fixed bug w/ MSAT fitness
 * and Top-k recall", 2024-01-07, merged into main on 2024-08-08 by 01e20d4; this function used `>` before
 * plmbench's fitness 1.2.0.)
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
    if (dmsScores[i]! >= trueCut) {
      topTrue++;
      if (modelScores[i]! >= modelCut) both++;
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
export function proteingymMetrics(modelScores: NumericArray, dmsScores: NumericArray, dmsScoreBin: NumericArray): ProteinGymMetrics {
  return {
    spearman: spearman(dmsScores, modelScores),
    auc: proteingymAuc(modelScores, dmsScoreBin),
    mcc: proteingymMcc(modelScores, dmsScoreBin),
    ndcg: proteingymNdcg(modelScores, dmsScores),
    top_recall: proteingymTopRecall(modelScores, dmsScores),
  };
}

/**
 * ProteinGym's rounding of a per-assay value before any averaging: `performance_DMS_benchmarks.py`
 * (`main`) casts every DMS-level metric column with `.astype(float).round(3)` before the groupby means.
 * pandas rounds with numpy's `np.round(x, 3)`: `rint(x * 1000) / 1000`, i.e. half to even on the scaled
 * double (so 0.0625 -> 0.062, 0.0635 -> 0.064 only as the product 63.5... falls). NaN stays NaN.
 */
export function proteingymRound(x: number, decimals = 3): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** decimals;
  return rintHalfEven(x * scale) / scale;
}

/** numpy `rint`: nearest integer, ties to even (`y - floor(y)` is exact for doubles). */
function rintHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
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
