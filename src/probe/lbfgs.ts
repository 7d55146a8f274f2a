import { dot, maxAbs } from './kernels.js';
import type { ObjectiveFn, OptimizerOptions, OptimizerReport, Preconditioner, StopReason } from './types.js';

export const OPTIMIZER_DEFAULTS: Readonly<Required<OptimizerOptions>> = Object.freeze({
  maxIter: 1000,
  gradTol: 1e-6,
  funcTol: 1e-12,
  memory: 10,
  maxLineSearch: 25,
});

/** Optimiser options with defaults filled in; rejects values that cannot work. */
export function resolveOptimizerOptions(o: OptimizerOptions, what: string): Required<OptimizerOptions> {
  const r = { ...OPTIMIZER_DEFAULTS };
  for (const key of Object.keys(OPTIMIZER_DEFAULTS) as (keyof OptimizerOptions)[]) {
    const v = o[key];
    if (v !== undefined) r[key] = v;
  }
  const positiveInt = (k: 'maxIter' | 'memory' | 'maxLineSearch'): void => {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new RangeError(`${what}: ${k} must be a positive integer, got ${r[k]}`);
  };
  positiveInt('maxIter');
  positiveInt('memory');
  positiveInt('maxLineSearch');
  for (const k of ['gradTol', 'funcTol'] as const) {
    if (!(r[k] >= 0)) throw new RangeError(`${what}: ${k} must be a number >= 0, got ${r[k]}`);
  }
  return r;
}

/**
 * Limited-memory inverse-Hessian approximation from the last `m` pairs (s, y) = (x_{k+1} - x_k,
 * g_{k+1} - g_k), applied by the two-loop recursion (Nocedal & Wright, Algorithm 7.4) with the initial
 * scaling gamma = s.y / y.y of the newest pair. Pairs with s.y <= 1e-10 * y.y are skipped, which keeps the
 * approximation positive definite.
 */
export class LbfgsMemory {
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private readonly scratch: Float64Array;
  private head = 0; // slot of the oldest pair
  count = 0;

  constructor(
    readonly n: number,
    readonly m: number,
  ) {
    this.s = new Float64Array(n * m);
    this.y = new Float64Array(n * m);
    this.rho = new Float64Array(m);
    this.alpha = new Float64Array(m);
    this.scratch = new Float64Array(n);
  }

  reset(): void {
    this.head = 0;
    this.count = 0;
  }

  /**
   * Stores (xNew - xOld, gNew - gOld) unless its curvature s.y is not clearly positive. Returns whether it
   * did. With `l1`, y is zeroed where l1[i] > 0 and x is 0 at both ends (coordinates held at zero by an L1
   * penalty: their curvature would only distort the scaling of the free ones).
   */
  push(xNew: Float64Array, xOld: Float64Array, gNew: Float64Array, gOld: Float64Array, l1?: Float64Array): boolean {
    const n = this.n;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const yi = l1 && l1[i]! > 0 && xNew[i] === 0 && xOld[i] === 0 ? 0 : gNew[i]! - gOld[i]!;
      sy += (xNew[i]! - xOld[i]!) * yi;
      yy += yi * yi;
    }
    if (!(sy > 1e-10 * yy) || yy === 0) return false;
    let slot: number;
    if (this.count < this.m) {
      slot = (this.head + this.count) % this.m;
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.m;
    }
    const o = slot * n;
    for (let i = 0; i < n; i++) {
      this.s[o + i] = xNew[i]! - xOld[i]!;
      this.y[o + i] = l1 && l1[i]! > 0 && xNew[i] === 0 && xOld[i] === 0 ? 0 : gNew[i]! - gOld[i]!;
    }
    this.rho[slot] = 1 / sy;
    return true;
  }

  /**
   * `out = -H g`: the quasi-Newton descent direction (`-P g` while the memory is empty). `precondition`,
   * when given, applies a fixed symmetric positive definite P in place: the initial matrix becomes
   * gamma * P (gamma = s.y / y.P.y), which is L-BFGS in the variables v with x = A v, P = A A^T.
   */
  direction(g: Float64Array, out: Float64Array, precondition?: Preconditioner): void {
    const { n, m, s, y, rho, alpha } = this;
    for (let i = 0; i < n; i++) out[i] = -g[i]!;
    if (this.count === 0) {
      if (precondition) precondition(out);
      return;
    }
    for (let t = this.count - 1; t >= 0; t--) {
      const slot = (this.head + t) % m;
      const o = slot * n;
      let a = 0;
      for (let i = 0; i < n; i++) a += s[o + i]! * out[i]!;
      a *= rho[slot]!;
      alpha[slot] = a;
      for (let i = 0; i < n; i++) out[i] = out[i]! - a * y[o + i]!;
    }
    const newest = ((this.head + this.count - 1) % m) * n;
    let yy = 0;
    if (precondition) {
      const py = this.scratch;
      for (let i = 0; i < n; i++) py[i] = y[newest + i]!;
      precondition(py);
      for (let i = 0; i < n; i++) yy += y[newest + i]! * py[i]!;
      precondition(out);
    } else {
      for (let i = 0; i < n; i++) yy += y[newest + i]! * y[newest + i]!;
    }
    const gamma = 1 / (rho[(this.head + this.count - 1) % m]! * yy);
    for (let i = 0; i < n; i++) out[i] = out[i]! * gamma;
    for (let t = 0; t < this.count; t++) {
      const slot = (this.head + t) % m;
      const o = slot * n;
      let b = 0;
      for (let i = 0; i < n; i++) b += y[o + i]! * out[i]!;
      b = alpha[slot]! - rho[slot]! * b;
      for (let i = 0; i < n; i++) out[i] = out[i]! + b * s[o + i]!;
    }
  }
}

