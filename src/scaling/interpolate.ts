import type { CurvePoint, Interpolated } from './types.js';

/**
 * The score of a family at compute `flops`, linear in log10 C between the two nearest points of the
 * curve. Never extrapolates: below the smallest or above the largest compute the nearest point is
 * returned and `clamped` says on which side. At a point's exact compute, that point (weight 0).
 *
 * Points need distinct, positive, finite compute values and finite scores (a RangeError otherwise):
 * a family curve has one score per compute value.
 */
export function interpolateAtCompute(points: readonly CurvePoint[], flops: number): Interpolated {
  if (!(flops > 0) || !Number.isFinite(flops))
    throw new RangeError(`interpolateAtCompute: compute must be a positive finite number, got ${flops}`);
  if (points.length === 0) throw new RangeError('interpolateAtCompute: the curve has no points');
  for (const p of points) {
    if (!(p.flops > 0) || !Number.isFinite(p.flops))
      throw new RangeError(`interpolateAtCompute: point ${p.id}: compute must be positive and finite, got ${p.flops}`);
    if (!Number.isFinite(p.score)) throw new RangeError(`interpolateAtCompute: point ${p.id}: score must be finite, got ${p.score}`);
  }
  const sorted = [...points].sort((a, b) => a.flops - b.flops);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.flops === sorted[i - 1]!.flops) {
      throw new RangeError(
        `interpolateAtCompute: points ${sorted[i - 1]!.id} and ${sorted[i]!.id} have the same compute ${sorted[i]!.flops}`,
      );
    }
  }
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (flops < first.flops) return { value: first.score, lower: first, upper: first, weight: 0, clamped: 'below' };
  if (flops > last.flops) return { value: last.score, lower: last, upper: last, weight: 0, clamped: 'above' };
  const exact = sorted.find((p) => p.flops === flops);
  if (exact) return { value: exact.score, lower: exact, upper: exact, weight: 0, clamped: null };
  let i = 1;
  while (sorted[i]!.flops < flops) i++;
  const lower = sorted[i - 1]!;
  const upper = sorted[i]!;
  const weight = interpolationWeight(lower.flops, upper.flops, flops);
  return { value: lower.score + weight * (upper.score - lower.score), lower, upper, weight, clamped: null };
}

/** Position of `flops` between `lo` and `hi` in log10 compute: 0 at `lo`, 1 at `hi`. */
export function interpolationWeight(lo: number, hi: number, flops: number): number {
  if (lo === hi) return 0;
  return (Math.log10(flops) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
}

/** Applies an interpolation's weight to per-item values (null when either end lacks the item). */
export function interpolateItem(
  r: Interpolated,
  lowerValue: number | null | undefined,
  upperValue: number | null | undefined,
): number | null {
  if (r.lower === r.upper || r.weight === 0) return isFiniteNumber(lowerValue) ? lowerValue : null;
  if (!isFiniteNumber(lowerValue) || !isFiniteNumber(upperValue)) return null;
  return lowerValue + r.weight * (upperValue - lowerValue);
}

function isFiniteNumber(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
