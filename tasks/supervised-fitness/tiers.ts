import { sha256 } from '../../src/util/hash.js';
import type { FoldAssay } from './data.js';

/** Variants per assay on the smoke tier. */
export const SMOKE_VARIANTS = 100;
/** The smoke subset depends on the data only (not on --seed), so smoke results stay comparable across runs. */
export const SMOKE_KEY = 'plmbench-supervised-smoke-v1';

/**
 * The smoke-tier subset of an assay: the {@link SMOKE_VARIANTS} variants first in
 * sha256(`${SMOKE_KEY}:${DMS_id}:${mutant}`) order (all when fewer), returned in file order. A pseudo-random
 * sample that keeps every variant's ProteinGym fold labels, so the three schemes stay as they are.
 */
export function smokeSubset(a: FoldAssay, size = SMOKE_VARIANTS): number[] {
  if (a.n <= size) return Array.from({ length: a.n }, (_, i) => i);
  const keyed = a.mutants.map((m, i) => ({ i, k: sha256(`${SMOKE_KEY}:${a.id}:${m}`) }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.i - y.i));
  return keyed
    .slice(0, size)
    .map((x) => x.i)
    .sort((x, y) => x - y);
}
