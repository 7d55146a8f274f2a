import { expect } from 'chai';
import { mcc } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

describe('metrics: mcc', () => {
  it('by hand: TP=2 FN=1 FP=1 TN=0 gives (2·0 - 1·1)/sqrt(3·3·1·1) = -1/3', () => {
    expectClose(mcc([1, 0, 1, 1], [1, 1, 1, 0]), -1 / 3, 'mcc');
  });

  it('by hand: TP=2 FN=1 FP=0 TN=2 gives 4/sqrt(2·3·2·3) = 2/3', () => {
    // catches: a miscounted confusion-matrix cell (TN and FN both non-zero here)
    expectClose(mcc([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]), 2 / 3, 'mcc');
  });

  it('is 1 for perfect and -1 for inverted predictions, and symmetric in its arguments', () => {
    expect(mcc([0, 1, 1, 0], [0, 1, 1, 0])).to.equal(1);
    expect(mcc([1, 0, 0, 1], [0, 1, 1, 0])).to.equal(-1);
    expectClose(mcc([1, 0, 1, 1, 0], [1, 1, 0, 1, 0]), mcc([1, 1, 0, 1, 0], [1, 0, 1, 1, 0]), 'symmetric');
  });

  it('is 0 when either side is constant (sklearn returns 0, not NaN)', () => {
    expect(mcc([1, 1, 1, 1], [0, 1, 0, 1])).to.equal(0);
    expect(mcc([0, 1, 0, 1], [0, 0, 0, 0])).to.equal(0);
    expect(mcc([1], [1])).to.equal(0);
  });

  for (const [name, s] of pairSets()) {
    it(`matches sklearn.metrics.matthews_corrcoef on ${name}`, () => {
      expectClose(mcc(s.predicted01, s.bin), s.expected.mcc, name);
    });
  }
});
