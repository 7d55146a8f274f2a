// Synthetic runs for the leaderboard tests: two masked models, one causal model, same task data.
import type { SynthRun } from './runs.js';
import { items, syntheticRun } from './runs.js';

const fit = (base: number) => items(12, (i) => ({ spearman: base + 0.01 * (i % 4) }));
const ppl = (base: number, metric: string) => items(20, (i) => ({ [metric]: base + 0.1 * (i % 5) }));

export function maskedA(extra: Partial<SynthRun> = {}) {
  return syntheticRun({
    id: 'masked-a',
    objective: 'mlm',
    params: 3e7,
    trainTokens: 2e10,
    tasks: {
      fitness: { headline: 'spearman', directions: { spearman: true }, items: fit(0.4) },
      perplexity: { headline: 'pseudo_perplexity', directions: { pseudo_perplexity: false }, items: ppl(9, 'pseudo_perplexity') },
    },
    ...extra,
  });
}

export function maskedB(extra: Partial<SynthRun> = {}) {
  return syntheticRun({
    id: 'masked-b',
    objective: 'mlm',
    params: 8e6,
    trainTokens: 1e10,
    tasks: {
      fitness: { headline: 'spearman', directions: { spearman: true }, items: fit(0.25) },
      perplexity: { headline: 'pseudo_perplexity', directions: { pseudo_perplexity: false }, items: ppl(7, 'pseudo_perplexity') },
    },
    ...extra,
  });
}

export function causalC(extra: Partial<SynthRun> = {}) {
  return syntheticRun({
    id: 'causal-c',
    objective: 'clm',
    params: 1.5e8,
    trainTokens: 5e10,
    tasks: {
      fitness: { headline: 'spearman', directions: { spearman: true }, items: fit(0.3) },
      perplexity: { headline: 'perplexity', directions: { perplexity: false }, items: ppl(11, 'perplexity') },
    },
    ...extra,
  });
}
