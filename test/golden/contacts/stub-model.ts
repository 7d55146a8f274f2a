/**
 * A stand-in for the runner in the contacts tests: a ModelHandle whose `forward` hands each request to the
 * task's reducer with outputs made by a function of the request (no ONNX). It lets the tests feed golden
 * attention maps, or window-dependent values, through the task's own reducers and stitching.
 */
import type { ModelHandle, OutputName, OutputView, ForwardRequest, ForwardSpec } from '../../../src/model/index.js';
import { Vocabulary } from '../../../src/model/index.js';
import type { CachedArray } from '../../../src/cache/store.js';

export type OutputsFor = (tokens: Int32Array, index: number) => Partial<Record<OutputName, OutputView>>;

export function stubModel(opts: {
  maxLength: number;
  outputs: OutputsFor;
  capabilities: OutputName[];
  layers?: number;
  heads?: number;
}): ModelHandle & { calls: number } {
  const vocab = Vocabulary.from('esm');
  const handle = {
    calls: 0,
    path: '/stub.onnx',
    sha256: '0'.repeat(64),
    card: { id: 'stub', objective: 'mlm', vocab: 'esm', maxLength: opts.maxLength } as unknown as ModelHandle['card'],
    vocab,
    ep: 'cpu',
    precision: 'float32',
    capabilities: new Set([...opts.capabilities, 'mlm']),
    shape: { layers: opts.layers ?? null, heads: opts.heads ?? null, hiddenSize: null },
    maxLength: opts.maxLength,
    maxResidues: opts.maxLength - vocab.specialCount,
    encode: (s: string) => vocab.encode(s),
    async forward(requests: ForwardRequest[], spec: ForwardSpec): Promise<CachedArray[]> {
      return requests.map((r, i) => {
        handle.calls++;
        if (r.tokens.length > opts.maxLength) throw new Error(`stub: request of ${r.tokens.length} tokens`);
        const outputs = opts.outputs(r.tokens, i);
        for (const o of spec.outputs) if (!outputs[o]) throw new Error(`stub: no ${o}`);
        return spec.reduce({ length: r.tokens.length, tokens: r.tokens, outputs }, i);
      });
    },
  };
  return handle as unknown as ModelHandle & { calls: number };
}
