import { BenchError } from '../util/errors.js';
import { checkLabels, checkMatrix, vstack } from './matrix.js';
import {
  featuresOf,
  fitMultinomial,
  fitPrepared,
  hitRate,
  logitsOf,
  predictProba,
  prepareFit,
  softmaxRows,
  topKOfLogits,
} from './multinomial.js';
import type { Labels, Matrix, Matrix64, MultinomialModel, ValidationOptions, ValidationResult, ValidationScore } from './types.js';

/**
 * Default grid of C (inverse L2 strength, scikit-learn scale: C multiplies the *sum* of log-losses):
 * 10^-4, 10^-3, ..., 10^2, one value per decade. With standardized features and n training rows the
 * penalty weighs like 1 / (C n) per row, so the grid spans strong (C n ~ 1 at n = 10^4) to negligible
 * penalties.
 */
export const DEFAULT_C_GRID: readonly number[] = Object.freeze([1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]);

/**
 * Chooses the L2 penalty of a multinomial probe on a validation split, as TAPE-style linear probes do:
 * fits on the training rows for each C of the grid (ascending, each fit warm-started from the previous
 * solution), scores accuracy on the validation rows, and keeps the C with the highest validation accuracy
 * (ties -> the smaller C, i.e. the stronger penalty; `tieBreak: 'log-loss'` breaks them by validation log-loss
 * first). The returned model is the fit on the training rows
 * at that C (no extra refit: the grid fit already is one); validation rows never enter it, so the test
 * score of the returned model is the TAPE protocol's "train on train, select on valid, report on test".
 * `refitOnTrainVal: true` instead refits on train + validation at the chosen C (warm-started), with the
 * standardizer (if any) refitted on those rows too.
 */
export function fitWithValidation(
  xTrain: Matrix,
  yTrain: Labels,
  xVal: Matrix,
  yVal: Labels,
  options: ValidationOptions = {},
): ValidationResult {
  checkMatrix(xTrain, 'fitWithValidation: train');
  checkMatrix(xVal, 'fitWithValidation: validation');
  if (xVal.cols !== xTrain.cols) {
    throw new RangeError(`fitWithValidation: train has ${xTrain.cols} features, validation ${xVal.cols}`);
  }
  if (xVal.rows === 0) throw new BenchError('E_DATA', 'fitWithValidation: no validation rows');
  const yv = checkLabels(yVal, xVal.rows, 'fitWithValidation: validation');
  const Cs = [...(options.Cs ?? DEFAULT_C_GRID)];
  if (Cs.length === 0) throw new RangeError('fitWithValidation: Cs is empty');
  for (let i = 0; i < Cs.length; i++) {
    const c = Cs[i]!;
    if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`fitWithValidation: Cs must be positive finite numbers, got ${c}`);
    if (i > 0 && !(c > Cs[i - 1]!)) throw new RangeError(`fitWithValidation: Cs must be strictly ascending, got ${Cs[i - 1]} then ${c}`);
  }
  const warmStart = options.warmStart ?? true;
  const patience = options.patience ?? Infinity;
  if (!(patience >= 1)) throw new RangeError(`fitWithValidation: patience must be >= 1, got ${patience}`);
  const tieBreak = options.tieBreak ?? 'stronger-penalty';
  // Checked at run time: options also come from plain JavaScript callers.
  if (!(['stronger-penalty', 'log-loss'] as unknown[]).includes(tieBreak)) {
    throw new RangeError(`fitWithValidation: tieBreak must be stronger-penalty or log-loss, got "${tieBreak}"`);
  }
  const fitOptions = omit(options, ['Cs', 'warmStart', 'patience', 'refitOnTrainVal', 'tieBreak']);
  const refitOnTrainVal = options.refitOnTrainVal;

  const scores: ValidationScore[] = [];
  let best: MultinomialModel | null = null;
  let bestAcc = -1;
  let bestLoss = Infinity;
  let sinceBest = 0;
  let prev: MultinomialModel | null = null;
  // The training rows are checked and standardized once for the whole grid (the standardizer does not depend
  // on C), the validation rows once too, after the first fit; each C's validation logits are computed once
  // and give both the accuracy and the log-loss.
  const prepared = prepareFit(xTrain, yTrain, fitOptions.standardize ?? false);
  let xValFeatures: Matrix64 | null = null;
  for (const C of Cs) {
    const model = fitPrepared(prepared, {
      ...fitOptions,
      C,
      ...(warmStart && prev ? { init: { coef: prev.coef, intercept: prev.intercept } } : {}),
    });
    xValFeatures ??= featuresOf(model, xVal);
    const z = logitsOf(model, xValFeatures);
    const acc = hitRate(topKOfLogits(model, z, 1), yv);
    const loss = logLossOfProba(model, softmaxRows(z), yv);
    scores.push({
      C,
      valAccuracy: acc,
      valLogLoss: loss,
      objective: model.objective,
      iterations: model.report.iterations,
      converged: model.report.converged,
    });
    prev = model;
    if (acc > bestAcc || (tieBreak === 'log-loss' && acc === bestAcc && loss < bestLoss)) {
      best = model;
      bestAcc = acc;
      bestLoss = loss;
      sinceBest = 0;
    } else if (++sinceBest >= patience) {
      break;
    }
  }
  let model = best!;
  if (refitOnTrainVal) {
    const yAll = [...checkLabels(yTrain, xTrain.rows, 'fitWithValidation: train'), ...yv];
    const known = new Set(model.classes);
    const sameClasses = new Set(yAll).size === known.size && yAll.every((c) => known.has(c));
    model = fitMultinomial(vstack(xTrain, xVal), yAll, {
      ...fitOptions,
      C: model.C,
      ...(warmStart && sameClasses ? { init: { coef: model.coef, intercept: model.intercept } } : {}),
    });
  }
  return { model, C: model.C, scores };
}

/** Mean -log P(y_i | x_i), probabilities clipped to [1e-15, 1]; a label the model never saw counts as 1e-15. */
export function logLoss(model: MultinomialModel, x: Matrix, y: Labels): number {
  if (y.length !== x.rows) throw new RangeError(`logLoss: ${y.length} labels for ${x.rows} rows`);
  return logLossOfProba(model, predictProba(model, x), y);
}

/** `logLoss` from the class probabilities (`predictProba`) of the rows. */
function logLossOfProba(model: MultinomialModel, p: Matrix64, y: Labels): number {
  const K = p.cols;
  const col = new Map<number, number>();
  model.classes.forEach((c, k) => col.set(c, k));
  let s = 0;
  for (let i = 0; i < p.rows; i++) {
    const k = col.get(y[i]!);
    const pi = k === undefined ? 0 : p.data[i * K + k]!;
    s -= Math.log(Math.min(1, Math.max(1e-15, pi)));
  }
  return s / p.rows;
}

/** `obj` without the named keys (the validation options that the fit itself does not take). */
function omit<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Omit<T, K> {
  const drop = new Set<PropertyKey>(keys);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !drop.has(k))) as Omit<T, K>;
}
