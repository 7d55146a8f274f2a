import type { ModelCard } from '../model/card.js';
import type { ParamCount } from '../model/onnx/file.js';
import { frontierPositions, loadScalingLaws, sci, trainingCompute, type FrontierPosition, type ModelCompute } from '../scaling/index.js';
import { formatNumber } from './format.js';

export interface ComputeReport {
  /** Free-form details for JSON output. */
  details: Record<string, unknown>;
  /** Lines for the text report. */
  lines: string[];
}

/**
 * Training compute of a model as inspect shows it: C = 6 N D (N non-embedding: the card's `params`,
 * else the graph's count, said so; the card's `trainFlops` overrides), and its place relative to the
 * compute-optimal frontier of both laws of Cheng et al. 2024 (N_opt(C), D_opt(C), N/N_opt, D/D_opt),
 * the law of the model's objective first and labelled. Outside the laws' fitted range (parameters and
 * compute of the paper's fits, scaling-laws.json fittedRange) a line says the numbers are extrapolations,
 * and the JSON details carry `outsideFittedRange` (and each frontier entry its `rangeNote`).
 */
export function describeCompute(card: ModelCard, params: ParamCount): ComputeReport {
  const compute = trainingCompute(card, params.nonEmbedding);
  const laws = loadScalingLaws();
  const frontier = frontierPositions(laws, compute, card.objective);
  const primary = frontier.find((f) => f.primary);
  const details = {
    ...compute,
    frontier,
    // The model's own law: N/N_opt there is an extrapolation when outside the fitted range (null without compute).
    outsideFittedRange: primary ? primary.outsideFittedRange : null,
    laws: { file: laws.file, sha256: laws.sha256, source: laws.source, compute: laws.compute, fittedRange: { params: laws.fittedRange.params, flops: laws.fittedRange.flops } },
  };
  const lines = [`compute       ${computeLine(compute)}`];
  if (compute.flops === null) return { details, lines };
  lines.push(`frontier      compute-optimal allocation, N_opt = A C^a, D_opt = B C^b (${laws.file}):`);
  const ordered = [...frontier].sort((a, b) => Number(b.primary) - Number(a.primary));
  for (const f of ordered) lines.push(`              ${frontierLine(f, laws.laws[f.objective].title)}`);
  const outside = ordered.find((f) => f.outsideFittedRange);
  if (outside) lines.push(`              outside the fitted range: ${outside.rangeNote}`);
  lines.push(`              source: ${laws.source.split(';')[0]}`);
  return { details, lines };
}

function computeLine(c: ModelCompute): string {
  const n = `N = ${c.params.toLocaleString('en-US')} non-embedding parameters (${c.paramsSource === 'card.params' ? 'card' : 'counted in the graph: the card gives no params'})`;
  if (c.flops === null) return `unknown (${c.reason}); ${n}`;
  const d = c.tokens === null ? 'D unknown' : `D = ${sci(c.tokens)} tokens (${c.tokensSource === 'card.trainTokens' ? 'card' : 'trainFlops / 6N'})`;
  const how = c.flopsSource === 'card.trainFlops' ? "the card's trainFlops" : '6 N D';
  return `C = ${sci(c.flops)} FLOPs (${how}); ${n}; ${d}`;
}

function frontierLine(f: FrontierPosition, title: string): string {
  const label = `${f.objective.toUpperCase()}${f.primary ? " (the model's objective)" : ''}`;
  const d = f.dRatio === null ? 'D/D_opt n/a' : `D/D_opt = ${formatNumber(f.dRatio, 3)}`;
  return `${label.padEnd(28)} N_opt = ${sci(f.nOpt)}, D_opt = ${sci(f.dOpt)}; N/N_opt = ${formatNumber(f.nRatio, 3)}, ${d}  [${title}]`;
}
