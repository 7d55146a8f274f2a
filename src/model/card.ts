import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { BenchError } from '../util/errors.js';
import { schemaErrors } from '../util/schema.js';
import type { OnnxFileInfo } from './onnx/file.js';
import type { VocabSpec } from './vocab.js';

/** Names of the model contract (README.md, "Your model"), renameable through the card's `io` map. */
export type IoName = 'input_ids' | 'attention_mask' | 'logits' | 'hidden_states' | 'attentions' | 'contacts';

export interface ModelCard {
  id: string;
  family?: string;
  objective: 'mlm' | 'clm';
  vocab: VocabSpec;
  /** Maximum tokens per input, special tokens included. */
  maxLength: number;
  /** Non-embedding parameters. */
  params?: number;
  paramsTotal?: number;
  trainTokens?: number;
  trainFlops?: number;
  /** [low, high] training FLOPs when the compute is only known within a range. */
  trainFlopsRange?: [number, number];
  /** Training stages in order (e.g. CLM then MLM); compute is their sum. */
  stages?: { objective: 'mlm' | 'clm'; tokens?: number; flops?: number; note?: string }[];
  /** Id of the scaling-law set for the frontier (results/baselines/scaling-laws.json); --law overrides. */
  scalingLaw?: string;
  io?: Partial<Record<IoName, string>>;
  source?: string;
  license?: string;
  training?: Record<string, unknown>;
  notes?: string;
}

/** Where the card came from: `--card`, the sidecar `x.card.json`, ONNX metadata, or flags alone. */
export type CardSource = 'card-file' | 'sidecar' | 'metadata' | 'flags';

/** Card fields a user can give on the command line. */
export interface CardFlags {
  id?: string;
  objective?: string;
  vocab?: string;
  maxLength?: number;
  trainTokens?: number;
}

export const METADATA_CARD_KEY = 'plmbench.card';

export function sidecarPath(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.card.json';
}

export interface ResolvedCard {
  card: ModelCard;
  source: CardSource;
  /** File the card was read from, when it came from a file. */
  file?: string;
  /** Fields the flags replaced in a card from another source. */
  overridden: string[];
}

/**
 * Finds the model card: `--card`, else the sidecar `x.card.json`, else the ONNX metadata entry
 * `plmbench.card`, else the flags alone. Flags given next to a card override its fields (reported in
 * `overridden`). The result is validated against `results/schema/card.schema.json`.
 */
export function resolveCard(modelPath: string, info: OnnxFileInfo, opts: { cardPath?: string; flags?: CardFlags }): ResolvedCard {
  const flags = opts.flags ?? {};
  let raw: Record<string, unknown> | null = null;
  let source: CardSource = 'flags';
  let file: string | undefined;
  if (opts.cardPath) {
    if (!existsSync(opts.cardPath)) throw new BenchError('E_CARD', `${opts.cardPath}: card file not found`);
    if (!statSync(opts.cardPath).isFile()) throw new BenchError('E_CARD', `${opts.cardPath}: not a file`);
    raw = parseJsonObject(readFileSync(opts.cardPath, 'utf8'), opts.cardPath);
    source = 'card-file';
    file = opts.cardPath;
  } else if (existsSync(sidecarPath(modelPath)) && statSync(sidecarPath(modelPath)).isFile()) {
    file = sidecarPath(modelPath);
    raw = parseJsonObject(readFileSync(file, 'utf8'), file);
    source = 'sidecar';
  } else if (info.metadata[METADATA_CARD_KEY] !== undefined) {
    raw = parseJsonObject(info.metadata[METADATA_CARD_KEY], `${modelPath} (metadata ${METADATA_CARD_KEY})`);
    source = 'metadata';
    file = modelPath;
  }
  const overridden: string[] = [];
  const card: Record<string, unknown> = raw
    ? { ...raw }
    : {
        id: basename(modelPath)
          .replace(/\.onnx$/i, '')
          .replace(/[^A-Za-z0-9._+-]/g, '_'),
      };
  const set = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (raw && key in raw && raw[key] !== value) overridden.push(key);
    card[key] = value;
  };
  set('id', flags.id);
  set('objective', flags.objective);
  set('vocab', flags.vocab);
  set('maxLength', flags.maxLength);
  set('trainTokens', flags.trainTokens);
  const where = file ?? `${modelPath} (card from flags)`;
  if (!raw && (card['objective'] === undefined || card['vocab'] === undefined || card['maxLength'] === undefined)) {
    throw new BenchError(
      'E_CARD',
      `${modelPath}: no model card (no --card, no ${basename(sidecarPath(modelPath))}, no ${METADATA_CARD_KEY} metadata); give --objective, --vocab and --max-length`,
    );
  }
  const errors = schemaErrors('card', card);
  if (errors.length > 0) throw new BenchError('E_CARD', `${where}: invalid model card: ${errors.join('; ')}`);
  const conflict = computeConflict(card as unknown as ModelCard);
  if (conflict) throw new BenchError('E_CARD', `${where}: invalid model card: ${conflict}`);
  return { card: card as unknown as ModelCard, source, ...(file ? { file } : {}), overridden };
}

/**
 * Why the card's compute fields contradict each other, or null. Next to `stages`, `trainTokens` must be
 * the sum of the stages' tokens (every stage giving tokens) and `trainFlops` the sum of their FLOPs
 * (every stage giving flops): compute is the stages' sum, and a second, different total would be
 * ambiguous. `trainFlopsRange` must be ordered and contain `trainFlops` (or the stages' FLOPs sum).
 * Checks that need the graph's parameter count (tokens -> FLOPs) are made where compute is accounted.
 */
export function computeConflict(card: ModelCard): string | null {
  const far = (a: number, b: number) => Math.abs(a - b) > 1e-6 * Math.max(Math.abs(a), Math.abs(b));
  const stages = card.stages ?? [];
  let flops = card.trainFlops;
  const bare = stages.findIndex((s) => s.tokens === undefined && s.flops === undefined);
  if (bare >= 0) return `stages[${bare}] gives neither tokens nor flops`;
  if (stages.length > 0) {
    const sumTokens = stages.every((s) => s.tokens !== undefined) ? stages.reduce((a, s) => a + s.tokens!, 0) : null;
    const sumFlops = stages.every((s) => s.flops !== undefined) ? stages.reduce((a, s) => a + s.flops!, 0) : null;
    if (card.trainTokens !== undefined && (sumTokens === null || far(card.trainTokens, sumTokens))) {
      return `trainTokens ${card.trainTokens} is not the sum of the stages' tokens (${sumTokens === null ? 'a stage gives no tokens' : sumTokens}); give stages or trainTokens`;
    }
    if (card.trainFlops !== undefined && (sumFlops === null || far(card.trainFlops, sumFlops))) {
      return `trainFlops ${card.trainFlops} is not the sum of the stages' flops (${sumFlops === null ? 'a stage gives no flops' : sumFlops}); give stages or trainFlops`;
    }
    flops = sumFlops ?? undefined;
  }
  if (card.trainFlopsRange) {
    const [lo, hi] = card.trainFlopsRange;
    if (!(lo <= hi)) return `trainFlopsRange [${lo}, ${hi}] is not ordered (low, high)`;
    if (flops !== undefined && (flops < lo * (1 - 1e-9) || flops > hi * (1 + 1e-9)))
      return `training compute ${flops} FLOPs is not inside trainFlopsRange [${lo}, ${hi}]`;
  }
  return null;
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BenchError('E_CARD', `${where}: not valid JSON (${(e as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new BenchError('E_CARD', `${where}: a model card must be a JSON object`);
  return v as Record<string, unknown>;
}
