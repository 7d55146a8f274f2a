import { expect } from 'chai';
import { BenchError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { encodeLabels } from '../src/probe/matrix.js';
import {
  accuracy,
  applyStandardizer,
  fitStandardizer,
  fitMultinomial,
  type Matrix64,
  multinomialObjective,
  predict,
  predictProba,
  predictTopK,
} from '../src/probe/index.js';
import { type JsonMatrix, loadGolden, maxAbsDiff, maxAbsOf, toMatrix } from './golden/probe/load.js';

interface Case {
  C: number;
  standardize: boolean;
  classes: number[];
  xTrain: JsonMatrix;
  yTrain: number[];
  xTest: JsonMatrix;
  coef: number[];
  intercept: number[];
  objective: number;
  refined: { coef: number[]; intercept: number[]; objective: number; maxGrad: number };
  probaTest: number[];
  predTest: number[];
  marginTest: number[];
}

const golden = loadGolden<{ cases: Record<string, Case> }>('multinomial.json');
const tight = { gradTol: 1e-10, funcTol: 0 };

/** Gaussian rows; label-dependent signal of the given strength in the first classes columns. */
function synthetic(rng: Rng, n: number, d: number, K: number, signal: number): { x: Matrix64; y: Int32Array } {
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(K);
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j === y[i]! % d ? signal : 0);
  }
  return { x: { data: x, rows: n, cols: d }, y };
}

