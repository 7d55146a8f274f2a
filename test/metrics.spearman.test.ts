import { expect } from 'chai';
import { spearman } from '../src/metrics/index.js';
import { expectClose, num, pairSets } from './golden/metrics/golden.js';

describe('metrics: spearman', () => {
  it('4 elements by hand: 1 - 6·Σd²/(n(n²-1)) = 1 - 12/60 = 0.8', () => {
    expectClose(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 'rho');
    expectClose(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, 'reversed');
  });

  it('ties by average rank, by hand: ranks [1,2.5,2.5,4] vs [1,2,3,4] give 4.5/sqrt(4.5·5) = sqrt(0.9)', () => {
    // catches: ordinal tie handling (which would give 1), or the d² shortcut (invalid with ties: 0.95)
    expectClose(spearman([1, 2, 2, 3], [10, 20, 30, 40]), Math.sqrt(0.9), 'rho with ties');
  });

  it('is rank-based: a monotone transform of one side does not change it', () => {
    const x = [0.3, -1.2, 2.5, 0.9, 1.7, -0.4];
    const y = [1, 5, 2, 8, 3, 4];
    expectClose(
      spearman(
        x.map((v) => Math.exp(3 * v)),
        y,
      ),
      spearman(x, y),
      'exp transform',
    );
  });

  it('returns NaN when either side is constant (scipy ConstantInputWarning), including n = 1', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).to.be.NaN;
    expect(spearman([1, 2, 3], [4, 4, 4])).to.be.NaN;
    expect(spearman([5], [6])).to.be.NaN;
  });

  for (const [name, s] of pairSets()) {
    it(`matches scipy.stats.spearmanr on ${name}`, () => {
      expectClose(spearman(s.pred, s.true), num(s.expected.spearman), name);
      expectClose(spearman(s.true, s.pred), num(s.expected.spearman), `${name} (swapped)`);
    });
  }
});
