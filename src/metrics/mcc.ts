import type { NumericArray } from './types.js';
import { checkBinary, checkSameLength } from './validate.js';

/**
 * Matthews correlation coefficient of binary predictions, equal to
 * `sklearn.metrics.matthews_corrcoef(labels01, predicted01)` (symmetric in its two arguments).
 * Computed with sklearn's formula on the confusion matrix,
 *
 *     MCC = (c·s - t·p) / sqrt((s² - p·p)(s² - t·t))
 *
 * (c: correct, s: samples, t and p: per-class true and predicted counts), and 0 when the
 * denominator is 0 (one side constant), as sklearn does.
 */
export function mcc(predicted01: NumericArray, labels01: NumericArray): number {
  checkSameLength('mcc', 'predicted01', predicted01, 'labels01', labels01);
  checkBinary('mcc', 'predicted01', predicted01);
  checkBinary('mcc', 'labels01', labels01);
  return mccUnchecked(predicted01, labels01);
}

/** @internal `mcc` on checked 0/1 inputs. */
export function mccUnchecked(predicted01: NumericArray, labels01: NumericArray): number {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels01.length; i++) {
    const t = labels01[i] === 1;
    const p = predicted01[i] === 1;
    if (t && p) tp++;
    else if (t) fn++;
    else if (p) fp++;
    else tn++;
  }
  const s = tp + tn + fp + fn;
  const t1 = tp + fn; // true positives in the truth (row sums)
  const t0 = tn + fp;
  const p1 = tp + fp; // predicted positives (column sums)
  const p0 = tn + fn;
  const covYtYp = (tp + tn) * s - (t0 * p0 + t1 * p1);
  const covYpYp = s * s - (p0 * p0 + p1 * p1);
  const covYtYt = s * s - (t0 * t0 + t1 * t1);
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}
