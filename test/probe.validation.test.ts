import { expect } from 'chai';
import { Rng } from '../src/util/rng.js';
import { accuracy, DEFAULT_C_GRID, fitMultinomial, fitWithValidation, logLoss, type Matrix64, predictProba } from '../src/probe/index.js';
import { type JsonMatrix, loadGolden, maxAbsDiff, toMatrix } from './golden/probe/load.js';

interface Golden {
  xTrain: JsonMatrix;
  yTrain: number[];
  xVal: JsonMatrix;
  yVal: number[];
  Cs: number[];
  valAccuracy: number[];
  minMargin: number[];
  bestC: number;
}

const g = loadGolden<Golden>('validation.json');

function blobs(rng: Rng, n: number, d: number, K: number, signal: number): { x: Matrix64; y: Int32Array } {
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(K);
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j === y[i] ? signal : 0);
  }
  return { x: { data: x, rows: n, cols: d }, y };
}

describe('probe: penalty choice on a validation split', () => {
  it('scores every C as scikit-learn does and picks the same C', () => {
    expect(Math.min(...g.minMargin)).to.be.above(1e-5); // no near-ties in the golden validation predictions
    const r = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, { Cs: g.Cs, gradTol: 1e-9 });
    expect(r.scores.map((s) => s.C)).to.deep.equal(g.Cs);
    expect(r.scores.map((s) => s.valAccuracy)).to.deep.equal(g.valAccuracy);
    expect(r.C).to.equal(g.bestC);
    expect(r.model.C).to.equal(g.bestC);
  });

  it('returns the fit on the training rows at the chosen C (warm start changes nothing beyond tolerance)', () => {
    const r = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, { Cs: g.Cs, gradTol: 1e-9, funcTol: 0 });
    const cold = fitMultinomial(toMatrix(g.xTrain), g.yTrain, { C: g.bestC, gradTol: 1e-9, funcTol: 0 });
    expect(maxAbsDiff(r.model.coef, cold.coef)).to.be.below(1e-6);
    expect(accuracy(r.model, toMatrix(g.xVal), g.yVal)).to.equal(g.valAccuracy[g.Cs.indexOf(g.bestC)]);
  });

  it('breaks ties towards the stronger penalty (smaller C)', () => {
    const rng = new Rng('probe-val-ties');
    const train = blobs(rng, 200, 6, 6, 10);
    const val = blobs(rng, 100, 6, 6, 10);
    const r = fitWithValidation(train.x, train.y, val.x, val.y, { Cs: [0.1, 1, 10] });
    expect(r.scores.map((s) => s.valAccuracy)).to.deep.equal([1, 1, 1]);
    expect(r.C).to.equal(0.1);
  });

  it("tieBreak 'log-loss' separates saturated accuracies by validation log-loss", () => {
    const rng = new Rng('probe-val-ties');
    const train = blobs(rng, 200, 6, 6, 10);
    const val = blobs(rng, 100, 6, 6, 10);
    const r = fitWithValidation(train.x, train.y, val.x, val.y, { Cs: [0.1, 1, 10], tieBreak: 'log-loss' });
    const losses = r.scores.map((s) => s.valLogLoss);
    expect(losses[0]).to.be.above(losses[2]!); // weaker penalty: more confident, lower loss on separable data
    expect(r.C).to.equal(r.scores[losses.indexOf(Math.min(...losses))]!.C);
    expect(r.C).to.not.equal(0.1);
  });

  it('validation log-loss is the mean -log p of the true label, clipped at 1e-15', () => {
    const r = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, { Cs: [g.bestC], gradTol: 1e-9 });
    const p = predictProba(r.model, toMatrix(g.xVal));
    let s = 0;
    for (let i = 0; i < g.xVal.rows; i++) s -= Math.log(p.data[i * 5 + g.yVal[i]!]!);
    expect(r.scores[0]!.valLogLoss).to.be.closeTo(s / g.xVal.rows, 1e-12);
    // a label the model never saw costs -log(1e-15)
    expect(logLoss(r.model, { data: new Float64Array(10), rows: 1, cols: 10 }, [99])).to.be.closeTo(-Math.log(1e-15), 1e-9);
  });

  it('patience stops the scan after that many C values without improvement', () => {
    const r = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, { Cs: g.Cs, patience: 2 });
    // best at 1e-2 (third); 1e-1 and 1 do not beat it -> stop before 10
    expect(r.scores.map((s) => s.C)).to.deep.equal(g.Cs.slice(0, 5));
    expect(r.C).to.equal(g.bestC);
  });

  it('refitOnTrainVal refits at the chosen C on train + validation rows', () => {
    const base = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, { Cs: g.Cs });
    const r = fitWithValidation(toMatrix(g.xTrain), g.yTrain, toMatrix(g.xVal), g.yVal, {
      Cs: g.Cs,
      refitOnTrainVal: true,
      gradTol: 1e-9,
      funcTol: 0,
    });
    expect(r.C).to.equal(base.C);
    const all = { data: Float64Array.from([...g.xTrain.data, ...g.xVal.data]), rows: 400, cols: g.xTrain.cols };
    const direct = fitMultinomial(all, [...g.yTrain, ...g.yVal], { C: base.C, gradTol: 1e-9, funcTol: 0 });
    expect(maxAbsDiff(r.model.coef, direct.coef)).to.be.below(1e-6);
    expect(maxAbsDiff(r.model.coef, base.model.coef)).to.be.above(1e-3); // it did change
  });

  it('documents its default grid and validates the options', () => {
    expect(DEFAULT_C_GRID).to.deep.equal([1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100]);
    const x = toMatrix(g.xTrain);
    const v = toMatrix(g.xVal);
    expect(() => fitWithValidation(x, g.yTrain, v, g.yVal, { Cs: [1, 0.1] })).to.throw(RangeError, /ascending/);
    expect(() => fitWithValidation(x, g.yTrain, v, g.yVal, { Cs: [] })).to.throw(RangeError, /empty/);
  });
});
