import type { Matrix, Preconditioner } from './types.js';

/**
 * Preconditioner for linear models with parameters `theta = [W (K x d, row-major), b (K)]`: `P = A A^T`
 * for the change of variables to centred, unit-variance features (`w_k = S^-1 u_k`, `b_k = c_k - mu . S^-1 u_k`,
 * mu the column means, S the column standard deviations). With `gamma * P` as the initial inverse Hessian,
 * L-BFGS runs as it would on standardized features while the problem — penalty included — stays the
 * original one. Non-negative or offset features (attention maps, raw embeddings) make the raw problem badly
 * conditioned, their mean direction dominating; this removes that. Constant columns are left unscaled.
 * `l2` (the L2 weight of the n-normalised objective, 1 / (C n)) adds the penalty's curvature to the weights'
 * block, relative to the loss curvature at uniform probabilities, h = (1/K)(1 - 1/K) (K = 1 means binary):
 * without it a strong penalty leaves the intercepts and the weights on very different curvature scales.
 * For each class k: `t_j = (g_wk,j - mu_j g_bk) / (s_j^2 + l2 / h)`, `(P g)_wk = t`, `(P g)_bk = g_bk - mu . t`.
 */
export function centeringPreconditioner(x: Matrix, K: number, l2 = 0): Preconditioner {
  const { data: X, rows: n, cols: d } = x;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += X[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const c = X[o + j]! - mean[j]!;
      m2[j]! += c * c;
    }
  }
  // curvature of the loss per standardized feature at the start (uniform probabilities): (1/K)(1 - 1/K)
  const classes = Math.max(K, 2);
  const h = (1 / classes) * (1 - 1 / classes);
  const invVar = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const v = m2[j]! / n;
    invVar[j] = 1 / ((v > 1e-12 * (1 + mean[j]! * mean[j]!) ? v : 1) + l2 / h);
  }
  const wSize = K * d;
  return (v: Float64Array): void => {
    for (let k = 0; k < K; k++) {
      const o = k * d;
      const gb = v[wSize + k]!;
      let shift = 0;
      for (let j = 0; j < d; j++) {
        const t = (v[o + j]! - mean[j]! * gb) * invVar[j]!;
        v[o + j] = t;
        shift += mean[j]! * t;
      }
      v[wSize + k] = gb - shift;
    }
  };
}
