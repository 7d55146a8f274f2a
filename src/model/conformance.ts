import type { ModelHandle } from './model.js';
import type { OutputName } from './contract.js';
import type { OutputView } from './runner.js';
import { causalChecks } from './declared-objective.js';
import type { ConformanceCheck } from './conformance-check.js';

export type { ConformanceCheck } from './conformance-check.js';

export interface ConformanceReport {
  sequence: string;
  checks: ConformanceCheck[];
  /** Output shapes observed for the fixed sequence run alone (batch axis dropped). */
  observedDims: Partial<Record<OutputName, number[]>>;
  ok: boolean;
}

/**
 * Largest logit magnitude accepted. Trained protein LMs give logits of tens; at 1e6 a softmax is
 * one-hot to the last bit and the NLL of any other token (millions of nats) overflows perplexity,
 * which would then be reported as null on a task marked ok. Shared with the runner's per-batch check.
 */
export { MAX_ABS_LOGIT } from './runner.js';
import { MAX_ABS_LOGIT } from './runner.js';

/**
 * Tolerance of the attention row sums and of the padding check, by the model's precision. The float32
 * examples on the CPU: row sums within 1.9e-7 of 1, padding moves no logit (bench inspect), so 1e-3
 * leaves room. A float16 model's values carry relative rounding of 2^-11 (4.9e-4) each: measured on the
 * float16 example models under --ep webgpu (Mesa lavapipe, true float16 kernels; results/perf/fp16-parity.md),
 * row sums within 1.6e-3 of 1 and padding moving logits by 2.3e-3 relative, so 1e-3 refused correct
 * float16 exports; 1e-2 is 4x the measured and 20 float16 rounding units. bfloat16 (2^-8 = 3.9e-3 per
 * value, 8x float16's) gets 8x (an assumption: no bfloat16 model was measured).
 */
export function conformanceTolerance(precision: string): number {
  if (precision === 'float16') return 1e-2;
  if (precision === 'bfloat16') return 8e-2;
  return 1e-3;
}

/** Human ubiquitin (UniProt P0CG48, residues 1-76): short, real, and in every training set's style. */
export const CONFORMANCE_SEQUENCE = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG';

/**
 * Runs a fixed sequence (and a shorter prefix, batched with it and alone) through the model with
 * every exported output, and checks the contract: int64 ids accepted, logits as wide as the
 * vocabulary, outputs finite, attention rows summing to 1, and right padding leaving the real
 * positions unchanged (otherwise batched results would differ from single-sequence ones).
 * `runsAlone`: the run never batches (`--max-batch 1`), so padding cannot reach its results and the
 * padding check is reported as not applicable.
 */
