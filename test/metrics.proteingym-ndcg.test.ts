import { expect } from 'chai';
import { proteingymNdcg } from '../src/metrics/index.js';
import { expectClose, num, pairSets } from './golden/metrics/golden.js';

// ProteinGym calc_ndcg: k = floor(n·10/100); gains = min-max scaled DMS scores; DCG over the model's
// top k with non-zero gain, over the IDCG of the ideal order.
describe('metrics: proteingymNdcg', () => {
  const L3 = Math.log2(3);

  it('scales the true scores min-max before using them as gains, by hand (n = 20, k = 2)', () => {
    // truth 10..29; the model puts truth 28 first and 29 second.
    // scaled gains: (18/19 + 1/log2 3) / (1 + (18/19)/log2 3); raw gains would give (28 + 29/log2 3)/(29 + 28/log2 3)
    const truth = Array.from({ length: 20 }, (_, i) => 10 + i);
    const model = truth.map((t) => (t === 28 ? 100 : t === 29 ? 99 : -t));
    const expected = (18 / 19 + 1 / L3) / (1 + 18 / 19 / L3);
    expectClose(proteingymNdcg(model, truth), expected, 'ndcg');
  });

  it('ranks by the model scores only, not scaled: an increasing transform of the model scores changes nothing', () => {
    const truth = Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const model = Array.from({ length: 30 }, (_, i) => Math.cos(i * 0.7));
    expectClose(
      proteingymNdcg(
        model.map((m) => 5 * m ** 3 + 1),
        truth,
      ),
      proteingymNdcg(model, truth),
      'monotone',
    );
  });

  it('uses k = floor(n/10): 0 for n < 10, so the result is 0', () => {
    // catches: k = ceil(n/10) or k >= 1
    expect(proteingymNdcg([3, 2, 1, 0, 4, 5, 6, 7, 8], [9, 8, 7, 6, 5, 4, 3, 2, 1])).to.equal(0);
    // n = 19: k = 1; the model's top item has truth 17 of 0..18, gain 17/18
    const truth = Array.from({ length: 19 }, (_, i) => i);
    const model = truth.map((t) => (t === 17 ? 1 : 0));
    expectClose(proteingymNdcg(model, truth), 17 / 18, 'k = 1');
  });

  it('returns 0 when every top-k item has the minimum true score (zero gain)', () => {
    const truth = [0, 5, 5, 5, 5, 5, 5, 5, 5, 9];
    const model = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(proteingymNdcg(model, truth)).to.equal(0);
  });

  it('breaks ties in model scores by index, lower first (numpy stable argsort), by hand', () => {
    // constant model, k = 1: item 0 (gain 0.5) is ranked first; higher-index-first would pick item 9 (gain 1)
    const truth = [5, 0, 0, 0, 0, 0, 0, 0, 0, 10];
    expectClose(proteingymNdcg(new Array(10).fill(1), truth), 0.5, 'ties');
  });

  it('is NaN for constant true scores when k >= 1 (ProteinGym divides 0 by 0)', () => {
    expect(
      proteingymNdcg(
        Array.from({ length: 10 }, (_, i) => i),
        new Array(10).fill(2),
      ),
    ).to.be.NaN;
  });

  for (const [name, s] of pairSets()) {
    it(`matches the ProteinGym transcription on ${name}`, () => {
      expectClose(proteingymNdcg(s.pred, s.true), num(s.expected.proteingym.ndcg), name);
    });
  }
});
