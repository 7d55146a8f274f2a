import { expect } from 'chai';
import { Rng } from '../src/util/rng.js';
import { binaryLogisticObjective, fitL1Binary, predictProbaBinary } from '../src/probe/index.js';
import { type JsonMatrix, loadGolden, maxAbsDiff, maxAbsOf, toMatrix } from './golden/probe/load.js';

interface Case {
  C: number;
  penalizeIntercept: boolean;
  solver: string;
  x: JsonMatrix | string;
  y: number[] | string;
  coef: number[];
  intercept: number;
  objective: number;
  zero: number[];
  clearPattern: boolean;
  xTest: JsonMatrix;
  probaTest: number[];
}

const golden = loadGolden<{ cases: Record<string, Case> }>('l1.json');

function data(c: Case): { x: JsonMatrix; y: number[] } {
  const src = typeof c.x === 'string' ? golden.cases[c.x]! : c;
  return { x: src.x as JsonMatrix, y: src.y as number[] };
}

const tight = { gradTol: 1e-10, funcTol: 0 };

describe('probe: binary logistic regression with L1 penalty', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    describe(`golden case "${name}" (scikit-learn ${c.solver}, C = ${c.C})`, () => {
      const { x, y } = data(c);

      it("reaches scikit-learn's objective (within 1e-9 relative, never worse by more) and coefficients", () => {
        const m = fitL1Binary(toMatrix(x), y, { C: c.C, penalizeIntercept: c.penalizeIntercept, ...tight });
        expect(m.report.converged).to.equal(true);
        expect((m.objective - c.objective) / c.objective).to.be.below(1e-9);
        const scale = Math.max(1, maxAbsOf(c.coef));
        expect(maxAbsDiff(m.coef, c.coef)).to.be.below(1e-5 * scale);
        expect(Math.abs(m.intercept - c.intercept)).to.be.below(1e-5 * scale);
        expect(maxAbsDiff(predictProbaBinary(m, toMatrix(c.xTest)), c.probaTest)).to.be.below(1e-5);
      });

      it('with default options: objective within 1e-4 relative', () => {
        const m = fitL1Binary(toMatrix(x), y, { C: c.C, penalizeIntercept: c.penalizeIntercept });
        expect(Math.abs(m.objective - c.objective) / c.objective).to.be.below(1e-4);
      });

      if (c.clearPattern) {
        it("has exactly scikit-learn's sparsity pattern (exact zeros)", () => {
          const m = fitL1Binary(toMatrix(x), y, { C: c.C, penalizeIntercept: c.penalizeIntercept });
          const zeros = [...m.coef].flatMap((v, j) => (v === 0 ? [j] : []));
          expect(zeros).to.deep.equal(c.zero);
        });
      }

      it("its objective is scikit-learn's, evaluated at scikit-learn's coefficients", () => {
        const X = toMatrix(x);
        const fg = binaryLogisticObjective(X, Uint8Array.from(y));
        const theta = Float64Array.from([...c.coef, c.intercept]);
        let l1 = c.penalizeIntercept ? Math.abs(c.intercept) : 0;
        for (const w of c.coef) l1 += Math.abs(w);
        const value = fg(theta, new Float64Array(theta.length)) * c.C * X.rows + l1;
        expect(Math.abs(value - c.objective) / c.objective).to.be.below(1e-12);
      });
    });
  }

  it('golden cases include clear sparsity patterns with both zero and nonzero coefficients', () => {
    const clear = Object.values(golden.cases).filter((c) => c.clearPattern && c.zero.length > 0 && c.zero.length < c.coef.length);
    expect(clear.length).to.be.at.least(2);
  });

  it('the intercept penalty matters on imbalanced data (liblinear vs free intercept)', () => {
    const c = golden.cases.imbalanced!;
    const { x, y } = data(c);
    const pen = fitL1Binary(toMatrix(x), y, { C: c.C, penalizeIntercept: true });
    const free = fitL1Binary(toMatrix(x), y, { C: c.C, penalizeIntercept: false });
    expect(free.intercept).to.be.below(pen.intercept - 0.5);
  });

  it('regression: converges in few iterations on non-negative, uncentred features (attention-like)', () => {
    // Before the centring preconditioner and the sign rule limited to coordinates at zero, OWL-QN took
    // 186 (liblinear-style) and 225 (free intercept) iterations here; now about 20.
    const rng = new Rng('probe-l1-nonneg');
    const n = 3000;
    const d = 60;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let z = -4;
      for (let j = 0; j < d; j++) {
        const v = -Math.log(1 - rng.next()) * 0.5;
        x[i * d + j] = v;
        if (j % 6 === 0) z += 0.8 * v;
      }
      y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    for (const penalizeIntercept of [true, false]) {
      const m = fitL1Binary({ data: x, rows: n, cols: d }, y, { C: 0.15, penalizeIntercept });
      expect(m.report.converged).to.equal(true);
      expect(m.report.iterations, `penalizeIntercept = ${penalizeIntercept}`).to.be.at.most(40);
    }
  });

  it('gradient matches central finite differences', () => {
    const rng = new Rng('probe-l1-grad');
    const n = 41;
    const d = 6;
    const X = { data: Float64Array.from({ length: n * d }, () => rng.normal()), rows: n, cols: d };
    const y = Uint8Array.from({ length: n }, () => rng.int(2));
    const fg = binaryLogisticObjective(X, y);
    const theta = Float64Array.from({ length: d + 1 }, () => rng.normal());
    const g = new Float64Array(d + 1);
    fg(theta, g);
    const s = new Float64Array(d + 1);
    for (let i = 0; i <= d; i++) {
      const t = theta.slice();
      t[i] = theta[i]! + 1e-6;
      const fp = fg(t, s);
      t[i] = theta[i]! - 1e-6;
      expect(g[i]).to.be.closeTo((fp - fg(t, s)) / 2e-6, 1e-8);
    }
  });

  it('reads Float32Array features in place and is deterministic', () => {
    const c = golden.cases.liblinear!;
    const { x, y } = data(c);
    const x32 = { data: Float32Array.from(x.data), rows: x.rows, cols: x.cols };
    const a = fitL1Binary(x32, y, { C: c.C });
    const b = fitL1Binary(x32, y, { C: c.C });
    expect(Buffer.from(a.coef.buffer).equals(Buffer.from(b.coef.buffer))).to.equal(true);
    expect(a.intercept).to.equal(b.intercept);
    // float32 rounding of the features moves the optimum only slightly
    expect(maxAbsDiff(a.coef, c.coef)).to.be.below(1e-3);
    expect(() =>
      fitL1Binary(
        x32,
        y.map((v) => v * 2),
        { C: 1 },
      ),
    ).to.throw(/0 or 1/);
    expect(() =>
      fitL1Binary(
        x32,
        y.map(() => 1),
        { C: 1 },
      ),
    ).to.throw(/both 0 and 1/);
  });
});
