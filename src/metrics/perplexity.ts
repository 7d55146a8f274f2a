/**
 * Perplexity from a summed negative log-likelihood in nats: `exp(sumNll / count)`, where `count`
 * is the number of predicted tokens (or masked positions, for pseudo-perplexity). For a corpus,
 * sum the NLL and the counts over all sequences first (token-weighted), rather than averaging
 * per-sequence perplexities.
 */
export function perplexityFromNll(sumNll: number, count: number): number {
  if (!Number.isFinite(sumNll)) throw new RangeError(`perplexityFromNll: sumNll must be finite, got ${sumNll}`);
  if (!Number.isInteger(count) || count <= 0) {
    throw new RangeError(`perplexityFromNll: count must be a positive integer, got ${count}`);
  }
  return Math.exp(sumNll / count);
}
