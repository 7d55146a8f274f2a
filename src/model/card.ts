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
    raw = parseJsonObject(info.metadata[METADATA_CARD_KEY]!, `${modelPath} (metadata ${METADATA_CARD_KEY})`);
    source = 'metadata';
    file = modelPath;
  }
  const overridden: string[] = [];
  const card: Record<string, unknown> = raw ? { ...raw } : { id: basename(modelPath).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9._+-]/g, '_') };
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
  return { card: card as unknown as ModelCard, source, ...(file ? { file } : {}), overridden };
}

function parseJsonObject(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BenchError('E_CARD', `${where}: not valid JSON (${(e as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BenchError('E_CARD', `${where}: a model card must be a JSON object`);
  return v as Record<string, unknown>;
}
