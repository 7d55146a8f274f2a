import type { ConformanceCheck } from './conformance-check.js';
import type { ModelHandle } from './model.js';
import type { OutputView } from './runner.js';

/** The token index changed by the checks: the residue at two thirds of the sequence (context on both sides). */
function probeIndex(model: ModelHandle, sequence: string, tokens: Int32Array): number | null {
  const k = (model.vocab.start === null ? 0 : 1) + Math.floor((sequence.length * 2) / 3);
  return sequence.length < 3 || k >= tokens.length ? null : k;
}

/**
 * A model declared `clm` must not look ahead: with one later token changed (each input run alone, so
 * padding plays no part), the logits at every earlier position stay the same. One that looks ahead
 * would score likelihoods with the answer in view, so it is refused, naming the position that moved
 * most and by how much. Differences count when over 1e-3 of the largest logit (the padding check's
 * tolerance): far above float noise, far below what a real dependency gives.
 */
export async function causalChecks(model: ModelHandle, sequence: string): Promise<ConformanceCheck[]> {
  if (model.card.objective !== 'clm') return [];
  const tokens = model.encode(sequence);
  const k = probeIndex(model, sequence, tokens);
  if (k === null) return [];
  const residue = sequence[k - (model.vocab.start === null ? 0 : 1)]!;
  const replacement = residue === 'W' ? 'A' : 'W';
  const other = model.vocab.residueId(replacement);
  if (other < 0) return [];
  const changed = Int32Array.from(tokens);
  changed[k] = other;
  const [a, b] = await logitsOf(model, [tokens, changed]);
  const moved = mostMovedRow(a!, b!, 0, k, model.vocab.size);
  return [
    {
      name: 'causal: earlier positions ignore later tokens',
      ok: moved === null,
      detail:
        moved === null
          ? `changing the token at position ${k} (${residue} -> ${replacement}) leaves positions 0-${k - 1} unchanged`
          : `changing the later token at position ${k} (${residue} -> ${replacement}) changes the logits at position ${moved.row} by up to ${moved.abs.toPrecision(3)} (relative ${moved.rel.toExponential(2)}; ${moved.count} of positions 0-${k - 1} moved): the model looks ahead, so it is not causal (declare --objective mlm if it is a masked model)`,
    },
  ];
}

/**
 * What a model declared `mlm` does with `<mask>`, as warnings (a site-independent model is a valid
 * masked baseline that ignores every token, so nothing is refused): masking one token should change
 * the logits at its own position (otherwise masked marginals equal unmasked ones) and at some earlier
 * position (otherwise the model only looks back, like a causal one).
 */
export async function maskedWarnings(model: ModelHandle, sequence: string): Promise<string[]> {
  const mask = model.vocab.mask;
  if (model.card.objective !== 'mlm' || mask === null) return [];
  const tokens = model.encode(sequence);
  const k = probeIndex(model, sequence, tokens);
  if (k === null) return [];
  const masked = Int32Array.from(tokens);
  masked[k] = mask;
  const [a, b] = await logitsOf(model, [tokens, masked]);
  const out: string[] = [];
  if (mostMovedRow(a!, b!, k, k + 1, model.vocab.size) === null) {
    out.push(
      `masking position ${k} of the conformance sequence leaves its logits unchanged: the model ignores the mask token, so masked-marginal scores equal unmasked ones (check the vocabulary's mask token and the export)`,
    );
  }
  if (mostMovedRow(a!, b!, 0, k, model.vocab.size) === null) {
    out.push(
      `masking position ${k} of the conformance sequence leaves positions 0-${k - 1} unchanged: the model does not look ahead, like a causal one (declare --objective clm if it is)`,
    );
  }
  return out;
}

/** A card without training tokens or FLOPs has no training compute: the matched-compute comparison is off. */
export function computeWarning(card: { trainTokens?: number; trainFlops?: number }): string | null {
  if (card.trainTokens !== undefined || card.trainFlops !== undefined) return null;
  return 'the card gives neither trainTokens nor trainFlops, so the training compute is unknown and the matched-compute comparison with ESM-2/ProGen2 is off: add --train-tokens N (or "trainTokens"/"trainFlops" in the card)';
}

async function logitsOf(model: ModelHandle, inputs: Int32Array[]): Promise<OutputView[]> {
  const got: OutputView[] = [];
  const reduce = (o: { outputs: Partial<Record<string, OutputView>> }) => {
    const v = o.outputs['logits']!;
    got.push({ data: Float32Array.from(v.data), dims: [...v.dims] });
    return new Float32Array(0);
  };
  const alone = { maxTokens: Infinity, maxOutputFloats: Infinity, maxBatch: 1, maxPadFraction: 1 };
  // One at a time, so `got` follows the input order whatever the runner's sorting.
  for (const tokens of inputs)
    await model.forward([{ tokens }], { outputs: ['logits'], reducer: 'objective-check', cache: false, reduce, batch: alone });
  return got;
}

/**
 * Among rows [from, to), those whose logits differ by more than 1e-3 of the largest logit: the one that
 * differs most and how many did, or null when none did.
 */
function mostMovedRow(
  a: OutputView,
  b: OutputView,
  from: number,
  to: number,
  width: number,
): { row: number; abs: number; rel: number; count: number } | null {
  let scale = 0;
  for (let i = 0; i < a.data.length; i++) scale = Math.max(scale, Math.abs(a.data[i]!));
  scale = Math.max(scale, 1e-6);
  let best: { row: number; abs: number; rel: number; count: number } | null = null;
  let count = 0;
  for (let r = from; r < to; r++) {
    let abs = 0;
    for (let j = 0; j < width; j++) abs = Math.max(abs, Math.abs(a.data[r * width + j]! - b.data[r * width + j]!));
    if (abs / scale <= 1e-3) continue;
    count++;
    if (!best || abs > best.abs) best = { row: r, abs, rel: abs / scale, count: 0 };
  }
  return best && { ...best, count };
}
