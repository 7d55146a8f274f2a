import type { NumericArray } from './types.js';
import { averageRanks } from './ranks.js';
import { checkBinary, checkNumbers, checkSameLength } from './validate.js';

/**
 * Area under the ROC curve, equal to `sklearn.metrics.roc_auc_score(labels01, scores)` including
 * ties: the Mann-Whitney statistic with mid-ranks, i.e. the probability that a random positive
 * scores above a random negative, counting ties as one half:
 *
 *     AUC = (sum of the mid-ranks of the positives - P(P+1)/2) / (P * N)
 *
 * Higher scores mean "more likely positive". Throws a RangeError when `labels01` holds only one
 * class (sklearn raises ValueError: the AUC is not defined). Infinite scores are allowed.
 */
export function aucRoc(scores: NumericArray, labels01: NumericArray): number {
  checkSameLength('aucRoc', 'scores', scores, 'labels01', labels01);
  checkNumbers('aucRoc', 'scores', scores, true);
  checkBinary('aucRoc', 'labels01', labels01);
  const auc = aucOrNaN(scores, labels01);
  if (Number.isNaN(auc)) {
    throw new RangeError(
      `aucRoc: labels01 must contain both 0 and 1, got only ${labels01[0]} (${labels01.length} items); the ROC AUC is undefined`,
    );
  }
  return auc;
}

/** @internal AUC of checked inputs; NaN when only one class is present. */
export function aucOrNaN(scores: NumericArray, labels01: NumericArray): number {
  const r = averageRanks(scores);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < r.length; i++) {
    if (labels01[i] === 1) {
      pos++;
      rankSumPos += r[i]!;
    }
  }
  const neg = r.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
