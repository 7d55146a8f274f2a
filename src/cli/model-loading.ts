import { BenchError } from '../util/errors.js';
import { CacheStore, defaultCacheDir } from '../cache/store.js';
import type { CacheLike } from '../model/cache-layers.js';
import { loadModel, type LoadedModel } from '../model/model.js';
import type { CardFlags } from '../model/card.js';
import { autoSummary, type EpChoice } from '../model/session.js';
import { checkConformance, CONFORMANCE_SEQUENCE, type ConformanceReport } from '../model/conformance.js';
import { computeWarning, maskedWarnings } from '../model/declared-objective.js';
import type { OutputName } from '../model/contract.js';
import type { CliIo } from './io.js';

export function openCache(cacheDir: string | null | undefined, warn?: (message: string) => void): CacheStore {
  return new CacheStore(cacheDir === null ? null : (cacheDir ?? defaultCacheDir()), warn);
}

export interface ModelFlags {
  card?: string;
  cardFlags?: CardFlags;
  ep: EpChoice;
  threads?: number;
  maxTokens?: number;
  maxBatch?: number;
}

/** Loads a model for a command, telling stderr about provider fallbacks and card overrides. */
export async function loadForCli(path: string, flags: ModelFlags, cache: CacheLike, io: CliIo, quiet: boolean): Promise<LoadedModel> {
  const model = await loadModel(path, {
    ...(flags.card ? { cardPath: flags.card } : {}),
    ...(flags.cardFlags ? { cardFlags: flags.cardFlags } : {}),
    ep: flags.ep,
    ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
    batch: {
      ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
      ...(flags.maxBatch !== undefined ? { maxBatch: flags.maxBatch } : {}),
    },
    cache,
  });
  // One line for --ep auto: which provider ran and why the ones before it were skipped.
  if (flags.ep === 'auto' && !quiet) io.stderr(`${autoSummary(model.ep, model.fallbacks, model.adapter)}\n`);
  if (model.cardOverridden.length > 0 && !quiet) {
    io.stderr(`bench: flags override card fields: ${model.cardOverridden.join(', ')}\n`);
  }
  if (!quiet) {
    const compute = computeWarning(model.card);
    const masked = await maskedWarnings(model, CONFORMANCE_SEQUENCE.slice(0, Math.max(1, model.maxResidues)));
    for (const w of [...(compute ? [compute] : []), ...masked]) io.stderr(`bench: warning: ${path}: ${w}\n`);
  }
  return model;
}

/** Runs the conformance check on every exported output; a failed check is a user-facing model error. */
export async function requireConformance(model: LoadedModel): Promise<ConformanceReport> {
  const outputs = Object.keys(model.io.outputs) as OutputName[];
  const report = await checkConformance(model, outputs, model.batchPolicy.maxBatch === 1);
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    const hint = failed.some((c) => c.name.startsWith('right padding'))
      ? ' (if the export ignores padding, --max-batch 1 runs every sequence alone)'
      : '';
    throw new BenchError(
      'E_MODEL',
      `${model.path}: conformance check failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}${hint}`,
    );
  }
  return report;
}
