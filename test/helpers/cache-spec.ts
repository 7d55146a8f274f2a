import type { ForwardSpec } from '../../src/model/runner.js';

/** A reducer for cache tests: the mean logit of a sequence and its length (float64). */
export function meanLogitSpec(reducer = 'test.mean-logit.v1'): ForwardSpec {
  return {
    outputs: ['logits'],
    reducer,
    reduce: (o) => {
      const V = o.outputs.logits!.dims[1]!;
      let s = 0;
      for (let i = 0; i < o.length * V; i++) s += o.outputs.logits!.data[i]!;
      return Float64Array.of(s / (o.length * V), o.length);
    },
  };
}
