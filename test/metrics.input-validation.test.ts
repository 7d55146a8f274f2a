import { expect } from 'chai';
import * as m from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';

// Invalid input throws a RangeError naming the function and the problem (callers turn it into a user error).
describe('metrics: invalid input throws RangeError', () => {
  type Call = [string, (x: number[], y: number[]) => unknown];
  const pairs: Call[] = [
    ['spearman', (x, y) => m.spearman(x, y)],
    ['pearson', (x, y) => m.pearson(x, y)],
    ['aucRoc', (x, y) => m.aucRoc(x, y)],
    ['mcc', (x, y) => m.mcc(x, y)],
    ['accuracy', (x, y) => m.accuracy(x, y)],
    ['precisionAtK', (x, y) => m.precisionAtK(x, y, 1)],
    ['proteingymAuc', (x, y) => m.proteingymAuc(x, y)],
    ['proteingymMcc', (x, y) => m.proteingymMcc(x, y)],
    ['proteingymNdcg', (x, y) => m.proteingymNdcg(x, y)],
    ['proteingymTopRecall', (x, y) => m.proteingymTopRecall(x, y)],
    ['pairedBootstrapMeanDiff', (x, y) => m.pairedBootstrapMeanDiff(x, y, { rng: new Rng(1) })],
  ];

  for (const [name, f] of pairs) {
    it(`${name}: length mismatch, empty arrays, NaN`, () => {
      expect(() => f([1, 0, 1], [1, 0]), 'mismatch').to.throw(RangeError, new RegExp(`^${name}: .*same length.*got 3 and 2`));
      expect(() => f([], []), 'empty').to.throw(RangeError, new RegExp(`^${name}: .*must not be empty`));
      expect(() => f([1, NaN, 0], [1, 0, 1]), 'NaN first').to.throw(RangeError, new RegExp(`^${name}: .*\\[1\\]`));
      expect(() => f([1, 0, 1], [1, 0, NaN]), 'NaN second').to.throw(RangeError, new RegExp(`^${name}: .*\\[2\\]`));
    });
  }

  for (const [name, f] of [
    ['ranks', (x: number[]) => m.ranks(x)],
    ['sum', (x: number[]) => m.sum(x)],
    ['mean', (x: number[]) => m.mean(x)],
    ['median', (x: number[]) => m.median(x)],
    ['quantile', (x: number[]) => m.quantile(x, 0.5)],
    ['percentile', (x: number[]) => m.percentile(x, 50)],
  ] as const) {
    it(`${name}: empty arrays, NaN`, () => {
      expect(() => f([]), 'empty').to.throw(RangeError, new RegExp(`^${name}: x must not be empty`));
      expect(() => f([1, NaN]), 'NaN').to.throw(RangeError, new RegExp(`^${name}: x\\[1\\] must be a number`));
    });
  }

  it('labels that are not 0/1 are rejected where 0/1 is required', () => {
    expect(() => m.aucRoc([1, 2], [0, 2])).to.throw(RangeError, /labels01\[1\] must be 0 or 1, got 2/);
    expect(() => m.mcc([0, -1], [0, 1])).to.throw(RangeError, /predicted01\[1\] must be 0 or 1/);
    expect(() => m.proteingymMcc([0.3, 0.1], [1, 0.5])).to.throw(RangeError, /dmsScoreBin\[1\]/);
    expect(() => m.precisionAtK([0.3, 0.1], [true as unknown as number, 0], 1)).to.throw(RangeError, /labels01\[0\]/);
  });

  it('infinities: allowed where only order matters, rejected where values are combined', () => {
    expect(m.spearman([Infinity, 1, 2], [3, 1, 2])).to.be.closeTo(1, 1e-12);
    expect(m.aucRoc([-Infinity, Infinity], [0, 1])).to.equal(1);
    expect(() => m.pearson([Infinity, 1, 2], [3, 1, 2])).to.throw(RangeError, /finite/);
    expect(() => m.mean([1, Infinity])).to.throw(RangeError, /finite/);
    expect(() => m.proteingymNdcg([1, 2], [Infinity, 1])).to.throw(RangeError, /finite/);
  });

  it('bootstrap options are checked', () => {
    const rng = new Rng(1);
    expect(() => m.bootstrapCI([], m.mean, { rng })).to.throw(RangeError, /items must not be empty/);
    expect(() => m.bootstrapCI([1, 2], (s) => s.length, { rng, resamples: 0 })).to.throw(RangeError, /resamples/);
    expect(() => m.bootstrapCI([1, 2], (s) => s.length, { rng, alpha: 1 })).to.throw(RangeError, /alpha/);
  });
});
