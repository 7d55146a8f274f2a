import type { ModelCompute } from './types.js';

/** The card fields compute accounting reads (non-embedding `params`, `trainTokens`, `trainFlops`). */
export interface ComputeCard {
  params?: number;
  trainTokens?: number;
  trainFlops?: number;
}

/**
 * Training compute C = 6 N D, N non-embedding parameters, D training tokens; the card's `trainFlops`
 * overrides. N is the card's `params` (non-embedding by the card schema) or, when the card lacks it,
 * the harness's count of the graph's non-embedding parameters. When only `trainFlops` is given, D is
 * reported as trainFlops / (6N). Null compute (with the reason) when the card gives neither tokens
 * nor FLOPs.
 */
export function trainingCompute(card: ComputeCard, countedNonEmbedding: number): ModelCompute {
  const fromCard = typeof card.params === 'number' && card.params > 0;
  const N = fromCard ? card.params! : countedNonEmbedding;
  const paramsSource = fromCard ? 'card.params' : 'counted';
  if (typeof card.trainFlops === 'number' && card.trainFlops > 0) {
    const tokens = typeof card.trainTokens === 'number' && card.trainTokens > 0 ? card.trainTokens : N > 0 ? card.trainFlops / (6 * N) : null;
    return {
      flops: card.trainFlops,
      flopsSource: 'card.trainFlops',
      params: N,
      paramsSource,
      tokens,
      tokensSource: tokens === null ? null : card.trainTokens ? 'card.trainTokens' : 'trainFlops/(6N)',
    };
  }
  if (typeof card.trainTokens === 'number' && card.trainTokens > 0) {
    if (!(N > 0)) {
      return { flops: null, flopsSource: null, params: N, paramsSource, tokens: card.trainTokens, tokensSource: 'card.trainTokens', reason: 'no non-embedding parameters (the card gives no params and the graph count is 0)' };
    }
    return { flops: 6 * N * card.trainTokens, flopsSource: '6ND', params: N, paramsSource, tokens: card.trainTokens, tokensSource: 'card.trainTokens' };
  }
  return { flops: null, flopsSource: null, params: N, paramsSource, tokens: null, tokensSource: null, reason: 'the card gives neither trainTokens nor trainFlops' };
}
