import { expect } from 'chai';
import { precisionAtK } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

describe('metrics: precisionAtK', () => {
  it('is the fraction of positives among the k highest scores, by hand', () => {
    const scores = [0.9, 0.1, 0.8, 0.3, 0.7];
    const labels = [1, 1, 0, 0, 1];
    expect(precisionAtK(scores, labels, 1)).to.equal(1); // {0}
    expect(precisionAtK(scores, labels, 2)).to.equal(0.5); // {0, 2}
    expectClose(precisionAtK(scores, labels, 3), 2 / 3, 'k=3'); // {0, 2, 4}
    expect(precisionAtK(scores, labels, 5)).to.equal(0.6);
  });

  it('breaks ties by index, lower index first', () => {
    // three items tied at 0.5 straddle k = 2: items 0 and 1 are taken, not 2
    expect(precisionAtK([0.5, 0.5, 0.5, 0.1], [1, 0, 1, 1], 2)).to.equal(0.5);
    expect(precisionAtK([0.5, 0.5, 0.5, 0.1], [0, 1, 1, 1], 1)).to.equal(0);
  });

  it('rejects k outside [1, n]', () => {
    expect(() => precisionAtK([1, 2], [0, 1], 0)).to.throw(RangeError, /k must be an integer in \[1, 2\]/);
    expect(() => precisionAtK([1, 2], [0, 1], 3)).to.throw(RangeError);
    expect(() => precisionAtK([1, 2], [0, 1], 1.5)).to.throw(RangeError);
  });

  for (const [name, s] of pairSets()) {
    it(`matches the numpy reference (stable argsort of -scores) on ${name}`, () => {
      for (const [k, v] of Object.entries(s.expected.precision_at_k)) {
        expectClose(precisionAtK(s.pred, s.bin, Number(k)), v, `${name} k=${k}`);
      }
    });
  }
});
