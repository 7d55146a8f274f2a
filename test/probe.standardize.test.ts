import { expect } from 'chai';
import { applyStandardizer, fitStandardizer } from '../src/probe/index.js';
import { type JsonMatrix, loadGolden, maxAbsDiff, toMatrix } from './golden/probe/load.js';

interface Golden {
  x: JsonMatrix;
  mean: number[];
  scale: number[];
  constant: number[];
  apply: JsonMatrix & { expected: number[] };
}

describe('probe: standardisation', () => {
  const g = loadGolden<Golden>('standardize.json');

  it('matches scikit-learn StandardScaler (mean, population scale, constant column -> scale 1)', () => {
    const s = fitStandardizer(toMatrix(g.x));
    expect(maxAbsDiff(s.mean, g.mean)).to.be.below(1e-12);
    expect(maxAbsDiff(s.scale, g.scale)).to.be.below(1e-12);
    expect(s.constant).to.deep.equal(g.constant);
    const z = applyStandardizer(s, toMatrix(g.apply));
    expect(maxAbsDiff(z.data, g.apply.expected)).to.be.below(1e-12);
  });

  it('maps training rows to mean 0 and std 1, constant columns to 0', () => {
    const x = toMatrix(g.x);
    const z = applyStandardizer(fitStandardizer(x), x);
    for (let j = 0; j < z.cols; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < z.rows; i++) m += z.data[i * z.cols + j]!;
      m /= z.rows;
      for (let i = 0; i < z.rows; i++) v += (z.data[i * z.cols + j]! - m) ** 2;
      v /= z.rows;
      expect(Math.abs(m)).to.be.below(1e-12);
      expect(v).to.be.closeTo(g.constant.includes(j) ? 0 : 1, 1e-12);
    }
  });

  it('accepts Float32Array rows and rejects a column-count mismatch', () => {
    const x = toMatrix(g.x);
    const s32 = fitStandardizer({ data: Float32Array.from(x.data), rows: x.rows, cols: x.cols });
    expect(maxAbsDiff(s32.mean, g.mean)).to.be.below(1e-5);
    expect(() => applyStandardizer(s32, { data: new Float64Array(4), rows: 1, cols: 4 })).to.throw(RangeError, /5 columns, got 4/);
  });
});
