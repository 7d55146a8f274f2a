import { fitMultinomial, predictProba, type Labels, type Matrix, type MultinomialModel } from '../../src/probe/index.js';

export interface SelectOptions {
  Cs: readonly number[];
  gradTol: number;
  maxIter: number;
  /** Stop after this many consecutive C values that do not improve (accuracy, then log-loss). */
  patience: number;
}

export interface SelectScore {
  C: number;
  valAccuracy: number;
  /** Mean negative log-probability of the true class over the validation rows whose class the probe knows. */
  valLogLoss: number;
  iterations: number;
  converged: boolean;
}

/**
 * Chooses C on the validation rows: fits the standardized multinomial probe on the training rows for each C
 * (ascending, warm-started), and keeps the C with the highest validation accuracy, ties broken by the lower
 * validation log-loss (then the smaller C). `fitWithValidation` in src/probe breaks accuracy ties towards the
 * smaller C only; when the validation set is small or easy, many C values tie at the top and that rule picks
 * the most heavily penalised probe, whose test accuracy can fall well short (a synthetic fold set encoded
 * without noise: 0.77 instead of 1.0). The log-loss still separates those C values. (A copy of
 * tasks/fold/select.ts: tasks do not import each other.)
 */
export function fitSelectC(xTrain: Matrix, yTrain: Labels, xVal: Matrix, yVal: Labels, o: SelectOptions): { model: MultinomialModel; C: number; scores: SelectScore[] } {
  const scores: SelectScore[] = [];
  let best: { model: MultinomialModel; acc: number; loss: number } | null = null;
  let prev: MultinomialModel | null = null;
  let since = 0;
  for (const C of o.Cs) {
    const model = fitMultinomial(xTrain, yTrain, {
      C,
      standardize: true,
      gradTol: o.gradTol,
      maxIter: o.maxIter,
      ...(prev ? { init: { coef: prev.coef, intercept: prev.intercept } } : {}),
    });
    prev = model;
    const { acc, loss } = validationScores(model, xVal, yVal);
    scores.push({ C, valAccuracy: acc, valLogLoss: loss, iterations: model.report.iterations, converged: model.report.converged });
    if (!best || acc > best.acc || (acc === best.acc && loss < best.loss)) {
      best = { model, acc, loss };
      since = 0;
    } else if (++since >= o.patience) {
      break;
    }
  }
  return { model: best!.model, C: best!.model.C, scores };
}

function validationScores(model: MultinomialModel, x: Matrix, y: Labels): { acc: number; loss: number } {
  const p = predictProba(model, x);
  const K = p.cols;
  const col = new Map<number, number>();
  model.classes.forEach((c, k) => col.set(c, k));
  let hits = 0;
  let loss = 0;
  let known = 0;
  for (let i = 0; i < x.rows; i++) {
    let arg = 0;
    for (let k = 1; k < K; k++) if (p.data[i * K + k]! > p.data[i * K + arg]!) arg = k;
    if (model.classes[arg] === y[i]) hits++;
    const k = col.get(y[i]!);
    if (k !== undefined) {
      loss -= Math.log(Math.max(p.data[i * K + k]!, 1e-300));
      known++;
    }
  }
  return { acc: hits / x.rows, loss: known > 0 ? loss / known : Infinity };
}
