import { apcFeatures, mapCount, pairCount, type AttentionBlock } from './pairs.js';

/**
 * The unsupervised contact map of one sequence: for every pair (pairs.ts order), the mean over all maps
 * (layers x heads) of the APC'd symmetrized attention (`apcFeatures`). The same score the contacts task
 * ranks as `unsupervised_*`. Returns null when a value is not finite (the caller reports the model's failure).
 */
export function meanApcScores(block: AttentionBlock): Float64Array | null {
  const F = mapCount(block.view);
  const out = new Float64Array(pairCount(block.residues));
  const scratch = new Float64Array(2 * block.residues);
  for (let m = 0; m < F; m++) {
    const ok = apcFeatures(block, m, scratch, (p, v) => {
      out[p]! += v;
    });
    if (!ok) return null;
  }
  for (let p = 0; p < out.length; p++) out[p] = out[p]! / F;
  return out;
}
