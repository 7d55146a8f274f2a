import type { ModelCard } from '../model/card.js';
import type { ParamCount } from '../model/onnx/file.js';

export interface ComputeReport {
  /** Free-form details for JSON output. */
  details: Record<string, unknown>;
  /** Lines for the text report. */
  lines: string[];
}

/**
 * Training compute of a model as inspect shows it. Placeholder until the scaling module lands:
 * C = 6 N D from the card when both are known.
 */
export function describeCompute(card: ModelCard, params: ParamCount): ComputeReport {
  const N = card.params ?? params.nonEmbedding;
  const D = card.trainTokens;
  if (card.trainFlops === undefined && D === undefined) {
    return { details: { flops: null, reason: 'the card gives neither trainTokens nor trainFlops' }, lines: ['compute       unknown (the card gives neither trainTokens nor trainFlops)'] };
  }
  const C = card.trainFlops ?? 6 * N * D!;
  return { details: { flops: C, params: N, tokens: D ?? null }, lines: [`compute       C = ${C.toExponential(3)} FLOPs`] };
}