describe('probe: multinomial logistic regression', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    describe(`golden case "${name}" (scikit-learn lbfgs, C = ${c.C}${c.standardize ? ', standardized' : ''})`, () => {
      const fit = () => fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C, standardize: c.standardize, ...tight });

      it('finds the optimum: coefficients within 1e-6 (x coefficient scale) of the Newton-polished optimum', () => {
        const m = fit();
        expect(Array.from(m.classes)).to.deep.equal(c.classes);
        const scale = Math.max(1, maxAbsOf(c.refined.coef));
        expect(maxAbsDiff(m.coef, c.refined.coef)).to.be.below(1e-6 * scale);
        expect(maxAbsDiff(m.intercept, c.refined.intercept)).to.be.below(1e-6 * scale);
        expect(Math.abs(m.objective - c.refined.objective) / c.refined.objective).to.be.below(1e-12);
        // at least as good as scikit-learn's own (ftol-limited) solution
        expect(m.objective).to.be.at.most(c.objective * (1 + 1e-13));
      });

      it('agrees with scikit-learn: coefficients within 1e-3 relative, probabilities within 1e-3, same labels', () => {
        for (const opts of [tight, {}]) {
          const m = fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C, standardize: c.standardize, ...opts });
          const scale = Math.max(1, maxAbsOf(c.coef));
          expect(maxAbsDiff(m.coef, c.coef)).to.be.below(1e-3 * scale);
          expect(maxAbsDiff(m.intercept, c.intercept)).to.be.below(1e-3 * scale);
          const p = predictProba(m, toMatrix(c.xTest));
          expect(maxAbsDiff(p.data, c.probaTest)).to.be.below(1e-3);
          const pred = predict(m, toMatrix(c.xTest));
          const mismatches = c.predTest.filter((v, i) => c.marginTest[i]! > 1e-6 && pred[i] !== v).length;
          expect(mismatches).to.equal(0);
        }
      });

      it("its objective is scikit-learn's: C * sum log-loss + 0.5 ||W||^2 evaluated at scikit-learn's coefficients", () => {
        const x = toMatrix(c.xTrain);
        // the golden objective was computed on scikit-learn's standardized rows when the case standardizes
        const xs = c.standardize ? applyStandardizer(fitStandardizer(x), x) : x;
        const { index } = encodeLabels(Int32Array.from(c.yTrain));
        const K = c.classes.length;
        const fg = multinomialObjective(xs, index, K, c.C);
        const theta = Float64Array.from([...c.coef, ...c.intercept]);
        const value = fg(theta, new Float64Array(theta.length)) * c.C * x.rows;
        expect(Math.abs(value - c.objective) / c.objective).to.be.below(1e-12);
      });
    });
  }

  it('gradient matches central finite differences', () => {
    const rng = new Rng('probe-grad');
    const { x, y } = synthetic(rng, 37, 5, 4, 1);
    const fg = multinomialObjective(x, y, 4, 0.3);
    const theta = Float64Array.from({ length: 4 * 5 + 4 }, () => 0.5 * rng.normal());
    const g = new Float64Array(theta.length);
    fg(theta, g);
    const scratch = new Float64Array(theta.length);
    for (let i = 0; i < theta.length; i++) {
      const t = theta.slice();
      t[i] = theta[i]! + 1e-6;
      const fp = fg(t, scratch);
      t[i] = theta[i]! - 1e-6;
      const fm = fg(t, scratch);
      expect(g[i]).to.be.closeTo((fp - fm) / 2e-6, 1e-8);
    }
  });

  it('the wide and narrow layouts compute the same objective and gradient (ragged sizes)', () => {
    const rng = new Rng('probe-layouts');
    for (const K of [2, 3, 5, 17, 40]) {
      const n = 133;
      const d = 7;
      const { x, y } = synthetic(rng, n, d, K, 1);
      const theta = Float64Array.from({ length: K * d + K }, () => 0.5 * rng.normal());
      const gw = new Float64Array(theta.length);
      const gn = new Float64Array(theta.length);
      const fw = multinomialObjective(x, y, K, 0.2, 'wide')(theta, gw);
      const fn = multinomialObjective(x, y, K, 0.2, 'narrow')(theta, gn);
      expect(Math.abs(fw - fn) / fw, `K = ${K}`).to.be.below(1e-14);
      expect(maxAbsDiff(gw, gn), `K = ${K}`).to.be.below(1e-15);
      // and the wide layout's gradient is right (the narrow one is checked by finite differences above)
      const s = new Float64Array(theta.length);
      for (const i of [0, K * d - 1, K * d, theta.length - 1]) {
        const t = theta.slice();
        t[i] = theta[i]! + 1e-6;
        const fp = multinomialObjective(x, y, K, 0.2, 'wide')(t, s);
        t[i] = theta[i]! - 1e-6;
        const fm = multinomialObjective(x, y, K, 0.2, 'wide')(t, s);
        expect(gw[i]).to.be.closeTo((fp - fm) / 2e-6, 1e-8);
      }
    }
  });

  it('embeddings that encode the label (separable) give test accuracy 1.0', () => {
    const rng = new Rng('probe-separable');
    const train = synthetic(rng, 240, 16, 12, 8);
    const test = synthetic(rng, 240, 16, 12, 8);
    const m = fitMultinomial(train.x, train.y, { C: 1 });
    expect(accuracy(m, test.x, test.y)).to.equal(1);
  });

  it('random features give test accuracy near chance (within 4 sd of 1/K)', () => {
    const rng = new Rng('probe-random');
    const K = 10;
    const train = synthetic(rng, 1500, 20, K, 0);
    const test = synthetic(rng, 2000, 20, K, 0);
    const m = fitMultinomial(train.x, train.y, { C: 1 });
    const acc = accuracy(m, test.x, test.y);
    const sd = Math.sqrt((0.1 * 0.9) / 2000);
    expect(acc).to.be.within(0.1 - 4 * sd, 0.1 + 4 * sd);
    expect(accuracy(m, train.x, train.y)).to.be.above(0.15); // it did fit the training noise
  });

  it('is deterministic: the same input gives identical bytes of coefficients', () => {
    const c = golden.cases.scaled!;
    const a = fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C, standardize: true });
    const b = fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C, standardize: true });
    expect(Buffer.from(a.coef.buffer).equals(Buffer.from(b.coef.buffer))).to.equal(true);
    expect(Buffer.from(a.intercept.buffer).equals(Buffer.from(b.intercept.buffer))).to.equal(true);
    const other = fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C * 1.01, standardize: true });
    expect(Buffer.from(a.coef.buffer).equals(Buffer.from(other.coef.buffer))).to.equal(false);
  });

  it('top-k: sorted by probability, first column is predict(), labels are the original ones', () => {
    const c = golden.cases.scaled!;
    const m = fitMultinomial(toMatrix(c.xTrain), c.yTrain, { C: c.C, standardize: true });
    const xt = toMatrix(c.xTest);
    const top = predictTopK(m, xt, 3);
    const pred = predict(m, xt);
    const p = predictProba(m, xt);
    const col = new Map(c.classes.map((label, k) => [label, k]));
    for (let i = 0; i < xt.rows; i++) {
      expect(top[i * 3]).to.equal(pred[i]);
      const probs = [0, 1, 2].map((t) => p.data[i * 5 + col.get(top[i * 3 + t]!)!]!);
      expect(probs[0]).to.be.at.least(probs[1]!);
      expect(probs[1]).to.be.at.least(probs[2]!);
      // nothing outside the top 3 beats the third
      const outside = c.classes.filter((l) => ![0, 1, 2].some((t) => top[i * 3 + t] === l));
      for (const l of outside) expect(p.data[i * 5 + col.get(l)!]).to.be.at.most(probs[2]!);
    }
    expect(predictTopK(m, xt, 50).length).to.equal(xt.rows * 5); // k capped at the number of classes
    let sum = 0;
    for (let k = 0; k < 5; k++) sum += p.data[k]!;
    expect(sum).to.be.closeTo(1, 1e-14);
  });

  it('ties go to the smaller label', () => {
    const m = fitMultinomial({ data: Float64Array.from([1, -1, 1, -1]), rows: 4, cols: 1 }, [3, 3, 8, 8], { C: 1 });
    // the feature carries no information about the label and the classes are balanced: all logits tie
    expect(Array.from(predictTopK(m, { data: Float64Array.from([0.5]), rows: 1, cols: 1 }, 2))).to.deep.equal([3, 8]);
  });

  it('reports unusable data as BenchError E_DATA and shape bugs as RangeError', () => {
    const x = { data: new Float64Array(6), rows: 3, cols: 2 };
    expect(() => fitMultinomial(x, [1, 1, 1], { C: 1 })).to.throw(BenchError, /at least 2 classes, got 1/);
    expect(() => fitMultinomial({ ...x, data: Float64Array.from([0, 1, NaN, 0, 0, 0]) }, [0, 1, 1], { C: 1 })).to.throw(
      BenchError,
      /row 1, column 0/,
    );
    expect(() => fitMultinomial(x, [0, 1], { C: 1 })).to.throw(RangeError, /2 labels for 3 rows/);
    expect(() => fitMultinomial(x, [0, 1, 1], { C: 0 })).to.throw(RangeError, /C must be/);
    const m = fitMultinomial({ ...x, data: Float64Array.from([0, 1, 1, 0, 2, 2]) }, [0, 1, 1], { C: 1 });
    expect(() => predict(m, { data: Float64Array.from([0, Infinity]), rows: 1, cols: 2 })).to.throw(BenchError, /finite/);
  });
});
