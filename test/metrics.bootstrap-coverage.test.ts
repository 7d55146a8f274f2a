import { expect } from 'chai';
import { bootstrapCI, mean } from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';

// The percentile interval of the mean of n draws from N(mu, sigma) should cover mu about 95% of the
// time and be about 2·1.96·sigma/sqrt(n) wide. Seeds are fixed, so this test is deterministic.
describe('metrics: bootstrapCI covers the true mean', () => {
  const mu = 1;
  const sigma = 2;
  const n = 40;
  const seeds = 200;

  function run(alpha?: number): { coverage: number; meanWidth: number; below: number; above: number } {
    let covered = 0;
    let width = 0;
    let below = 0;
    let above = 0;
    for (let s = 0; s < seeds; s++) {
      const data = new Rng(`coverage-data-${s}`);
      const items = Array.from({ length: n }, () => mu + sigma * data.normal());
      const r = bootstrapCI(items, mean, { rng: new Rng(`coverage-boot-${s}`), resamples: 500, ...(alpha ? { alpha } : {}) });
      const [lo, hi] = r.ci!;
      expect(lo).to.be.at.most(r.estimate);
      expect(hi).to.be.at.least(r.estimate);
      if (lo <= mu && mu <= hi) covered++;
      else if (hi < mu) below++;
      else above++;
      width += hi - lo;
    }
    return { coverage: covered / seeds, meanWidth: width / seeds, below, above };
  }

  it('95% interval: coverage in [0.88, 0.99], width within 10% of 2·1.96·σ/√n, misses on both sides', () => {
    // catches: quantiles at alpha instead of alpha/2 (too narrow), a non-resampled or shifted
    // interval (coverage), resampling without replacement (zero width), one-sided intervals
    const r = run();
    expect(r.coverage).to.be.within(0.88, 0.99);
    const expected = (2 * 1.96 * sigma) / Math.sqrt(n);
    expect(r.meanWidth).to.be.within(0.9 * expected, 1.1 * expected);
    expect(r.below).to.be.greaterThan(0);
    expect(r.above).to.be.greaterThan(0);
  });

  it('alpha = 0.32 gives a ~68% interval about half as wide', () => {
    const r = run(0.32);
    expect(r.coverage).to.be.within(0.58, 0.78);
    const expected = (2 * 0.994 * sigma) / Math.sqrt(n);
    expect(r.meanWidth).to.be.within(0.9 * expected, 1.1 * expected);
  });
});
