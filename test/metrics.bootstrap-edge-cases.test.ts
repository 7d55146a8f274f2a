import { expect } from 'chai';
import { bootstrapCI, mean, pairedBootstrapMeanDiff } from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';

describe('metrics: bootstrap edge cases', () => {
  it('n = 1: interval null, estimate kept, rng not advanced', () => {
    const rng = new Rng(11);
    const r = bootstrapCI([0.42], mean, { rng });
    expect(r).to.deep.equal({ estimate: 0.42, ci: null, n: 1, resamples: 0, nonFinite: 0 });
    expect(rng.next()).to.equal(new Rng(11).next());
    const p = pairedBootstrapMeanDiff([1], [3], { rng });
    expect(p.ci).to.equal(null);
    expect(p.estimate).to.equal(2);
  });

  it('drops and counts non-finite replicate statistics', () => {
    // resamples of [0, 1] that are constant (half of them) give NaN; the others have mean 0.5
    const stat = (s: readonly number[]) => (s.every((v) => v === s[0]) ? NaN : mean(s));
    const r = bootstrapCI([0, 1], stat, { rng: new Rng(2), resamples: 400 });
    expect(r.nonFinite).to.be.within(150, 250);
    expect(r.ci).to.deep.equal([0.5, 0.5]);
  });

  it('interval null when no replicate is finite', () => {
    const r = bootstrapCI([1, 2, 3], () => NaN, { rng: new Rng(2), resamples: 20 });
    expect(r.ci).to.equal(null);
    expect(r.nonFinite).to.equal(20);
    expect(r.estimate).to.be.NaN;
  });

  it('gives the statistic its own copy of each resample', () => {
    const seen: (readonly number[])[] = [];
    bootstrapCI([1, 2, 3], (s) => (seen.push(s), 0), { rng: new Rng(4), resamples: 3 });
    expect(new Set(seen).size).to.equal(4); // full data + 3 distinct arrays
  });
});
