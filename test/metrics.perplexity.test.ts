import { expect } from 'chai';
import { perplexityFromNll } from '../src/metrics/index.js';
import { expectClose, golden } from './golden/metrics/golden.js';

describe('metrics: perplexityFromNll', () => {
  it('is exp(sumNll / count), by hand', () => {
    expect(perplexityFromNll(0, 10)).to.equal(1);
    expectClose(perplexityFromNll(10 * Math.log(20), 10), 20, 'uniform over 20 amino acids');
  });

  it('matches numpy exp(sum/count)', () => {
    for (const g of golden.perplexity) {
      expectClose(perplexityFromNll(g.sum_nll, g.count), g.perplexity, `${g.sum_nll}/${g.count}`, 1e-9 * g.perplexity);
    }
  });

  it('rejects a non-positive or fractional count and a non-finite sum', () => {
    expect(() => perplexityFromNll(1, 0)).to.throw(RangeError, /count/);
    expect(() => perplexityFromNll(1, 2.5)).to.throw(RangeError, /count/);
    expect(() => perplexityFromNll(NaN, 3)).to.throw(RangeError, /sumNll/);
  });
});
