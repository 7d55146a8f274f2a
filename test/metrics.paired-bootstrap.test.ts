import { expect } from 'chai';
import { mean, pairedBootstrapMeanDiff } from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';

describe('metrics: pairedBootstrapMeanDiff', () => {
  it('estimates mean(b - a) (b higher = positive) with meanA and meanB, by hand', () => {
    const r = pairedBootstrapMeanDiff([0.1, 0.5, 0.3], [0.2, 0.7, 0.2], { rng: new Rng(1), resamples: 50 });
    expect(r.estimate).to.be.closeTo(0.2 / 3, 1e-15);
    expect(r.meanA).to.be.closeTo(0.3, 1e-15);
    expect(r.meanB).to.be.closeTo(1.1 / 3, 1e-15);
    expect(r.n).to.equal(3);
  });

  it('swapping a and b negates the estimate and mirrors the interval', () => {
    // catches: a - b instead of b - a
    const a = [0.3, 0.1, 0.5, 0.4, 0.45, 0.2];
    const b = [0.35, 0.2, 0.5, 0.5, 0.4, 0.3];
    const ab = pairedBootstrapMeanDiff(a, b, { rng: new Rng(3) });
    const ba = pairedBootstrapMeanDiff(b, a, { rng: new Rng(3) });
    expect(ab.estimate).to.be.greaterThan(0);
    expect(ba.estimate).to.be.closeTo(-ab.estimate, 1e-15);
    expect(ba.ci![0]).to.be.closeTo(-ab.ci![1], 1e-12);
    expect(ba.ci![1]).to.be.closeTo(-ab.ci![0], 1e-12);
  });

  it('is paired: a shared per-item effect cancels, giving a much narrower interval than unpaired', () => {
    // catches: resampling a and b independently
    const data = new Rng('paired');
    const base = Array.from({ length: 60 }, () => 3 * data.normal());
    const a = base.map((v) => v + 0.1 * data.normal());
    const b = base.map((v) => v + 0.5 + 0.1 * data.normal());
    const r = pairedBootstrapMeanDiff(a, b, { rng: new Rng(5) });
    const [lo, hi] = r.ci!;
    expect(lo).to.be.greaterThan(0.4);
    expect(hi).to.be.lessThan(0.6);
    expect(r.estimate).to.be.closeTo(mean(b) - mean(a), 1e-12);
  });

  it('covers the true shift in most seeds', () => {
    let covered = 0;
    for (let s = 0; s < 100; s++) {
      const data = new Rng(`shift-${s}`);
      const a = Array.from({ length: 30 }, () => data.normal());
      const b = a.map((v) => v + 0.3 + 0.5 * data.normal());
      const [lo, hi] = pairedBootstrapMeanDiff(a, b, { rng: new Rng(`boot-${s}`), resamples: 400 }).ci!;
      if (lo <= 0.3 && 0.3 <= hi) covered++;
    }
    expect(covered).to.be.within(85, 99);
  });
});
