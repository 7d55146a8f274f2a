import { expect } from 'chai';
import { aucRoc } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

describe('metrics: aucRoc', () => {
  it("by hand: sklearn's doc example gives 0.75", () => {
    expectClose(aucRoc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75, 'auc');
  });

  it('counts a tied positive/negative pair as one half, by hand: 2.5/4', () => {
    // positives score {1, 3}, negatives {1, 2}: pairs 0.5 + 0 + 1 + 1
    // catches: ordinal ranks (0.5 or 0.75 depending on order), ignoring ties
    expectClose(aucRoc([1, 1, 2, 3], [0, 1, 0, 1]), 0.625, 'auc with tie');
    expectClose(aucRoc([1, 1, 2, 3], [1, 0, 0, 1]), 0.625, 'same, tie in the other order');
  });

  it('is 1 for a perfect ranking and 0 for a reversed one (higher score = positive)', () => {
    expect(aucRoc([1, 2, 3, 4], [0, 0, 1, 1])).to.equal(1);
    expect(aucRoc([4, 3, 2, 1], [0, 0, 1, 1])).to.equal(0);
  });

  it('throws a RangeError when only one class is present (sklearn raises)', () => {
    expect(() => aucRoc([1, 2, 3], [1, 1, 1])).to.throw(RangeError, /both 0 and 1/);
    expect(() => aucRoc([1, 2, 3], [0, 0, 0])).to.throw(RangeError, /both 0 and 1/);
  });

  for (const [name, s] of pairSets()) {
    it(`matches sklearn.metrics.roc_auc_score on ${name}`, () => {
      if (s.expected.auc === null) {
        expect(() => aucRoc(s.pred, s.bin)).to.throw(RangeError);
      } else {
        expectClose(aucRoc(s.pred, s.bin), s.expected.auc, name);
      }
    });
  }
});
