import { expect } from 'chai';
import { mean, median, percentile, quantile, sum } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

describe('metrics: sum, mean, median, quantile', () => {
  it('by hand', () => {
    expect(sum([1, 2, 3.5])).to.equal(6.5);
    expect(mean([1, 2, 3, 4])).to.equal(2.5);
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5); // mean of the two middle values
    // numpy linear: (n-1)q = 8.1 between 9 and 10
    expectClose(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9.1, 'p90');
    expect(quantile([3, 1, 2], 0)).to.equal(1);
    expect(quantile([3, 1, 2], 1)).to.equal(3);
    expect(quantile([3, 1, 2], 0.5)).to.equal(2);
  });

  it('sorts numerically, not as strings', () => {
    expect(median([10, 9, 100])).to.equal(10);
  });

  it('keeps precision on long sums of mixed magnitude (compensated)', () => {
    const x = [1e16, 1, -1e16, 1];
    expect(sum(x)).to.equal(2);
  });

  for (const [name, s] of pairSets()) {
    it(`matches numpy (sum, mean, median, percentile) on ${name}`, () => {
      expectClose(sum(s.pred), s.expected.sum_pred, `${name} sum`);
      expectClose(mean(s.pred), s.expected.mean_pred, `${name} mean`);
      expectClose(median(s.pred), s.expected.median_pred, `${name} median`);
      for (const [p, v] of Object.entries(s.expected.percentile_pred)) {
        expectClose(percentile(s.pred, Number(p)), v, `${name} p${p}`);
      }
    });
  }
});
