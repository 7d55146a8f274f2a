import { resolve } from 'node:path';
import { baselinesDir, readJsonData } from './data-files.js';
import type { FittedRange, FrontierPosition, ModelCompute, Objective, ScalingLaw, ScalingLaws } from './types.js';

const LAWS_FILE = resolve(baselinesDir, 'scaling-laws.json');

let cached: ScalingLaws | null = null;

/** The compute-optimal laws (results/baselines/scaling-laws.json), validated, read once. */
export function loadScalingLaws(path = LAWS_FILE): ScalingLaws {
  if (path === LAWS_FILE && cached) return cached;
  const { data, sha256, file } = readJsonData<Omit<ScalingLaws, 'file' | 'sha256'>>(path, 'scaling-laws', 'scaling-law data');
  const laws: ScalingLaws = { source: data.source, provenance: data.provenance, compute: data.compute, fittedRange: data.fittedRange, laws: data.laws, file, sha256 };
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

/**
 * N / N_opt(C) and D / D_opt(C) under both laws; `primary` marks the law of the model's objective.
 * `outsideFittedRange` (with `rangeNote`) when C is outside the laws' fitted compute range or N_opt(C)
 * outside their fitted parameter range: the numbers are then extrapolations.
 */
export function frontierPositions(laws: ScalingLaws, compute: ModelCompute, objective: Objective): FrontierPosition[] {
  if (compute.flops === null) return [];
  const C = compute.flops;
  return (['mlm', 'clm'] as const).map((o) => {
    const law = laws.laws[o];
    const n = nOpt(law, C);
    const d = dOpt(law, C);
    const note = fittedRangeNote(laws.fittedRange, C, n);
    return {
      objective: o,
      primary: o === objective,
      nOpt: n,
      dOpt: d,
      nRatio: compute.params / n,
      dRatio: compute.tokens === null ? null : compute.tokens / d,
      outsideFittedRange: note !== null,
      ...(note !== null ? { rangeNote: note } : {}),
    };
  });
}

/** Why compute C (and the law's N_opt there) is outside the fitted range, or null when inside. */
function fittedRangeNote(range: FittedRange, flops: number, nOptAtC: number): string | null {
  const [cLo, cHi] = range.flops;
  const [pLo, pHi] = range.params;
  const decades = (x: number, edge: number) => Math.abs(Math.log10(x / edge)).toFixed(1);
  const span = `(${short(cLo)} to ${short(cHi)} FLOPs)`;
  const tail = 'N_opt, D_opt and the ratios are extrapolations';
  if (flops < cLo) return `C = ${sci(flops)} FLOPs is below the compute range the laws were fitted on ${span}, by ${decades(flops, cLo)} decades: ${tail}`;
  if (flops > cHi) return `C = ${sci(flops)} FLOPs is above the compute range the laws were fitted on ${span}, by ${decades(flops, cHi)} decades: ${tail}`;
  if (nOptAtC < pLo || nOptAtC > pHi) {
    return `N_opt(C) = ${sci(nOptAtC)} is outside the model sizes the laws were fitted on (${short(pLo)} to ${short(pHi)} parameters): ${tail}`;
  }
  return null;
}

/** 2.009e20: four significant digits in exponential form (compute, token and parameter counts in messages). */
export function sci(x: number): string {
  return x.toExponential(3).replace('e+', 'e');
}

/** 1e18, 3.5e6, 1.07e10: the shortest exponential form. */
function short(x: number): string {
  return x.toExponential().replace('e+', 'e');
}
