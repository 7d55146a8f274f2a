import type { ModelCard } from '../model/card.js';
import type { ParamCount } from '../model/onnx/file.js';
import {
  familyComputeRanges,
  frontierPositions,
  lawSpread,
  loadBaselineRegistry,
  loadLawSets,
  loadRegisteredRuns,
  loadScalingLaws,
  sci,
  trainingCompute,
  type FrontierPosition,
  type LawSpread,
  type ModelCompute,
} from '../scaling/index.js';
import { formatNumber } from './format.js';

export interface ComputeReport {
  /** Free-form details for JSON output. */
  details: Record<string, unknown>;
  /** Lines for the text report. */
  lines: string[];
}

/**
 * Training compute of a model as inspect shows it: C = 6 N D (N non-embedding: the card's `params`,
 * else the graph's count, said so; the card's `trainFlops` overrides; `stages` are summed and listed),
 * the model's compute against each baseline family's compute range (matched or not, and by how many
 * decades), and its place relative to the compute-optimal frontier: N_opt(C), D_opt(C), N/N_opt, D/D_opt
 * under the selected law set (--law, the card's scalingLaw, else the default), the law of the model's
 * objective first and labelled, then N/N_opt under every law set with its source and the spread between
 * them. Outside a law's fitted range a line says the numbers are extrapolations, and the JSON details
 * carry `outsideFittedRange` (and each frontier entry its `rangeNote`).
 */
export function describeCompute(card: ModelCard, params: ParamCount, opts: { law?: string } = {}): ComputeReport {
  const compute = trainingCompute(card, params.nonEmbedding);
  const sets = loadLawSets();
  const lawId = opts.law ?? card.scalingLaw;
  const laws = loadScalingLaws(lawId, opts.law !== undefined ? '--law' : "the card's scalingLaw");
  const frontier = frontierPositions(laws, compute, card.objective);
  const spread = lawSpread(sets, compute, card.objective);
  const families = familyComputeRanges(loadBaselineRegistry(), loadRegisteredRuns(), compute.flops);
  const primary = frontier.find((f) => f.primary);
  const details = {
    ...compute,
    law: laws.id,
    frontier,
    lawSpread: spread,
    families,
    // The model's own law: N/N_opt there is an extrapolation when outside the fitted range (null without compute).
    outsideFittedRange: primary ? primary.outsideFittedRange : null,
    laws: {
      file: laws.file,
      sha256: laws.sha256,
      default: sets.default,
      defaultReason: sets.defaultReason,
      compute: laws.compute,
      sets: sets.sets.map((s) => ({
        id: s.id,
        title: s.title,
        source: s.source,
        provenance: s.provenance,
        mlm: lawSummary(s.laws.mlm),
        clm: lawSummary(s.laws.clm),
      })),
    },
  };
  const lines = [`compute       ${computeLine(compute)}`];
  for (const s of compute.stages ?? []) {
    lines.push(
      `  stage       ${s.objective.toUpperCase()}: ${sci(s.flops)} FLOPs (${s.flopsSource === 'card.flops' ? 'given' : '6 N D'}), D = ${s.tokens === null ? 'n/a' : sci(s.tokens)} tokens${s.note ? ` (${s.note})` : ''}`,
    );
  }
  if (compute.flopsRange)
    lines.push(
      `              compute interval ${sci(compute.flopsRange[0])} to ${sci(compute.flopsRange[1])} FLOPs (card trainFlopsRange): a verdict that changes inside it is uncertain`,
    );
  if (compute.flops === null) return { details, lines };
  lines.push("matched compute  the model's compute against each baseline family's compute range (a verdict only inside it):");
  for (const f of families) lines.push(`              ${f.text}`);
  lines.push(
    `frontier      compute-optimal allocation, N_opt = A C^a, D_opt = B C^b, law set ${laws.id}${lawId === undefined ? ' (the default)' : ''} (${laws.file}):`,
  );
  const ordered = [...frontier].sort((a, b) => Number(b.primary) - Number(a.primary));
  for (const f of ordered) lines.push(`              ${frontierLine(f, laws.laws[f.objective].title)}`);
  const outside = ordered.find((f) => f.outsideFittedRange);
  if (outside) lines.push(`              outside the fitted range: ${outside.rangeNote}`);
  lines.push('laws          N/N_opt under every law set (the number depends on the law):');
  for (const s of sets.sets) {
    const ratios = spread
      .map((sp) => `${sp.objective.toUpperCase()} ${formatNumber(sp.byLaw.find((b) => b.law === s.id)!.nRatio, 3)}`)
      .join(', ');
    lines.push(`              ${s.id}${s.id === sets.default ? ' (default)' : ''}: N/N_opt ${ratios}`);
    lines.push(`                source: ${s.source}`);
  }
  for (const sp of spread) lines.push(`              spread ${spreadLine(sp)}`);
  return { details, lines };
}

function lawSummary(l: {
  A: number;
  a: number;
  B: number;
  b: number;
  source: string;
  fittedRange: { params: [number, number]; flops: [number, number] };
}) {
  return { A: l.A, a: l.a, B: l.B, b: l.b, source: l.source, fittedRange: { params: l.fittedRange.params, flops: l.fittedRange.flops } };
}

/** MLM (the model's objective): N/N_opt 0.812 to 0.934 between the laws (x1.15). */
export function spreadLine(sp: LawSpread): string {
  return `${sp.objective.toUpperCase()}${sp.primary ? " (the model's objective)" : ''}: N/N_opt ${formatNumber(sp.nRatioMin, 3)} to ${formatNumber(sp.nRatioMax, 3)} between the laws (x${formatNumber(sp.factor, 3)})`;
}

function computeLine(c: ModelCompute): string {
  const n = `N = ${c.params.toLocaleString('en-US')} non-embedding parameters (${c.paramsSource === 'card.params' ? 'card' : 'counted in the graph: the card gives no params'})`;
  if (c.flops === null) return `unknown (${c.reason}); ${n}`;
  const tokensFrom =
    c.tokensSource === 'card.trainTokens' ? 'card' : c.tokensSource === 'card.stages' ? 'sum of the stages' : 'trainFlops / 6N';
  const d = c.tokens === null ? 'D unknown' : `D = ${sci(c.tokens)} tokens (${tokensFrom})`;
  const how =
    c.flopsSource === 'card.trainFlops'
      ? "the card's trainFlops"
      : c.flopsSource === 'card.stages'
        ? `the sum of ${c.stages!.length} training stages`
        : '6 N D';
  return `C = ${sci(c.flops)} FLOPs (${how}); ${n}; ${d}`;
}

function frontierLine(f: FrontierPosition, title: string): string {
  const label = `${f.objective.toUpperCase()}${f.primary ? " (the model's objective)" : ''}`;
  const d = f.dRatio === null ? 'D/D_opt n/a' : `D/D_opt = ${formatNumber(f.dRatio, 3)}`;
  return `${label.padEnd(28)} N_opt = ${sci(f.nOpt)}, D_opt = ${sci(f.dOpt)}; N/N_opt = ${formatNumber(f.nRatio, 3)}, ${d}  [${title}]`;
}
