import { expect } from 'chai';
import { bootstrapCI, mean, pairedBootstrapMeanDiff, spearman } from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';

describe('metrics: bootstrap is deterministic for a seed', () => {
  const items = Array.from({ length: 25 }, (_, i) => Math.sin(i * 1.3) + i / 10);

  it('same seed, same result; different seed, different interval', () => {
    const a = bootstrapCI(items, mean, { rng: new Rng(42) });
    const b = bootstrapCI(items, mean, { rng: new Rng(42) });
    const c = bootstrapCI(items, mean, { rng: new Rng(43) });
    expect(a).to.deep.equal(b);
    expect(a.resamples).to.equal(1000);
    expect(c.ci).to.not.deep.equal(a.ci);
    expect(c.estimate).to.equal(a.estimate);
  });

  it('uses only the given rng: a forked stream is unaffected by what the parent stream did', () => {
    const root = new Rng('run');
    const first = bootstrapCI(items, mean, { rng: root.fork('task-a'), resamples: 200 });
    const parent = new Rng('run');
    for (let i = 0; i < 17; i++) parent.next();
    const again = bootstrapCI(items, mean, { rng: parent.fork('task-a'), resamples: 200 });
    expect(again).to.deep.equal(first);
  });

  it('works with structured items (pairs for a Spearman interval) deterministically', () => {
    const pairs = items.map((x, i) => ({ x, y: x + Math.cos(i) }));
    const stat = (s: readonly { x: number; y: number }[]) =>
      spearman(
        s.map((p) => p.x),
        s.map((p) => p.y),
      );
    const a = bootstrapCI(pairs, stat, { rng: new Rng(7), resamples: 300 });
    const b = bootstrapCI(pairs, stat, { rng: new Rng(7), resamples: 300 });
    expect(a).to.deep.equal(b);
    expect(a.estimate).to.equal(stat(pairs));
  });

  it('pairedBootstrapMeanDiff is deterministic and resamples like bootstrapCI of the differences', () => {
    const a = items;
    const b = items.map((v, i) => v + 0.2 + 0.3 * Math.cos(i * 2.1));
    const r1 = pairedBootstrapMeanDiff(a, b, { rng: new Rng(9) });
    const r2 = pairedBootstrapMeanDiff(a, b, { rng: new Rng(9) });
    expect(r1).to.deep.equal(r2);
    const d = b.map((v, i) => v - a[i]!);
    const viaGeneric = bootstrapCI(d, mean, { rng: new Rng(9) });
    expect(r1.ci![0]).to.be.closeTo(viaGeneric.ci![0], 1e-12);
    expect(r1.ci![1]).to.be.closeTo(viaGeneric.ci![1], 1e-12);
  });
});
