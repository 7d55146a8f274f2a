import { expect } from 'chai';
import { BenchError } from '../src/util/errors.js';
import { fitRidge, predictRidge } from '../src/probe/index.js';
import { type JsonMatrix, loadGolden, maxAbsDiff, toMatrix } from './golden/probe/load.js';

interface Golden {
  x: JsonMatrix;
  y: JsonMatrix;
  xTest: JsonMatrix;
  withIntercept: { alpha: number; coef: number[]; intercept: number[]; predTest: number[] };
  noIntercept: { alpha: number; coef: number[]; predTest: number[] };
}

const g = loadGolden<Golden>('ridge.json');

describe('probe: ridge regression', () => {
  it('matches scikit-learn Ridge with an intercept, two targets', () => {
    const m = fitRidge(toMatrix(g.x), toMatrix(g.y), { alpha: g.withIntercept.alpha });
    expect(maxAbsDiff(m.coef, g.withIntercept.coef)).to.be.below(1e-10);
    expect(maxAbsDiff(m.intercept, g.withIntercept.intercept)).to.be.below(1e-10);
    expect(maxAbsDiff(predictRidge(m, toMatrix(g.xTest)).data, g.withIntercept.predTest)).to.be.below(1e-10);
  });

  it('matches scikit-learn Ridge without intercept, one target given as an array', () => {
    const y0 = Array.from({ length: g.x.rows }, (_, i) => g.y.data[i * 2]!);
    const m = fitRidge(toMatrix(g.x), y0, { alpha: g.noIntercept.alpha, fitIntercept: false });
    expect(maxAbsDiff(m.coef, g.noIntercept.coef)).to.be.below(1e-10);
    expect(Array.from(m.intercept)).to.deep.equal([0]);
    expect(maxAbsDiff(predictRidge(m, toMatrix(g.xTest)).data, g.noIntercept.predTest)).to.be.below(1e-10);
  });

  it('rejects collinear features without a penalty as E_DATA', () => {
    const x = { data: Float64Array.from([1, 2, 2, 4, 3, 6]), rows: 3, cols: 2 };
    expect(() => fitRidge(x, [1, 2, 3], { alpha: 0 })).to.throw(BenchError, /not positive definite/);
    expect(() => fitRidge(x, [1, 2, 3], { alpha: 0.1 })).to.not.throw();
  });
});
