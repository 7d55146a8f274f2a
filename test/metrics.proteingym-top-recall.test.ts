import { expect } from 'chai';
import { proteingymTopRecall } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

// ProteinGym calc_toprecall: top = values strictly above np.percentile(values, 90), on both sides;
// recall = |top true ∩ top model| / |top true|, 0 when top true is empty.
describe('metrics: proteingymTopRecall', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('takes the items above the interpolated 90th percentile, by hand', () => {
    // percentile 90 of 1..10 is 9.1: top true = {10}
    expect(proteingymTopRecall(oneToTen, oneToTen)).to.equal(1);
    expect(proteingymTopRecall([...oneToTen].reverse(), oneToTen)).to.equal(0);
    // 30 items: percentile 90 of 0..29 is 26.1, top = {27, 28, 29}; the model finds 2 of them
    const truth = Array.from({ length: 30 }, (_, i) => i);
    const model = truth.map((t) => (t === 27 ? -1 : t));
    expectClose(proteingymTopRecall(model, truth), 2 / 3, 'two of three');
  });

  it('excludes values equal to the percentile (strict >) on the true side', () => {
    // percentile 90 of [0 x8, 5, 5] is 5: nothing is strictly above, recall 0 ('>=' would give 1)
    expect(proteingymTopRecall([0, 0, 0, 0, 0, 0, 0, 0, 5, 5], [0, 0, 0, 0, 0, 0, 0, 0, 5, 5])).to.equal(0);
  });

  it('excludes values equal to the percentile (strict >) on the model side', () => {
    // truth top = {item 9}; model percentile is 5 and nothing is above it ('>=' would give 1)
    expect(proteingymTopRecall([0, 0, 0, 0, 0, 0, 0, 0, 5, 5], oneToTen)).to.equal(0);
  });

  it('is 0, not NaN, for constant true scores', () => {
    expect(proteingymTopRecall(oneToTen, new Array(10).fill(3))).to.equal(0);
  });

  for (const [name, s] of pairSets()) {
    it(`matches the ProteinGym transcription on ${name}`, () => {
      expectClose(proteingymTopRecall(s.pred, s.true), s.expected.proteingym.top_recall, name);
    });
  }
});
