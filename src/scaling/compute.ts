import type { ModelCompute, Objective, TrainingStage } from './types.js';

/** One training stage as a card gives it: its objective and its tokens or its FLOPs. */
export interface CardStage {
  objective: Objective;
  tokens?: number;
  flops?: number;
  note?: string;
}

/** The card fields compute accounting reads. */
export interface ComputeCard {
  params?: number;
  trainTokens?: number;
  trainFlops?: number;
  /** [low, high] training FLOPs when the compute is only known within a range. */
  trainFlopsRange?: [number, number];
  stages?: CardStage[];
}

/**
 * Training compute C = 6 N D, N non-embedding parameters, D training tokens; the card's `trainFlops`
 * overrides. With `stages` (multi-stage training, e.g. CLM then MLM as in the transfer-scaling runs of
 * Cheng et al. 2024) C is the sum of the stages' FLOPs (each its own `flops`, else 6 N x its tokens) and
 * D the sum of their tokens; the card schema and checkCardCompute keep `trainTokens` / `trainFlops`
 * consistent with them. N is the card's `params` (non-embedding by the card schema) or, when the card
 * lacks it, the harness's count of the graph's non-embedding parameters. When only `trainFlops` is
 * given, D is reported as trainFlops / (6N). Null compute (with the reason) when the card gives neither
 * tokens, FLOPs nor stages. `flopsRange` carries the card's `trainFlopsRange`.
 */
export function trainingCompute(card: ComputeCard, countedNonEmbedding: number): ModelCompute {
  const fromCard = typeof card.params === 'number' && card.params > 0;
  const N = fromCard ? card.params! : countedNonEmbedding;
  const paramsSource = fromCard ? 'card.params' : 'counted';
  const range =
    Array.isArray(card.trainFlopsRange) && (card.trainFlopsRange as unknown[]).length === 2
      ? { flopsRange: [card.trainFlopsRange[0], card.trainFlopsRange[1]] as [number, number] }
      : {};
  /** Compute that cannot be known from this card, and why. */
  const unknown = (reason: string): ModelCompute => ({
    flops: null,
    flopsSource: null,
    params: N,
    paramsSource,
    tokens: null,
    tokensSource: null,
    reason,
  });
  if (Array.isArray(card.stages) && card.stages.length > 0) {
    const stages: TrainingStage[] = [];
    for (const s of card.stages) {
      const note = s.note !== undefined ? { note: s.note } : {};
      if (typeof s.flops === 'number' && s.flops > 0)
        stages.push({
          objective: s.objective,
          tokens: s.tokens ?? (N > 0 ? s.flops / (6 * N) : null),
          flops: s.flops,
          flopsSource: 'card.flops',
          ...note,
        });
      else if (typeof s.tokens === 'number' && s.tokens > 0 && N > 0)
        stages.push({ objective: s.objective, tokens: s.tokens, flops: 6 * N * s.tokens, flopsSource: '6ND', ...note });
      else {
        return unknown(
          'a training stage gives tokens but there are no non-embedding parameters (the card gives no params and the graph count is 0)',
        );
      }
    }
    const flops = stages.reduce((a, s) => a + s.flops, 0);
    const tokens = stages.every((s) => s.tokens !== null) ? stages.reduce((a, s) => a + s.tokens!, 0) : null;
    return {
      flops,
      flopsSource: 'card.stages',
      ...range,
      params: N,
      paramsSource,
      tokens,
      tokensSource: tokens === null ? null : 'card.stages',
      stages,
    };
  }
  if (typeof card.trainFlops === 'number' && card.trainFlops > 0) {
    const tokens =
      typeof card.trainTokens === 'number' && card.trainTokens > 0 ? card.trainTokens : N > 0 ? card.trainFlops / (6 * N) : null;
    return {
      flops: card.trainFlops,
      flopsSource: 'card.trainFlops',
      ...range,
      params: N,
      paramsSource,
      tokens,
      tokensSource: tokens === null ? null : card.trainTokens ? 'card.trainTokens' : 'trainFlops/(6N)',
    };
  }
  if (typeof card.trainTokens === 'number' && card.trainTokens > 0) {
    if (!(N > 0)) {
      return {
        ...unknown('no non-embedding parameters (the card gives no params and the graph count is 0)'),
        tokens: card.trainTokens,
        tokensSource: 'card.trainTokens',
      };
    }
    return {
      flops: 6 * N * card.trainTokens,
      flopsSource: '6ND',
      ...range,
      params: N,
      paramsSource,
      tokens: card.trainTokens,
      tokensSource: 'card.trainTokens',
    };
  }
  return unknown('the card gives neither trainTokens, trainFlops nor stages');
}

/**
 * Why a card's compute fields contradict each other, or null: `trainTokens` / `trainFlops` next to
 * `stages` must equal the stages' sums (to 1e-6), and `trainFlopsRange` must be ordered and contain
 * the point compute. `N` is the parameter count compute uses (the card's or the graph's).
 */
export function checkCardCompute(card: ComputeCard, N: number): string | null {
  const c = trainingCompute(card, N);
  const far = (a: number, b: number) => Math.abs(a - b) > 1e-6 * Math.max(Math.abs(a), Math.abs(b));
  if (card.stages && card.stages.length > 0 && c.flops !== null) {
    if (typeof card.trainFlops === 'number' && far(card.trainFlops, c.flops))
      return `trainFlops ${card.trainFlops} is not the sum of the training stages (${c.flops})`;
    if (typeof card.trainTokens === 'number' && c.tokens !== null && far(card.trainTokens, c.tokens))
      return `trainTokens ${card.trainTokens} is not the sum of the training stages' tokens (${c.tokens})`;
  }
  if (card.trainFlopsRange) {
    const [lo, hi] = card.trainFlopsRange;
    if (!(lo <= hi)) return `trainFlopsRange [${lo}, ${hi}] is not ordered`;
    if (c.flops !== null && (c.flops < lo * (1 - 1e-9) || c.flops > hi * (1 + 1e-9)))
      return `the training compute ${c.flops} FLOPs is not inside trainFlopsRange [${lo}, ${hi}]`;
  }
  return null;
}
