import { BenchError } from '../util/errors.js';
import { checkFinite, checkLabels, checkMatrix } from './matrix.js';
import { minimizeOwlqn } from './owlqn.js';
import { centeringPreconditioner } from './precondition.js';
import type { L1BinaryModel, L1BinaryOptions, Labels, Matrix, ObjectiveFn } from './types.js';

/** log(1 + exp(-m)), without overflow. */
function logLoss(m: number): number {
  return m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
}

/**
 * Smooth part of the binary objective on `theta = [w (d), b]`, divided by `C * n`:
 * `f(w, b) = (1/n) * sum_i log(1 + exp(-s_i (w . x_i + b)))`, `s_i = +1 for y_i = 1, -1 for y_i = 0`.
 * One fused pass over the rows per call, four rows at a time: margins, then gradient `X^T r / n`, while
 * the four rows are in cache. `X` is read as given (Float32Array or Float64Array), never copied.
 */
export function binaryLogisticObjective(x: Matrix, y01: Uint8Array): ObjectiveFn {
  const { data: X, rows: n, cols: d } = x;
  if (y01.length !== n) throw new RangeError(`binaryLogisticObjective: ${y01.length} labels for ${n} rows`);
  const invN = 1 / n;
  return (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const b = theta[d]!;
    let loss = 0;
    let gb = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o0 = i * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let z0 = b,
        z1 = b,
        z2 = b,
        z3 = b;
      for (let j = 0; j < d; j++) {
        const w = theta[j]!;
        z0 += X[o0 + j]! * w;
        z1 += X[o1 + j]! * w;
        z2 += X[o2 + j]! * w;
        z3 += X[o3 + j]! * w;
      }
      const s0 = y01[i] ? 1 : -1,
        s1 = y01[i + 1] ? 1 : -1,
        s2 = y01[i + 2] ? 1 : -1,
        s3 = y01[i + 3] ? 1 : -1;
      const m0 = s0 * z0,
        m1 = s1 * z1,
        m2 = s2 * z2,
        m3 = s3 * z3;
      loss += logLoss(m0) + logLoss(m1) + logLoss(m2) + logLoss(m3);
      // d/dz log(1 + exp(-s z)) = -s / (1 + exp(s z))
      const r0 = (-s0 / (1 + Math.exp(m0))) * invN;
      const r1 = (-s1 / (1 + Math.exp(m1))) * invN;
      const r2 = (-s2 / (1 + Math.exp(m2))) * invN;
      const r3 = (-s3 / (1 + Math.exp(m3))) * invN;
      gb += r0 + r1 + r2 + r3;
      for (let j = 0; j < d; j++) {
        grad[j]! += r0 * X[o0 + j]! + r1 * X[o1 + j]! + r2 * X[o2 + j]! + r3 * X[o3 + j]!;
      }
    }
    for (; i < n; i++) {
      const o = i * d;
      let z = b;
      for (let j = 0; j < d; j++) z += X[o + j]! * theta[j]!;
      const s = y01[i] ? 1 : -1;
      const m = s * z;
      loss += logLoss(m);
      const r = (-s / (1 + Math.exp(m))) * invN;
      gb += r;
      for (let j = 0; j < d; j++) grad[j]! += r * X[o + j]!;
    }
    grad[d] = gb;
    return loss * invN;
  };
}

/**
 * Fits binary logistic regression with an L1 penalty, minimising (scikit-learn scale)
 *
 *   ||w||_1 + [|b| if penalizeIntercept] + C * sum_i log(1 + exp(-s_i (w . x_i + b)))
 *
 * With `penalizeIntercept` (the default) this is exactly liblinear's problem as scikit-learn's
 * `LogisticRegression(penalty='l1', C=C, solver='liblinear')` poses it (intercept_scaling = 1: the intercept is
 * the weight of a constant feature 1, penalised like the others) — the fit ESM used for its contact head.
 * Without it, the intercept is free, as with `solver='saga'`. Solved by OWL-QN on the objective divided by
 * C * n, from zero, preconditioned as if the features were standardized (`centeringPreconditioner`). Labels are 0 / 1; both must occur. Rows may be Float32Array, read in place.
 */
export function fitL1Binary(x: Matrix, y: Labels, options: L1BinaryOptions): L1BinaryModel {
  checkMatrix(x, 'fitL1Binary');
  const C = options.C;
  if (!(C > 0) || !Number.isFinite(C)) throw new RangeError(`fitL1Binary: C must be a positive finite number, got ${C}`);
  checkFinite(x, 'fitL1Binary');
  const labels = checkLabels(y, x.rows, 'fitL1Binary');
  const y01 = new Uint8Array(x.rows);
  let positives = 0;
  for (let i = 0; i < x.rows; i++) {
    const v = labels[i]!;
    if (v > 1) throw new BenchError('E_DATA', `fitL1Binary: labels must be 0 or 1, got ${v} at row ${i}`);
    y01[i] = v;
    positives += v;
  }
  if (positives === 0 || positives === x.rows) {
    throw new BenchError('E_DATA', `fitL1Binary: training labels must contain both 0 and 1, got ${positives} ones in ${x.rows} rows`);
  }
  const d = x.cols;
  const n = x.rows;
  const penalizeIntercept = options.penalizeIntercept ?? true;
  const lambda = new Float64Array(d + 1).fill(1 / (C * n));
  if (!penalizeIntercept) lambda[d] = 0;
  const precondition = centeringPreconditioner(x, 1);
  const { x: theta, report } = minimizeOwlqn(binaryLogisticObjective(x, y01), lambda, new Float64Array(d + 1), options, precondition);
  return {
    kind: 'l1-binary',
    nFeatures: d,
    coef: theta.slice(0, d),
    intercept: theta[d]!,
    C,
    penalizeIntercept,
    objective: report.value * C * n,
    report,
  };
}

/** P(y = 1 | x) for each row. */
export function predictProbaBinary(model: L1BinaryModel, x: Matrix): Float64Array {
  checkMatrix(x, 'predictProbaBinary');
  const d = model.nFeatures;
  if (x.cols !== d) throw new RangeError(`predictProbaBinary: model has ${d} features, got ${x.cols}`);
  checkFinite(x, 'predictProbaBinary');
  const out = new Float64Array(x.rows);
  const X = x.data;
  const w = model.coef;
  for (let i = 0; i < x.rows; i++) {
    let z = model.intercept;
    const o = i * d;
    for (let j = 0; j < d; j++) z += X[o + j]! * w[j]!;
    out[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  return out;
}
