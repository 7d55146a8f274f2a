import { expect } from 'chai';
import { pearson } from '../src/metrics/index.js';
import { expectClose, num, pairSets } from './golden/metrics/golden.js';

describe('metrics: pearson', () => {
  it('by hand: x=[1,2,3], y=[2,4,7] gives 5/sqrt(2·114/9) = 15/sqrt(228)', () => {
    // catches: missing centring, population vs sample normalisation mismatch between numerator and denominator
    expectClose(pearson([1, 2, 3], [2, 4, 7]), 15 / Math.sqrt(228), 'r');
  });

  it('is 1 / -1 for exact affine relations and stays within [-1, 1]', () => {
    const x = [0.1, 0.7, 0.2, 0.9, 0.33];
    expectClose(
      pearson(
        x,
        x.map((v) => 3 * v + 2),
      ),
      1,
      'positive',
    );
    expectClose(
      pearson(
        x,
        x.map((v) => -0.5 * v + 1),
      ),
      -1,
      'negative',
    );
    const big = x.map((v) => 1e8 + v);
    const r = pearson(big, big);
    expect(r).to.be.at.most(1);
    expectClose(r, 1, 'offset');
  });

  it('returns NaN when either side is constant, including n = 1', () => {
    expect(pearson([2, 2, 2], [1, 2, 3])).to.be.NaN;
    expect(pearson([1], [1])).to.be.NaN;
  });

  for (const [name, s] of pairSets()) {
    it(`matches scipy.stats.pearsonr on ${name}`, () => {
      expectClose(pearson(s.pred, s.true), num(s.expected.pearson), name);
    });
  }
});
