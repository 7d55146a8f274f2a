import { buildTransformer, transformerParams, type TransformerSpec } from '../../models/fixtures/transformer.js';
import { buildSiteIndependent } from '../../models/fixtures/known-answer.js';
import { writeFixture } from '../../models/fixtures/write.js';
import { CacheStore } from '../../src/cache/store.js';
import { loadModel, type LoadedModel } from '../../src/model/model.js';
import { Vocabulary, type VocabPreset } from '../../src/model/vocab.js';
import type { BatchPolicy } from '../../src/model/runner.js';
import { tempDir } from './tmp.js';

/** A small random transformer with a valid sidecar card, written to a temp folder. Returns its path. */
export function randomTransformer(layout: 'mlm' | 'clm', overrides: Partial<TransformerSpec> = {}, dir = tempDir()): string {
  const spec: TransformerSpec = { layout, layers: 2, dim: 32, heads: 4, maxLength: 128, seed: 1, ...overrides };
  const p = transformerParams(spec);
  const vocab = spec.vocab ?? (layout === 'mlm' ? 'esm' : 'progen2');
  const name = `rand-${layout}-${String(spec.seed)}`;
  return writeFixture(dir, name, buildTransformer(spec), {
    id: name,
    objective: layout,
    vocab,
    maxLength: spec.maxLength,
    params: p.nonEmbedding,
    paramsTotal: p.total,
    trainTokens: 1e6,
  });
}

/**
 * A site-independent known-answer model: logits at position t are row t of a seeded random table,
 * whatever the tokens. Returns the path and the table, so tests compute the right answer by hand.
 */
export function siteIndependentModel(
  objective: 'mlm' | 'clm',
  opts: { vocab?: VocabPreset; maxLength?: number; seed?: number; scale?: number; hiddenStates?: boolean; dir?: string } = {},
): { path: string; table: Float32Array; vocab: Vocabulary; maxLength: number } {
  const vocabName = opts.vocab ?? (objective === 'mlm' ? 'esm' : 'progen2');
  const vocab = Vocabulary.from(vocabName);
  const maxLength = opts.maxLength ?? 64;
  const V = vocab.size;
  let s = opts.seed ?? 3;
  const table = new Float32Array(maxLength * V);
  for (let i = 0; i < table.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    table[i] = ((s / 2 ** 32) * 2 - 1) * (opts.scale ?? 3);
  }
  const name = `site-independent-${objective}-${vocabName}`;
  const path = writeFixture(
    opts.dir ?? tempDir(),
    name,
    buildSiteIndependent({ table, vocabSize: V, maxLength, maskInput: objective === 'clm', hiddenStates: opts.hiddenStates ?? false }),
    { id: name, objective, vocab: vocabName, maxLength, trainTokens: 1e6 },
  );
  return { path, table, vocab, maxLength };
}

/** Loads a model on CPU with an in-memory cache (nothing written to disk). */
export async function loadTestModel(path: string, batch: Partial<BatchPolicy> = {}, cache = new CacheStore(null)): Promise<LoadedModel> {
  return loadModel(path, { ep: 'cpu', cache, batch });
}

/**
 * log-sum-exp of row `row` of a site-independent model's table (its logits at position `row`),
 * computed by hand for the tests' expected values, independently of src/model/logits.ts.
 */
export function tableLogSumExp(table: Float32Array, V: number, row: number): number {
  let m = -Infinity;
  for (let j = 0; j < V; j++) m = Math.max(m, table[row * V + j]!);
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(table[row * V + j]! - m);
  return m + Math.log(s);
}
