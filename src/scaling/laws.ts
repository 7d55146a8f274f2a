import { resolve } from 'node:path';
import { baselinesDir, readJsonData } from './data-files.js';
import type { FrontierPosition, ModelCompute, Objective, ScalingLaw, ScalingLaws } from './types.js';

export const LAWS_FILE = resolve(baselinesDir, 'scaling-laws.json');

let cached: ScalingLaws | null = null;

/** The compute-optimal laws (results/baselines/scaling-laws.json), validated, read once. */
export function loadScalingLaws(path = LAWS_FILE): ScalingLaws {
  if (path === LAWS_FILE && cached) return cached;
  const { data, sha256, file } = readJsonData<Omit<ScalingLaws, 'file' | 'sha256'>>(path, 'scaling-laws', 'scaling-law data');
  const laws: ScalingLaws = { source: data.source, provenance: data.provenance, compute: data.compute, laws: data.laws, file, sha256 };
  if (path === LAWS_FILE) cached = laws;
  return laws;
}

/** Compute-optimal non-embedding parameters at compute C: A * C^a. */
export function nOpt(law: ScalingLaw, flops: number): number {
  return law.A * Math.pow(flops, law.a);
}

/** Compute-optimal training tokens at compute C: B * C^b. */
export function dOpt(law: ScalingLaw, flops: number): number {
  return law.B * Math.pow(flops, law.b);
}

/** N / N_opt(C) and D / D_opt(C) under both laws; `primary` marks the law of the model's objective. */
export function frontierPositions(laws: ScalingLaws, compute: ModelCompute, objective: Objective): FrontierPosition[] {
  if (compute.flops === null) return [];
  const C = compute.flops;
  return (['mlm', 'clm'] as const).map((o) => {
    const law = laws.laws[o];
    const n = nOpt(law, C);
    const d = dOpt(law, C);
    return { objective: o, primary: o === objective, nOpt: n, dOpt: d, nRatio: compute.params / n, dRatio: compute.tokens === null ? null : compute.tokens / d };
  });
}
