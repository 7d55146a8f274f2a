import { expect } from 'chai';
import { proteingymTopRecall } from '../src/metrics/index.js';
import { expectClose, golden, pairSets } from './golden/metrics/golden.js';

// ProteinGym calc_toprecall at bb685245 (the commit the project cites): top = values >= np.percentile(values, 90),
// on both sides; recall = |top true ∩ top model| / |top true|, 0 when top true is empty. (`>` until f5e47f1,
// merged into main on 2024-08-08.)
describe('metrics: proteingymTopRecall', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('takes the items at or above the interpolated 90th percentile, by hand', () => {
    // percentile 90 of 1..10 is 9.1: top true = {10}
    expect(proteingymTopRecall(oneToTen, oneToTen)).to.equal(1);
    expect(proteingymTopRecall([...oneToTen].reverse(), oneToTen)).to.equal(0);
    // 30 items: percentile 90 of 0..29 is 26.1, top = {27, 28, 29}; the model finds 2 of them
    const truth = Array.from({ length: 30 }, (_, i) => i);
    const model = truth.map((t) => (t === 27 ? -1 : t));
    expectClose(proteingymTopRecall(model, truth), 2 / 3, 'two of three');
  });

  it('includes values equal to the percentile (>=) on the true side', () => {
    // percentile 90 of [0 x8, 5, 5] is 5: both 5s are in (strict '>' would leave the top set empty, recall 0)
    expect(proteingymTopRecall([0, 0, 0, 0, 0, 0, 0, 0, 5, 5], [0, 0, 0, 0, 0, 0, 0, 0, 5, 5])).to.equal(1);
    // 21 items 0..20: percentile 90 is exactly 18, so the top set is {18, 19, 20}; the model finds 18 only
    const truth = Array.from({ length: 21 }, (_, i) => i);
    const model = truth.map((t) => (t === 18 ? 100 : -t));
    expectClose(proteingymTopRecall(model, truth), 1 / 3, '18 is in the top set');
  });

  it('includes values equal to the percentile (>=) on the model side', () => {
    // truth top = {item 9}; model percentile is 5 and items 8 and 9 reach it ('>' would give 0)
    expect(proteingymTopRecall([0, 0, 0, 0, 0, 0, 0, 0, 5, 5], oneToTen)).to.equal(1);
  });

  it('constant true scores: every item is in the top set, recall = the model top set share', () => {
    // the model's top set is {10} (percentile 9.1): 1 of the 10 items
    expect(proteingymTopRecall(oneToTen, new Array(10).fill(3))).to.equal(0.1);
  });

  it("was made from ProteinGym's own calc_toprecall at bb685245 (loaded by the golden script, not copied)", () => {
    const pg = golden.proteingym;
    expect(pg['bb685245f8f4bb95a5b54b470396c23826cd6284']!.blob).to.equal('8c9ed7179e0100c66ede067b5abd9691568cc20e');
  });

  for (const [name, s] of pairSets()) {
    it(`matches ProteinGym's calc_toprecall on ${name}`, () => {
      expectClose(proteingymTopRecall(s.pred, s.true), s.expected.proteingym.top_recall, name);
    });
  }

  it('differs from the strict ">" of a6fc27f exactly on the sets with ties at a threshold', () => {
    const differ = pairSets()
      .filter(([, s]) => s.expected.proteingym.top_recall !== s.expected.proteingym.top_recall_a6fc27f)
      .map(([n]) => n);
    expect(differ).to.deep.equal([
      'small_ints_n40',
      'one_decimal_n200',
      'exact_percentile_n21',
      'tied_top_n30',
      'constant_pred_n30',
      'constant_true_n30',
    ]);
  });
});
