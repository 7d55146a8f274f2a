import { resolve } from 'node:path';
import { BenchError } from '../util/errors.js';
import { baselinesDir, readJsonData } from './data-files.js';
import type { BaselineModel, BaselineRegistry, ModelCompute } from './types.js';

const REGISTRY_FILE = resolve(baselinesDir, 'models.json');

let cached: BaselineRegistry | null = null;

/**
 * The baseline registry (results/baselines/models.json): validated against baselines.schema.json,
 * ids unique, every model's family declared, and trainFlops = 6 * nonEmbedding * trainTokens where all
 * three are given (to 1e-9).
 */
export function loadBaselineRegistry(path = REGISTRY_FILE): BaselineRegistry {
  if (path === REGISTRY_FILE && cached) return cached;
  const { data, sha256, file } = readJsonData<Omit<BaselineRegistry, 'file' | 'sha256'>>(path, 'baselines', 'baseline registry');
  const seen = new Set<string>();
  for (const m of data.models) {
    if (seen.has(m.id)) throw new BenchError('E_DATA', `${path}: model id "${m.id}" is listed twice`);
    seen.add(m.id);
    if (!data.families[m.family])
      throw new BenchError('E_DATA', `${path}: model ${m.id}: family "${m.family}" is not declared under families`);
    const N = m.params.nonEmbedding;
    const D = m.trainTokens.value;
    const C = m.trainFlops.value;
    if (N !== null && D !== null && C !== null && Math.abs(C - 6 * N * D) > 1e-9 * C) {
      throw new BenchError('E_DATA', `${path}: model ${m.id}: trainFlops ${C} is not 6 * nonEmbedding * trainTokens = ${6 * N * D}`);
    }
    for (const [name, fact] of [
      ['trainTokens', m.trainTokens],
      ['trainFlops', m.trainFlops],
    ] as const) {
      const r = fact.range;
      if (!r) continue;
      if (!(r[0] <= r[1]) || fact.value === null || fact.value < r[0] * (1 - 1e-12) || fact.value > r[1] * (1 + 1e-12)) {
        throw new BenchError('E_DATA', `${path}: model ${m.id}: ${name} ${fact.value} is not inside its range [${r[0]}, ${r[1]}]`);
      }
    }
    const tr = m.trainTokens.range;
    const fr = m.trainFlops.range;
    if ((tr === undefined) !== (fr === undefined) && N !== null && D !== null) {
      throw new BenchError('E_DATA', `${path}: model ${m.id}: trainTokens and trainFlops must both give a range or neither`);
    }
    if (tr && fr && N !== null && (Math.abs(fr[0] - 6 * N * tr[0]) > 1e-9 * fr[0] || Math.abs(fr[1] - 6 * N * tr[1]) > 1e-9 * fr[1])) {
      throw new BenchError(
        'E_DATA',
        `${path}: model ${m.id}: trainFlops range [${fr[0]}, ${fr[1]}] is not 6 * nonEmbedding * the trainTokens range`,
      );
    }
  }
  const registry: BaselineRegistry = { ...data, file, sha256 };
  if (path === REGISTRY_FILE) cached = registry;
  return registry;
}

export function registryModel(registry: BaselineRegistry, id: string): BaselineModel | undefined {
  return registry.models.find((m) => m.id === id);
}

/** A registry model's training compute from its facts (source `registry`), or null when it lacks N or C. */
export function registryCompute(m: BaselineModel): ModelCompute | null {
  if (m.params.nonEmbedding === null || m.trainFlops.value === null) return null;
  const tokens = m.trainTokens.value;
  return {
    flops: m.trainFlops.value,
    flopsSource: 'registry',
    ...(m.trainFlops.range ? { flopsRange: m.trainFlops.range } : {}),
    params: m.params.nonEmbedding,
    paramsSource: 'registry',
    tokens,
    tokensSource: tokens === null ? null : 'registry',
  };
}
