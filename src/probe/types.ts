/**
 * Types of the probe heads: small linear models trained on frozen embeddings.
 *
 * Conventions shared by every file in `src/probe/`:
 * - A matrix is row-major: element (i, j) of an `rows x cols` matrix is `data[i * cols + j]`.
 * - Feature matrices may be `Float32Array` (what ONNX returns) or `Float64Array`; every fitted quantity
 *   (coefficients, probabilities, objective values) is `Float64Array` / double.
 * - Labels are non-negative integers; a model predicts only the classes it saw in training
 *   (`classes`, ascending), as scikit-learn does.
 * - Everything is deterministic: the same inputs give the same bytes of coefficients (fixed loop order,
 *   no threads, no randomness inside the solvers).
 */

/** Row-major dense matrix. */
export interface Matrix {
  data: Float64Array | Float32Array;
  rows: number;
  cols: number;
}

/** Row-major dense matrix of doubles (what the probes return). */
export interface Matrix64 {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Class labels, one per row: non-negative integers. */
export type Labels = Int32Array | Uint32Array | Uint8Array | Uint16Array | readonly number[];

/** Per-column affine map `(x - mean) / scale` fitted on training rows (see `fitStandardizer`). */
export interface Standardizer {
  mean: Float64Array;
  /** Population standard deviation (ddof = 0); 1 for constant columns, so they map to 0. */
  scale: Float64Array;
  /** Indices of the columns treated as constant. */
  constant: number[];
}

/** Why an optimiser stopped. */
export type StopReason =
  | 'gradient' // the (pseudo-)gradient max-norm fell below `gradTol`: converged
  | 'function' // the relative decrease of the objective fell below `funcTol`: converged
  | 'maxIter' // iteration limit reached before convergence
  | 'lineSearch'; // no acceptable step found (usually: at the optimum to rounding precision)

/** Options of the quasi-Newton optimisers (L-BFGS and OWL-QN). */
export interface OptimizerOptions {
  /** Iteration limit. Default 1000. */
  maxIter?: number;
  /** Stop when max |gradient| (of the n-normalised objective) is at most this. Default 1e-6. */
  gradTol?: number;
  /** Stop when (f_prev - f) / max(|f_prev|, |f|, 1) is at most this. Default 1e-12. */
  funcTol?: number;
  /** Number of correction pairs kept. Default 10 (scipy's default). */
  memory?: number;
  /** Function evaluations allowed per line search. Default 25. */
  maxLineSearch?: number;
}

/** What an optimiser did. */
export interface OptimizerReport {
  /** Final value of the n-normalised objective that was minimised. */
  value: number;
  /** max |gradient| (pseudo-gradient for L1) at the returned point. */
  gradNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: StopReason;
}

/** Objective and gradient: writes the gradient at `x` into `grad`, returns the value. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

/** Applies a fixed symmetric positive definite matrix to `v` in place (initial inverse Hessian of L-BFGS). */
export type Preconditioner = (v: Float64Array) => void;

export interface MultinomialOptions extends OptimizerOptions {
  /** Inverse L2 strength, as scikit-learn's `C`. Required, > 0. */
  C: number;
  /** Fit a `Standardizer` on the training rows and apply it inside the model. Default false. */
  standardize?: boolean;
  /**
   * Starting point (warm start), in the space the model is fitted in (standardized features when
   * `standardize`), e.g. another model's `coef` / `intercept`; shapes must match the classes found in `y`.
   * Default zeros.
   */
  init?: { coef: Float64Array; intercept: Float64Array };
}

/**
 * Multinomial (softmax) logistic regression:
 * `P(class k | x) = softmax_k(coef[k] . s(x) + intercept[k])`, `s` = the standardizer or identity.
 */
export interface MultinomialModel {
  kind: 'multinomial';
  /** Training labels found, ascending; row k of `coef` belongs to `classes[k]`. */
  classes: Int32Array;
  nFeatures: number;
  /** `classes.length x nFeatures`, row-major. */
  coef: Float64Array;
  /** One per class; centred (sums to 0), since only differences between classes are identified. */
  intercept: Float64Array;
  C: number;
  standardizer: Standardizer | null;
  /** scikit-learn scale objective at the solution: C * sum of log-losses + 0.5 * ||coef||^2. */
  objective: number;
  report: OptimizerReport;
}

export interface ValidationOptions extends Omit<MultinomialOptions, 'C' | 'init'> {
  /** Grid of C values, tried in ascending order. Default `DEFAULT_C_GRID`. */
  Cs?: readonly number[];
  /** Start each fit from the previous (smaller C) solution. Default true. */
  warmStart?: boolean;
  /**
   * Stop the scan after this many consecutive C values without a new best validation accuracy.
   * Default Infinity (the whole grid is tried).
   */
  patience?: number;
  /** Refit on train + validation rows at the chosen C. Default false (TAPE protocol: train only). */
  refitOnTrainVal?: boolean;
  /**
   * Among C values with the same (best) validation accuracy: `'stronger-penalty'` (default) keeps the
   * smallest C; `'log-loss'` keeps the one with the lowest validation log-loss (then the smallest C), which
   * separates C values whose accuracies saturate (e.g. all 1.0 on easy data).
   */
  tieBreak?: 'stronger-penalty' | 'log-loss';
}

export interface ValidationScore {
  C: number;
  valAccuracy: number;
  /** Mean -log P(true label) on the validation rows, probabilities clipped to [1e-15, 1] (scikit-learn's log_loss). */
  valLogLoss: number;
  objective: number;
  iterations: number;
  converged: boolean;
}

export interface ValidationResult {
  model: MultinomialModel;
  /** The chosen C. */
  C: number;
  /** One entry per C tried, in the order tried. */
  scores: ValidationScore[];
}

export interface L1BinaryOptions extends OptimizerOptions {
  /** Inverse L1 strength, as scikit-learn's `C`. Required, > 0. */
  C: number;
  /**
   * Whether the intercept is inside the L1 penalty. Default true: liblinear (and so
   * `LogisticRegression(penalty='l1', solver='liblinear')`, which ESM used for its contact head) treats the
   * intercept as an ordinary weight on a constant feature 1 and penalises it. false matches `solver='saga'`.
   */
  penalizeIntercept?: boolean;
}

/** Binary logistic regression: `P(y = 1 | x) = sigmoid(coef . x + intercept)`. */
export interface L1BinaryModel {
  kind: 'l1-binary';
  nFeatures: number;
  coef: Float64Array;
  intercept: number;
  C: number;
  penalizeIntercept: boolean;
  /** scikit-learn scale objective at the solution: ||coef||_1 (+ |intercept|) + C * sum of log-losses. */
  objective: number;
  report: OptimizerReport;
}

export interface RidgeOptions {
  /** L2 strength, as scikit-learn's `Ridge(alpha)`. >= 0 (0 needs a full-rank design). */
  alpha: number;
  /** Fit an unpenalised intercept (by centring). Default true. */
  fitIntercept?: boolean;
}

/** Ridge regression with `targets` outputs: `y_hat[t] = coef[t] . x + intercept[t]`. */
export interface RidgeModel {
  kind: 'ridge';
  nFeatures: number;
  targets: number;
  /** `targets x nFeatures`, row-major. */
  coef: Float64Array;
  intercept: Float64Array;
  alpha: number;
}