export async function checkConformance(model: ModelHandle, outputs: OutputName[], runsAlone = false): Promise<ConformanceReport> {
  const seq = CONFORMANCE_SEQUENCE.slice(0, Math.max(1, model.maxResidues));
  const short = seq.slice(0, Math.max(1, Math.floor(seq.length / 2)));
  const checks: ConformanceCheck[] = [];
  const tolerance = conformanceTolerance(model.precision);
  const captured: { length: number; outputs: Partial<Record<OutputName, OutputView>> }[] = [];
  const capture = (o: { length: number; outputs: Partial<Record<OutputName, OutputView>> }) => {
    const copy: Partial<Record<OutputName, OutputView>> = {};
    for (const [k, v] of Object.entries(o.outputs)) copy[k as OutputName] = { data: Float32Array.from(v.data), dims: [...v.dims] };
    captured.push({ length: o.length, outputs: copy });
    return new Float32Array(0);
  };
  // Padding is the point of the second check: one batch of both lengths, whatever the run's budgets.
  const oneBatch = { maxTokens: Infinity, maxOutputFloats: Infinity, maxBatch: 2, maxPadFraction: 1 };
  const spec = { outputs, reducer: 'conformance', cache: false, reduce: capture, batch: oneBatch };
  try {
    await model.forward([{ tokens: model.encode(seq) }, { tokens: model.encode(short) }], spec);
    await model.forward([{ tokens: model.encode(short) }], spec);
  } catch (e) {
    checks.push({ name: 'int64 input_ids accepted', ok: false, detail: (e as Error).message });
    return { sequence: seq, checks, observedDims: {}, ok: false };
  }
  checks.push({ name: 'int64 input_ids accepted', ok: true, detail: 'batch of 2 with right padding, and batch of 1' });
  // The batch is sorted longest first: captured[0] = full (padded batch), [1] = short (padded), [2] = short alone.
  const full = captured[0]!;
  const padded = captured[1]!;
  const alone = captured[2]!;
  const logits = full.outputs.logits!;
  const width = logits.dims[logits.dims.length - 1]!;
  // [batch, length, vocabulary]: a [B, V] export (the last position only, or pooled) has no per-position
  // logits, and every task would read past its data (the run once failed later with "NLL is NaN").
  const rank3 = logits.dims.length === 2 && logits.dims[0]! >= full.length;
  checks.push({
    name: 'logits rank 3 [batch, length, vocabulary]',
    ok: rank3,
    detail: `logits [batch, ${logits.dims.join(', ')}] for ${full.length} tokens`,
  });
  checks.push({
    name: 'logits width = vocabulary size',
    ok: width === model.vocab.size,
    detail: `logits [batch, ${logits.dims.join(', ')}], vocabulary ${model.vocab.size}`,
  });
  if (!rank3) return { sequence: seq, checks, observedDims: {}, ok: false };
  for (const name of outputs) {
    const v = full.outputs[name]!;
    let bad = 0;
    const limit = name === 'logits' ? MAX_ABS_LOGIT : Infinity;
    for (let i = 0; i < v.data.length; i++) if (!(Math.abs(v.data[i]!) <= limit)) bad++;
    const what = name === 'logits' ? `NaN, infinite or beyond ±${MAX_ABS_LOGIT}` : 'NaN or infinite';
    checks.push({
      name: `${name} finite`,
      ok: bad === 0,
      detail: bad === 0 ? `${v.data.length} values` : `${bad} of ${v.data.length} values are ${what}`,
    });
  }
  if (full.outputs.attentions) {
    const a = full.outputs.attentions;
    const L = a.dims[a.dims.length - 1]!;
    const maps = a.data.length / (L * L);
    let worst = 0;
    for (let m = 0; m < maps; m++) {
      for (let i = 0; i < full.length; i++) {
        let s = 0;
        for (let j = 0; j < L; j++) s += a.data[m * L * L + i * L + j]!;
        worst = Math.max(worst, Math.abs(s - 1));
      }
    }
    checks.push({
      name: 'attention rows sum to 1',
      ok: worst < tolerance,
      detail: `max |row sum - 1| = ${worst.toExponential(2)} over ${maps} maps (tolerance ${tolerance} for ${model.precision})`,
    });
  }
  const diff = maxDiffRows(padded.outputs.logits!, alone.outputs.logits!, alone.length, model.vocab.size);
  const measured = `max |logit difference| = ${diff.abs.toExponential(2)} (relative ${diff.rel.toExponential(2)}) between the prefix batched with padding and alone (tolerance ${tolerance} relative for ${model.precision})`;
  const wasPadded = padded.outputs.logits!.dims[0]! > padded.length;
  checks.push({
    name: 'right padding leaves real positions unchanged',
    ok: runsAlone || !wasPadded || diff.rel < tolerance,
    detail: !wasPadded
      ? 'not applicable: the model is too short for a padded batch'
      : runsAlone
        ? `not applicable: --max-batch 1 runs every sequence alone (${measured})`
        : measured,
  });
  checks.push(...(await causalChecks(model, seq))); // src/model/declared-objective.ts
  const observedDims: Partial<Record<OutputName, number[]>> = {};
  for (const [k, v] of Object.entries(full.outputs)) observedDims[k as OutputName] = v.dims;
  return { sequence: seq, checks, observedDims, ok: checks.every((c) => c.ok) };
}

function maxDiffRows(a: OutputView, b: OutputView, rows: number, width: number): { abs: number; rel: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < rows * width; i++) {
    abs = Math.max(abs, Math.abs(a.data[i]! - b.data[i]!));
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return { abs, rel: abs / Math.max(scale, 1e-6) };
}
