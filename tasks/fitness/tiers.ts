import { Rng } from '../../src/util/rng.js';
import type { Assay } from './assays.js';

/** Variants per assay on the smoke tier. */
export const SMOKE_VARIANTS = 300;
/** The smoke subset depends on the data only (not on --seed), so smoke results stay comparable. */
export const SMOKE_SEED = 'plmbench-fitness-smoke-v1';
const SCORE_BINS = 10;

/**
 * The smoke-tier subset of an assay: {@link SMOKE_VARIANTS} variants (all when it has no more),
 * stratified by mutation depth (1, 2, 3 or more substitutions) x decile of DMS_score, each stratum
 * getting its proportional share (largest remainders), sampled without replacement by a stream
 * seeded with {@link SMOKE_SEED} and the assay id. Returns indices in file order.
 */
export function smokeSubset(a: Assay, size = SMOKE_VARIANTS): number[] {
  const n = a.n;
  if (n <= size) return Array.from({ length: n }, (_, i) => i);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a.dmsScore[x]! - a.dmsScore[y]! || x - y);
  const decile = new Int32Array(n);
  order.forEach((v, rank) => (decile[v] = Math.floor((rank * SCORE_BINS) / n)));
  const strata = new Map<number, number[]>();
  for (let v = 0; v < n; v++) {
    const depth = Math.min(3, a.offsets[v + 1]! - a.offsets[v]!);
    const key = depth * SCORE_BINS + decile[v]!;
    let s = strata.get(key);
    if (!s) strata.set(key, (s = []));
    s.push(v);
  }
  const keys = [...strata.keys()].sort((x, y) => x - y);
  const exact = keys.map((k) => (size * strata.get(k)!.length) / n);
  const quota = exact.map((q) => Math.floor(q));
  let left = size - quota.reduce((s, q) => s + q, 0);
  const byRemainder = keys.map((_, i) => i).sort((i, j) => exact[j]! - quota[j]! - (exact[i]! - quota[i]!) || i - j);
  for (const i of byRemainder) {
    if (left === 0) break;
    quota[i]!++;
    left--;
  }
  const rng = new Rng(`${SMOKE_SEED}/${a.id}`);
  const out: number[] = [];
  keys.forEach((k, i) => {
    const members = strata.get(k)!;
    for (const j of rng.fork(`stratum:${k}`).sampleIndices(members.length, quota[i]!)) out.push(members[j]!);
  });
  return out.sort((x, y) => x - y);
}
