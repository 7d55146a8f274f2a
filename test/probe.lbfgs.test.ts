import { expect } from 'chai';
import { lineSearchWolfe } from '../src/probe/lbfgs.js';
import { Rng } from '../src/util/rng.js';
import { centeringPreconditioner, minimizeLbfgs, minimizeOwlqn, type ObjectiveFn } from '../src/probe/index.js';

/** Extended Rosenbrock: sum over pairs of 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2; minimum 0 at all ones. */
const rosenbrock: ObjectiveFn = (x, g) => {
  let f = 0;
  for (let i = 0; i + 1 < x.length; i += 2) {
    const a = x[i]!;
    const b = x[i + 1]!;
    const t = b - a * a;
    f += 100 * t * t + (1 - a) * (1 - a);
    g[i] = -400 * a * t - 2 * (1 - a);
    g[i + 1] = 200 * t;
  }
  return f;
};

describe('probe: L-BFGS and OWL-QN', () => {
  it('minimises the extended Rosenbrock function from the classic start (-1.2, 1)', () => {
    const x0 = new Float64Array(10);
    for (let i = 0; i < 10; i += 2) {
      x0[i] = -1.2;
      x0[i + 1] = 1;
    }
    const { x, report } = minimizeLbfgs(rosenbrock, x0, { gradTol: 1e-9, funcTol: 0 });
    expect(report.converged, JSON.stringify(report)).to.equal(true);
    for (const v of x) expect(v).to.be.closeTo(1, 1e-7);
    expect(report.value).to.be.below(1e-14);
    expect(x0[0]).to.equal(-1.2); // input untouched
  });

  it('solves a convex quadratic 0.5 x^T A x - b^T x exactly (A x = b)', () => {
    // A = tridiag(-1, 4, -1), n = 50; solution checked through the residual
    const n = 50;
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const fg: ObjectiveFn = (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const ax = 4 * x[i]! - (i > 0 ? x[i - 1]! : 0) - (i < n - 1 ? x[i + 1]! : 0);
        g[i] = ax - b[i]!;
        f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
      }
      return f;
    };
    const { x, report } = minimizeLbfgs(fg, new Float64Array(n), { gradTol: 1e-8, funcTol: 0 });
    expect(report.reason).to.equal('gradient');
    const g = new Float64Array(n);
    fg(x, g);
    for (const r of g) expect(Math.abs(r)).to.be.at.most(1e-8);
  });

  it('stops at maxIter and says so', () => {
    const x0 = Float64Array.from([-1.2, 1]);
    const { report } = minimizeLbfgs(rosenbrock, x0, { maxIter: 3, funcTol: 0 });
    expect(report).to.include({ iterations: 3, reason: 'maxIter', converged: false });
  });

  it('line search returns a step satisfying the strong Wolfe conditions', () => {
    // f(x) = x^4 - 3x^2 + x along p = +1 from x = -2 (slope -19): a long step overshoots, so zoom is exercised
    const fg: ObjectiveFn = (x, g) => {
      const v = x[0]!;
      g[0] = 4 * v ** 3 - 6 * v + 1;
      return v ** 4 - 3 * v * v + v;
    };
    const x = Float64Array.from([-2]);
    const g0 = new Float64Array(1);
    const f0 = fg(x, g0);
    const st = {
      x,
      f0,
      g0,
      p: Float64Array.from([1]),
      xt: new Float64Array(1),
      gt: new Float64Array(1),
      xb: new Float64Array(1),
      gb: new Float64Array(1),
    };
    for (const a0 of [0.01, 1, 3, 10]) {
      const f = lineSearchWolfe(fg, st, a0, 25, { evals: 0 });
      expect(f, `a0 = ${a0}`).to.not.equal(null);
      const a = st.xt[0]! - x[0]!;
      expect(f!).to.be.at.most(f0 + 1e-4 * a * g0[0]!);
      expect(Math.abs(st.gt[0]!)).to.be.at.most(0.9 * Math.abs(g0[0]!));
    }
  });

  it('OWL-QN solves a separable lasso exactly (soft thresholding), with exact zeros', () => {
    // f(x) = 0.5 sum_j (x_j - c_j)^2, lambda_j = 1  ->  x_j = sign(c_j) max(|c_j| - 1, 0)
    const c = Float64Array.from([3, -2.5, 0.4, -0.9, 1.5, 0]);
    const fg: ObjectiveFn = (x, g) => {
      let f = 0;
      for (let j = 0; j < c.length; j++) {
        g[j] = x[j]! - c[j]!;
        f += 0.5 * g[j]! * g[j]!;
      }
      return f;
    };
    const { x, report } = minimizeOwlqn(fg, new Float64Array(c.length).fill(1), new Float64Array(c.length), { gradTol: 1e-12 });
    expect(report.converged).to.equal(true);
    const expected = [2, -1.5, 0, 0, 0.5, 0];
    for (let j = 0; j < c.length; j++) expect(x[j]).to.be.closeTo(expected[j]!, 1e-10);
    expect([x[2], x[3], x[5]]).to.deep.equal([0, 0, 0]);
  });

  it('the preconditioner is symmetric positive definite and leaves the minimiser unchanged', () => {
    const rng = new Rng('probe-precond');
    const n = 50;
    const d = 4;
    const K = 3;
    // offset, non-negative features with one constant column
    const x = Float64Array.from({ length: n * d }, (_, i) => (i % d === 3 ? 2 : 5 + rng.next() * (1 + (i % d))));
    const P = centeringPreconditioner({ data: x, rows: n, cols: d }, K, 0.01);
    const dim = K * d + K;
    for (let t = 0; t < 20; t++) {
      const u = Float64Array.from({ length: dim }, () => rng.normal());
      const v = Float64Array.from({ length: dim }, () => rng.normal());
      const pu = u.slice();
      const pv = v.slice();
      P(pu);
      P(pv);
      let uPv = 0;
      let vPu = 0;
      let vPv = 0;
      for (let i = 0; i < dim; i++) {
        uPv += u[i]! * pv[i]!;
        vPu += v[i]! * pu[i]!;
        vPv += v[i]! * pv[i]!;
      }
      expect(Math.abs(uPv - vPu)).to.be.below(1e-9 * (1 + Math.abs(uPv)));
      expect(vPv).to.be.above(0);
    }
    // same minimum with and without it (Rosenbrock in 12 variables, a mild P built for K = 3, d = 3)
    const x3 = Float64Array.from({ length: n * 3 }, () => 0.5 + rng.normal());
    const P12 = centeringPreconditioner({ data: x3, rows: n, cols: 3 }, 3, 0);
    const x0 = new Float64Array(12).fill(-1);
    const a = minimizeLbfgs(rosenbrock, x0, { gradTol: 1e-9, funcTol: 0 });
    const b = minimizeLbfgs(rosenbrock, x0, { gradTol: 1e-9, funcTol: 0 }, P12);
    for (let i = 0; i < 12; i++) {
      expect(a.x[i]).to.be.closeTo(1, 1e-6);
      expect(b.x[i]).to.be.closeTo(1, 1e-6);
    }
  });

  it('rejects impossible options with the option named', () => {
    expect(() => minimizeLbfgs(rosenbrock, new Float64Array(2), { maxIter: 0 })).to.throw(RangeError, /maxIter/);
    expect(() => minimizeLbfgs(rosenbrock, new Float64Array(2), { gradTol: -1 })).to.throw(RangeError, /gradTol/);
  });
});
