import { maxAbs } from './kernels.js';
import { LbfgsMemory, resolveOptimizerOptions } from './lbfgs.js';
import type { ObjectiveFn, OptimizerOptions, OptimizerReport, Preconditioner, StopReason } from './types.js';

const GAMMA = 1e-4;

/**
 * Minimises `F(x) = f(x) + sum_j lambda_j |x_j|` (f smooth and convex, lambda_j >= 0) with OWL-QN
 * (Andrew & Gao, "Scalable training of L1-regularized log-linear models", ICML 2007): L-BFGS on the
 * pseudo-gradient, backtracking line search (sufficient decrease with c = 1e-4, safeguarded quadratic
 * interpolation) on the orthant projection, so coefficients that would cross zero stop at exactly zero.
 * Two departures from the paper, both for speed on ill-conditioned data (ten times fewer iterations on
 * attention-like features): the direction's sign is constrained only on penalised coordinates that are at
 * zero (all of them, as in the paper, only if that direction does not descend), and coordinates with
 * lambda_j = 0 are free (no sign constraint, no orthant), so with lambda = 0 this is plain L-BFGS with
 * backtracking. L-BFGS pairs ignore the curvature of coordinates held at zero. Converged when max |pseudo-gradient| <= gradTol
 * (the minimum-norm subgradient: zero exactly at the optimum), or when the relative decrease of F is at most
 * funcTol. Deterministic. `fg` returns f and its gradient; `x0` is not modified. `precondition` (a fixed
 * symmetric positive definite P) sets the initial inverse-Hessian to gamma * P, see `LbfgsMemory.direction`.
 */
export function minimizeOwlqn(
  fg: ObjectiveFn,
  lambda: Float64Array,
  x0: Float64Array,
  options: OptimizerOptions = {},
  precondition?: Preconditioner,
): { x: Float64Array; report: OptimizerReport } {
  const o = resolveOptimizerOptions(options, 'minimizeOwlqn');
  const n = x0.length;
  if (lambda.length !== n) throw new RangeError(`minimizeOwlqn: ${lambda.length} penalty weights for ${n} variables`);
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const pg = new Float64Array(n);
  const p = new Float64Array(n);
  const orthant = new Float64Array(n);
  const mem = new LbfgsMemory(n, o.memory);
  let evals = 0;
  const l1 = (v: Float64Array): number => {
    let s = 0;
    for (let j = 0; j < n; j++) s += lambda[j]! * Math.abs(v[j]!);
    return s;
  };
  let F = fg(x, g) + l1(x);
  evals++;
  if (!Number.isFinite(F)) throw new RangeError(`minimizeOwlqn: objective is ${F} at the starting point`);
  pseudoGradient(x, g, lambda, pg);
  let pgNorm = maxAbs(pg);
  let iter = 0;
  let reason: StopReason = 'maxIter';
  if (pgNorm <= o.gradTol) reason = 'gradient';
  while (reason === 'maxIter' && iter < o.maxIter) {
    let Fnew: number | null = null;
    for (let attempt = 0; attempt < 2 && Fnew === null; attempt++) {
      if (attempt === 1) {
        if (mem.count === 0) break;
        mem.reset();
      }
      mem.direction(pg, p, precondition);
      // A coordinate at zero may only leave it on the side where the penalised objective decreases
      // (the side of -pg); elsewhere keep the quasi-Newton direction as it is, which is what makes the
      // method L-BFGS where no coefficient is at zero. Should that not descend, constrain every coordinate
      // to the sign of -pg, as Andrew & Gao do.
      let dd = 0;
      let pp = 0;
      // Unpenalised coordinates (lambda_j = 0) are free: no sign constraint, no orthant (orthant_j = 0).
      for (let j = 0; j < n; j++) {
        const xj = x[j]!;
        const penalised = lambda[j]! > 0;
        if (penalised && xj === 0 && p[j]! * pg[j]! >= 0) p[j] = 0;
        dd += p[j]! * pg[j]!;
        orthant[j] = !penalised ? 0 : xj !== 0 ? Math.sign(xj) : -Math.sign(pg[j]!);
      }
      if (!(dd < 0)) {
        dd = 0;
        for (let j = 0; j < n; j++) {
          if (lambda[j]! > 0 && p[j]! * pg[j]! >= 0) p[j] = 0;
          dd += p[j]! * pg[j]!;
        }
      }
      if (!(dd < 0)) continue;
      for (let j = 0; j < n; j++) pp += p[j]! * p[j]!;
      let a = mem.count === 0 ? Math.min(1, 1 / Math.sqrt(pp)) : 1; // first step: length at most 1
      for (let ls = 0; ls < o.maxLineSearch; ls++) {
        let decrease = 0; // pg . (xt - x)
        for (let j = 0; j < n; j++) {
          let v = x[j]! + a * p[j]!;
          const side = orthant[j]!;
          if (side !== 0 ? v * side <= 0 : lambda[j]! > 0) v = 0;
          xt[j] = v;
          decrease += pg[j]! * (v - x[j]!);
        }
        const f = fg(xt, gt);
        evals++;
        const Ft = Number.isFinite(f) ? f + l1(xt) : Infinity;
        if (Ft <= F + GAMMA * decrease) {
          Fnew = Ft;
          break;
        }
        // minimiser of the quadratic through F(0), slope dd and F(a), kept within [0.1 a, 0.5 a]
        const q = Number.isFinite(Ft) ? (-dd * a * a) / (2 * (Ft - F - dd * a)) : 0;
        a = Math.min(0.5 * a, Math.max(0.1 * a, q));
      }
    }
    if (Fnew === null) {
      reason = 'lineSearch';
      break;
    }
    iter++;
    mem.push(xt, x, gt, g, lambda);
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    const Fprev = F;
    F = Fnew;
    pseudoGradient(x, g, lambda, pg);
    pgNorm = maxAbs(pg);
    if (pgNorm <= o.gradTol) reason = 'gradient';
    else if (Fprev - F <= o.funcTol * Math.max(Math.abs(Fprev), Math.abs(F), 1)) reason = 'function';
  }
  const converged = reason === 'gradient' || reason === 'function';
  return { x, report: { value: F, gradNorm: pgNorm, iterations: iter, evaluations: evals, converged, reason } };
}

/** Minimum-norm subgradient of f + sum lambda_j |x_j| (zero iff x is optimal). */
export function pseudoGradient(x: Float64Array, g: Float64Array, lambda: Float64Array, out: Float64Array): void {
  for (let j = 0; j < x.length; j++) {
    const xj = x[j]!;
    const gj = g[j]!;
    const lj = lambda[j]!;
    if (xj > 0) out[j] = gj + lj;
    else if (xj < 0) out[j] = gj - lj;
    else if (gj + lj < 0) out[j] = gj + lj;
    else if (gj - lj > 0) out[j] = gj - lj;
    else out[j] = 0;
  }
}
