import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { interpolateAtCompute, interpolateItem, interpolationWeight } from '../src/scaling/index.js';

const golden = JSON.parse(readFileSync(new URL('./golden/scaling/frontier.json', import.meta.url), 'utf8')) as {
  interpolation: { points: { flops: number; score: number }[]; queries: { flops: number; value: number }[] };
};

describe('scaling: interpolation linear in log10 C', () => {
  const pts = golden.interpolation.points.map((p, i) => ({ id: `p${i}`, ...p }));

  it('matches numpy.interp on log10 C at every query (hand-made points)', () => {
    for (const q of golden.interpolation.queries) {
      expect(interpolateAtCompute(pts, q.flops).value).to.be.closeTo(q.value, 1e-12);
    }
  });

  it('halfway in log10 C between two points gives the midpoint score', () => {
    // 1e19 is halfway between 1e18 and 1e20 in log10: (0.20 + 0.30) / 2.
    const r = interpolateAtCompute(pts, 1e19);
    expect(r.value).to.be.closeTo(0.25, 1e-12);
    expect(r.lower.id).to.equal('p0');
    expect(r.upper.id).to.equal('p1');
    expect(r.weight).to.be.closeTo(0.5, 1e-12);
    expect(r.clamped).to.equal(null);
  });

  it('by hand: 5e20 between 1e20 (0.30) and 1e21 (0.50) has weight log10(5) = 0.69897', () => {
    const r = interpolateAtCompute(pts, 5e20);
    expect(r.weight).to.be.closeTo(Math.log10(5), 1e-12);
    expect(r.value).to.be.closeTo(0.3 + 0.2 * 0.69897000433, 1e-10);
  });

  it('never extrapolates: the nearest point, flagged clamped, on both sides', () => {
    const below = interpolateAtCompute(pts, 2e17);
    expect(below).to.include({ value: 0.2, clamped: 'below', weight: 0 });
    expect(below.lower.id).to.equal('p0');
    const above = interpolateAtCompute(pts, 4e21);
    expect(above).to.include({ value: 0.5, clamped: 'above', weight: 0 });
    expect(above.upper.id).to.equal('p2');
  });

  it("at a point's exact compute gives that point, not clamped", () => {
    const r = interpolateAtCompute(pts, 1e20);
    expect(r).to.include({ value: 0.3, clamped: null, weight: 0 });
    expect(r.lower.id).to.equal('p1');
  });

  it('does not depend on the order of the points', () => {
    const shuffled = [pts[2]!, pts[0]!, pts[1]!];
    expect(interpolateAtCompute(shuffled, 3e18).value).to.equal(interpolateAtCompute(pts, 3e18).value);
  });

  it('a single point: that score, clamped on either side', () => {
    const one = [{ id: 'only', flops: 1e20, score: 0.4 }];
    expect(interpolateAtCompute(one, 1e19)).to.include({ value: 0.4, clamped: 'below' });
    expect(interpolateAtCompute(one, 1e21)).to.include({ value: 0.4, clamped: 'above' });
  });

  it('rejects two points at one compute, non-positive compute and non-finite scores', () => {
    expect(() =>
      interpolateAtCompute(
        [
          { id: 'a', flops: 1e20, score: 1 },
          { id: 'b', flops: 1e20, score: 2 },
        ],
        1e20,
      ),
    ).to.throw(RangeError, /same compute/);
    expect(() => interpolateAtCompute(pts, 0)).to.throw(RangeError);
    expect(() => interpolateAtCompute([{ id: 'a', flops: 1e20, score: NaN }], 1e20)).to.throw(RangeError);
    expect(() => interpolateAtCompute([], 1e20)).to.throw(RangeError, /no points/);
  });

  it('per-item values use the same weight; a missing end gives null', () => {
    const r = interpolateAtCompute(pts, 1e19);
    expect(interpolateItem(r, 0.1, 0.3)).to.be.closeTo(0.2, 1e-12);
    expect(interpolateItem(r, 0.1, null)).to.equal(null);
    const clamped = interpolateAtCompute(pts, 1e17);
    expect(interpolateItem(clamped, 0.7, undefined)).to.equal(0.7);
    expect(interpolationWeight(1e18, 1e20, 1e19)).to.be.closeTo(0.5, 1e-12);
  });
});