/** Work buffers and result of one line search. */
export interface LineSearchState {
  x: Float64Array; // start point
  f0: number;
  g0: Float64Array;
  p: Float64Array; // descent direction
  xt: Float64Array; // trial point (out)
  gt: Float64Array; // gradient at trial point (out)
  xb: Float64Array; // best point satisfying sufficient decrease (scratch)
  gb: Float64Array;
}

const C1 = 1e-4;
const C2 = 0.9;

/**
 * Line search for the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6: bracketing,
 * then zoom with safeguarded cubic interpolation), c1 = 1e-4, c2 = 0.9. On success the accepted point and
 * its gradient are in `st.xt` / `st.gt` and its value is returned; when the evaluation budget runs out, the
 * best point with sufficient decrease is accepted instead; `null` when there is none (no progress possible).
 * Non-finite values (overflow far along `p`) count as "too far".
 */
export function lineSearchWolfe(
  fg: ObjectiveFn,
  st: LineSearchState,
  alphaInit: number,
  maxEval: number,
  counter: { evals: number },
): number | null {
  const { x, f0, p, xt, gt, xb, gb } = st;
  const n = x.length;
  const d0 = dot(st.g0, p, n);
  const phi = (a: number): [number, number] => {
    for (let i = 0; i < n; i++) xt[i] = x[i]! + a * p[i]!;
    const f = fg(xt, gt);
    counter.evals++;
    if (!Number.isFinite(f)) return [Infinity, NaN];
    return [f, dot(gt, p, n)];
  };
  // best point with sufficient decrease seen so far (the "lo" end), copied to xb / gb
  let haveBest = false;
  let fBest = f0;
  const keep = (f: number): void => {
    xb.set(xt);
    gb.set(gt);
    haveBest = true;
    fBest = f;
  };
  const finishWithBest = (): number | null => {
    if (!haveBest || !(fBest < f0)) return null;
    xt.set(xb);
    gt.set(gb);
    return fBest;
  };
  const armijo = (a: number, f: number): boolean => f <= f0 + C1 * a * d0;

  let aPrev = 0;
  let fPrev = f0;
  let dPrev = d0;
  let a = alphaInit;
  let evals = 0;
  let lo: [number, number, number];
  let hi: [number, number, number];
  for (;;) {
    const [f, d] = phi(a);
    evals++;
    if (!armijo(a, f) || (evals > 1 && f >= fPrev)) {
      lo = [aPrev, fPrev, dPrev];
      hi = [a, f, d];
      break;
    }
    if (Math.abs(d) <= -C2 * d0) return f;
    keep(f);
    if (d >= 0) {
      lo = [a, f, d];
      hi = [aPrev, fPrev, dPrev];
      break;
    }
    if (evals >= maxEval) return finishWithBest();
    aPrev = a;
    fPrev = f;
    dPrev = d;
    a = Math.min(4 * a, 1e20);
  }
  // zoom: lo satisfies sufficient decrease and has the lowest value so far; the minimiser lies between lo and hi
  while (evals < maxEval) {
    const [aLo, fLo, dLo] = lo;
    const [aHi, fHi, dHi] = hi;
    const width = Math.abs(aHi - aLo);
    if (width <= 1e-15 * Math.max(Math.abs(aLo), Math.abs(aHi))) break;
    let aNew = cubicMin(aLo, fLo, dLo, aHi, fHi, dHi);
    const left = Math.min(aLo, aHi);
    const right = Math.max(aLo, aHi);
    if (!(aNew >= left + 0.1 * width && aNew <= right - 0.1 * width)) aNew = 0.5 * (aLo + aHi);
    const [f, d] = phi(aNew);
    evals++;
    if (!armijo(aNew, f) || f >= fLo) {
      hi = [aNew, f, d];
    } else {
      if (Math.abs(d) <= -C2 * d0) return f;
      keep(f);
      if (d * (aHi - aLo) >= 0) hi = lo;
      lo = [aNew, f, d];
    }
  }
  return finishWithBest();
}

/** Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when it has none. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(db)) return NaN;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/**
 * Minimises a smooth function with L-BFGS and a strong Wolfe line search. Stops when max |g| <= gradTol,
 * when the relative decrease of f in one iteration is at most funcTol, after maxIter iterations, or when
 * no step decreases f (after one retry from the steepest-descent direction with the memory cleared).
 * The first step has length at most 1; later ones start at 1. Deterministic. `x0` is not modified.
 * `precondition` (a fixed symmetric positive definite P) sets the initial inverse Hessian to gamma * P.
 */
export function minimizeLbfgs(
  fg: ObjectiveFn,
  x0: Float64Array,
  options: OptimizerOptions = {},
  precondition?: Preconditioner,
): { x: Float64Array; report: OptimizerReport } {
  const o = resolveOptimizerOptions(options, 'minimizeLbfgs');
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  const p = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const xb = new Float64Array(n);
  const gb = new Float64Array(n);
  const mem = new LbfgsMemory(n, o.memory);
  const counter = { evals: 0 };
  let f = fg(x, g);
  counter.evals++;
  if (!Number.isFinite(f)) throw new RangeError(`minimizeLbfgs: objective is ${f} at the starting point`);
  let gnorm = maxAbs(g);
  let iter = 0;
  let reason: StopReason = 'maxIter';
  if (gnorm <= o.gradTol) reason = 'gradient';
  else {
    while (iter < o.maxIter) {
      mem.direction(g, p, precondition);
      // Not a descent direction (the curvature pairs went stale): start again from steepest descent.
      if (!(dot(g, p, n) < 0)) {
        mem.reset();
        mem.direction(g, p, precondition);
      }
      const a0 = mem.count === 0 ? Math.min(1, 1 / Math.sqrt(dot(p, p, n))) : 1;
      let fNew = lineSearchWolfe(fg, { x, f0: f, g0: g, p, xt, gt, xb, gb }, a0, o.maxLineSearch, counter);
      if (fNew === null && mem.count > 0) {
        mem.reset();
        mem.direction(g, p, precondition);
        const a1 = Math.min(1, 1 / Math.sqrt(dot(p, p, n)));
        fNew = lineSearchWolfe(fg, { x, f0: f, g0: g, p, xt, gt, xb, gb }, a1, o.maxLineSearch, counter);
      }
      if (fNew === null) {
        reason = 'lineSearch';
        break;
      }
      iter++;
      mem.push(xt, x, gt, g);
      [x, xt] = [xt, x];
      [g, gt] = [gt, g];
      const fPrev = f;
      f = fNew;
      gnorm = maxAbs(g);
      if (gnorm <= o.gradTol) {
        reason = 'gradient';
        break;
      }
      if (fPrev - f <= o.funcTol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
        reason = 'function';
        break;
      }
    }
  }
  const converged = reason === 'gradient' || reason === 'function';
  return { x, report: { value: f, gradNorm: gnorm, iterations: iter, evaluations: counter.evals, converged, reason } };
}
