import { BenchError } from '../util/errors.js';
import type { ModelCard, IoName } from './card.js';
import type { OnnxFileInfo, OnnxValueInfo } from './onnx/file.js';

/** What a task can need from a model. */
export type Need = 'logits' | 'hidden_states' | 'attentions' | 'contacts' | 'mlm' | 'clm';
export type OutputName = 'logits' | 'hidden_states' | 'attentions' | 'contacts';
export const OUTPUT_NAMES: readonly OutputName[] = ['logits', 'hidden_states', 'attentions', 'contacts'];

/** Graph names of the contract's inputs and outputs, after the card's renames. */
export interface IoMap {
  inputIds: string;
  attentionMask: string | null;
  outputs: Partial<Record<OutputName, string>>;
  /** Incremental-decoding inputs and outputs (`past_key_values.*` / `present.*`), when exported. */
  pastInputs: string[];
  presentOutputs: string[];
  /** Other required inputs the harness does not know how to feed. */
  unknownInputs: string[];
}

const ALIASES: Partial<Record<OutputName, string[]>> = { hidden_states: ['last_hidden_state'] };

/**
 * Maps the graph's inputs and outputs onto the model contract (README.md, "Your model"), honouring the card's `io`
 * renames. Missing `input_ids` or `logits`, a rename to a name the graph lacks, and logits whose
 * static width differs from the vocabulary are errors naming the file.
 */
export function resolveIo(path: string, info: OnnxFileInfo, card: ModelCard, vocabSize: number): IoMap {
  const io = card.io ?? {};
  const inputNames = new Set(info.inputs.map((i) => i.name));
  const outputNames = new Set(info.outputs.map((o) => o.name));
  // A card's io map comes from JSON: a key may hold undefined whatever the type says.
  for (const [k, v] of Object.entries(io) as [string, string | undefined][]) {
    const isInput = k === 'input_ids' || k === 'attention_mask';
    if (v !== undefined && !(isInput ? inputNames : outputNames).has(v)) {
      throw new BenchError('E_CARD', `${path}: card io.${k} = "${v}" but the graph has no ${isInput ? 'input' : 'output'} of that name`);
    }
  }
  const inputIds = io.input_ids ?? 'input_ids';
  if (!inputNames.has(inputIds)) {
    throw new BenchError(
      'E_MODEL',
      `${path}: the graph has no "${inputIds}" input (inputs: ${[...inputNames].join(', ') || 'none'}); rename it with the card's io map`,
    );
  }
  const maskName = io.attention_mask ?? 'attention_mask';
  const attentionMask = inputNames.has(maskName) ? maskName : null;
  const outputs: Partial<Record<OutputName, string>> = {};
  for (const name of OUTPUT_NAMES) {
    const explicit = io[name as IoName];
    const candidates = explicit ? [explicit] : [name, ...(ALIASES[name] ?? [])];
    const found = candidates.find((c) => outputNames.has(c));
    if (found) outputs[name] = found;
  }
  if (!outputs.logits) {
    throw new BenchError(
      'E_MODEL',
      `${path}: the graph has no "logits" output (outputs: ${[...outputNames].join(', ')}); every task needs logits`,
    );
  }
  const logitsInfo = info.outputs.find((o) => o.name === outputs.logits)!;
  const width = staticLastDim(logitsInfo);
  if (width !== null && width !== vocabSize) {
    throw new BenchError('E_MODEL', `${path}: logits are ${width} wide but the ${describeVocab(card)} vocabulary has ${vocabSize} tokens`);
  }
  const pastInputs = info.inputs.map((i) => i.name).filter((n) => /^past_key_values|^past\./.test(n));
  const presentOutputs = info.outputs.map((o) => o.name).filter((n) => /^present/.test(n));
  const known = new Set([inputIds, attentionMask, ...pastInputs].filter(Boolean) as string[]);
  const unknownInputs = info.inputs.map((i) => i.name).filter((n) => !known.has(n));
  return { inputIds, attentionMask, outputs, pastInputs, presentOutputs, unknownInputs };
}

export function capabilitiesOf(io: IoMap, card: ModelCard): Set<Need> {
  const caps = new Set<Need>();
  for (const k of Object.keys(io.outputs) as OutputName[]) caps.add(k);
  caps.add(card.objective);
  return caps;
}

function staticLastDim(v: OnnxValueInfo): number | null {
  const d = v.dims?.[v.dims.length - 1];
  return typeof d === 'number' && d > 0 ? d : null;
}

function describeVocab(card: ModelCard): string {
  return typeof card.vocab === 'string' ? card.vocab : 'custom';
}
