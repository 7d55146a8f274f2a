import type { NumericArray } from './types.js';
import { descendingOrder } from './ranks.js';
import { checkBinary, checkInteger, checkNumbers, checkSameLength } from './validate.js';

/**
 * Fraction of items whose prediction equals the label (`sklearn.metrics.accuracy_score`). Labels are
 * compared with `===`, so class indices must be given as the same numbers on both sides.
 */
export function accuracy(predicted: NumericArray, labels: NumericArray): number {
  checkSameLength('accuracy', 'predicted', predicted, 'labels', labels);
  checkNumbers('accuracy', 'predicted', predicted);
  checkNumbers('accuracy', 'labels', labels);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}

/**
 * Top-k accuracy: fraction of rows whose label (a class index in [0, C)) is among the k classes with
 * the highest scores in that row. Ties are broken by class index, lower index first (a tied label
 * counts as a hit only if enough tied classes with lower index leave room). With k = 1 this is
 * the accuracy of `argmax` (first maximum, like `np.argmax`). Without ties it equals
 * `sklearn.metrics.top_k_accuracy_score(labels, scoresMatrix, k=k)`; with ties sklearn ranks the
 * higher index first instead, so the two can differ.
 */
export function topKAccuracy(scoresMatrix: readonly NumericArray[], labels: NumericArray, k: number): number {
  checkSameLength('topKAccuracy', 'scoresMatrix', scoresMatrix, 'labels', labels);
  if (labels.length === 0) throw new RangeError('topKAccuracy: scoresMatrix must not be empty');
  const classes = scoresMatrix[0]!.length;
  if (classes === 0) throw new RangeError('topKAccuracy: scoresMatrix rows must not be empty');
  checkInteger('topKAccuracy', 'k', k, 1, classes);
  let hits = 0;
  for (let r = 0; r < labels.length; r++) {
    const row = scoresMatrix[r]!;
    if (row.length !== classes) {
      throw new RangeError(`topKAccuracy: every row of scoresMatrix must have ${classes} classes, row ${r} has ${row.length}`);
    }
    checkNumbers('topKAccuracy', `scoresMatrix[${r}]`, row, true);
    const label = labels[r]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`topKAccuracy: labels[${r}] must be a class index in [0, ${classes - 1}], got ${label}`);
    }
    const s = row[label]!;
    let ahead = 0; // classes ranked before the label
    for (let c = 0; c < classes; c++) {
      const v = row[c]!;
      if (v > s || (v === s && c < label)) ahead++;
    }
    if (ahead < k) hits++;
  }
  return hits / labels.length;
}

/**
 * Precision at k: the fraction of positives (label 1) among the k items with the highest scores.
 * Ties in score are broken by index, lower index first (`np.argsort(-scores, kind='stable')[:k]`),
 * so the result is deterministic but depends on item order when a tie straddles position k.
 * k must be an integer in [1, n]; a caller that wants "missing predictions count as wrong" (e.g.
 * P@L with fewer than L candidate pairs) should pad with -Infinity scores and 0 labels.
 */
export function precisionAtK(scores: NumericArray, labels01: NumericArray, k: number): number {
  checkSameLength('precisionAtK', 'scores', scores, 'labels01', labels01);
  checkNumbers('precisionAtK', 'scores', scores, true);
  checkBinary('precisionAtK', 'labels01', labels01);
  checkInteger('precisionAtK', 'k', k, 1, scores.length);
  const idx = descendingOrder(scores);
  let pos = 0;
  for (let t = 0; t < k; t++) pos += labels01[idx[t]!]!;
  return pos / k;
}
