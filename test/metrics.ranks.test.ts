import { expect } from 'chai';
import { ranks } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

// Average ranks for ties, 1-based, like scipy.stats.rankdata(x, method='average').
describe('metrics: ranks', () => {
  it('gives tied values their average rank (by hand)', () => {
    // catches: ordinal/min ranks for ties, 0-based ranks
    expect(ranks([10, 20, 20, 5])).to.deep.equal([2, 3.5, 3.5, 1]);
    expect(ranks([7, 7, 7])).to.deep.equal([2, 2, 2]);
    expect(ranks([3])).to.deep.equal([1]);
  });

  it('ranks infinities and negative zero like any value', () => {
    expect(ranks([Infinity, -Infinity, 0, -0])).to.deep.equal([4, 1, 2.5, 2.5]);
  });

  it('accepts a Float64Array and leaves its input untouched', () => {
    const x = Float64Array.from([3, 1, 2]);
    expect(ranks(x)).to.deep.equal([3, 1, 2]);
    expect(Array.from(x)).to.deep.equal([3, 1, 2]);
  });

  for (const [name, s] of pairSets()) {
    it(`matches scipy.stats.rankdata on ${name}`, () => {
      // catches: wrong tie grouping on tie-heavy sets, sorting as strings
      const rt = ranks(s.true);
      const rp = ranks(s.pred);
      s.expected.ranks_true.forEach((v, i) => {
        expectClose(rt[i]!, v, `${name} true[${i}]`);
      });
      s.expected.ranks_pred.forEach((v, i) => {
        expectClose(rp[i]!, v, `${name} pred[${i}]`);
      });
    });
  }
});
