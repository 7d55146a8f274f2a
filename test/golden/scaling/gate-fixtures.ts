// Synthetic run pairs for the gate tests: two tasks, metrics of both directions, per-item values.
import { Rng } from '../../../src/util/rng.js';
import { items, syntheticRun, type SynthRun } from './runs.js';

export const N_ASSAYS = 40;
export const N_SEQS = 50;

/** Per-item values of the baseline run (seeded, fixed). */
export function baseValues() {
  const r = new Rng('gate-fixture');
  const fit = Array.from({ length: N_ASSAYS }, () => ({ spearman: 0.2 + 0.4 * r.next(), auc: 0.6 + 0.2 * r.next() }));
  const ppl = Array.from({ length: N_SEQS }, () => ({ perplexity: 8 + 6 * r.next(), nll: 2 + 0.5 * r.next() }));
  return { fit, ppl };
}

export function gateRun(id: string, v = baseValues(), extra: Partial<SynthRun> = {}) {
  return syntheticRun({
    id,
    objective: 'clm',
    params: 1e6,
    trainTokens: 1e9,
    tasks: {
      fitness: { headline: 'spearman', directions: { spearman: true, auc: true }, items: items(N_ASSAYS, (i) => v.fit[i]!) },
      perplexity: { headline: 'perplexity', directions: { perplexity: false, nll: false }, items: items(N_SEQS, (i) => v.ppl[i]!) },
    },
    ...extra,
  });
}

/** Zero-mean noise: n normal draws with their mean subtracted, scaled to standard deviation `sd`. */
export function zeroMeanNoise(n: number, sd: number, seed: string): number[] {
  const r = new Rng(seed);
  const x = Array.from({ length: n }, () => r.normal());
  const m = x.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
  return x.map((v) => ((v - m) / s) * sd);
}
