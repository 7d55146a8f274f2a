import { resolve } from 'node:path';
import { BenchError } from '../util/errors.js';
import { baselinesDir, readJsonData } from './data-files.js';
import type { FittedRange, FrontierPosition, LawSets, LawSpread, ModelCompute, Objective, ScalingLaw, ScalingLaws } from './types.js';

const LAWS_FILE = resolve(baselinesDir, 'scaling-laws.json');

let cached: LawSets | null = null;

interface LawsFile {
  compute: string;
  default: string;
  defaultReason: string;
  sets: Omit<ScalingLaws, 'compute' | 'file' | 'sha256'>[];
}

/**
 * Every set of compute-optimal laws (results/baselines/scaling-laws.json), validated, read once: ids
 * unique and the default one of them.
 */
export function loadLawSets(path = LAWS_FILE): LawSets {
  if (path === LAWS_FILE && cached) return cached;
  const { data, sha256, file } = readJsonData<LawsFile>(path, 'scaling-laws', 'scaling-law data');
  const seen = new Set<string>();
  for (const s of data.sets) {
    if (seen.has(s.id)) throw new BenchError('E_DATA', `${path}: law set "${s.id}" is listed twice`);
    seen.add(s.id);
  }
  if (!seen.has(data.default))
    throw new BenchError('E_DATA', `${path}: default law set "${data.default}" is not one of the sets (${[...seen].join(', ')})`);
  const sets = data.sets.map((s) => ({ ...s, compute: data.compute, file, sha256 }));
  const out: LawSets = { default: data.default, defaultReason: data.defaultReason, compute: data.compute, sets, file, sha256 };
  if (path === LAWS_FILE) cached = out;
  return out;
}

/**
 * One set of laws: `id` (from --law or the card's `scalingLaw`), else the file's default. An unknown id
 * is a BenchError that lists the known ones; `where` names what gave it (`--law`, the card).
 */
export function loadScalingLaws(id?: string, where = '--law', path = LAWS_FILE): ScalingLaws {
  const all = loadLawSets(path);
  const want = id ?? all.default;
  const set = all.sets.find((s) => s.id === want);
  if (!set)
    throw new BenchError(
      where === '--law' ? 'E_USAGE' : 'E_CARD',
      `${where}: unknown scaling law "${want}" (known: ${all.sets.map((s) => s.id).join(', ')})`,
    );
  return set;
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
 * N / N_opt(C) and D / D_opt(C) under both objectives' laws of one set; `primary` marks the law of the
 * model's objective. `outsideFittedRange` (with `rangeNote`) when C is outside that law's fitted compute
 * range or N_opt(C) outside its fitted parameter range: the numbers are then extrapolations.
 */
export function frontierPositions(laws: ScalingLaws, compute: ModelCompute, objective: Objective): FrontierPosition[] {
  if (compute.flops === null) return [];
  const C = compute.flops;
  return (['mlm', 'clm'] as const).map((o) => {
    const law = laws.laws[o];
    const n = nOpt(law, C);
    const d = dOpt(law, C);
    const note = fittedRangeNote(law.fittedRange, C, n);
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

/**
 * N/N_opt (and D/D_opt) of a model under every law set, per objective, with the ratio of the largest to
 * the smallest N/N_opt: what a report shows next to N/N_opt so that a reader sees how much the number
 * depends on the choice of law. Empty without compute.
 */
export function lawSpread(sets: LawSets, compute: ModelCompute, objective: Objective): LawSpread[] {
  if (compute.flops === null) return [];
  return (['mlm', 'clm'] as const).map((o) => {
    const byLaw = sets.sets.map((s) => {
      const f = frontierPositions(s, compute, objective).find((x) => x.objective === o)!;
      return { law: s.id, nOpt: f.nOpt, nRatio: f.nRatio, dRatio: f.dRatio, outsideFittedRange: f.outsideFittedRange };
    });
    const ratios = byLaw.map((b) => b.nRatio);
    const lo = Math.min(...ratios);
    const hi = Math.max(...ratios);
    return { objective: o, primary: o === objective, byLaw, nRatioMin: lo, nRatioMax: hi, factor: hi / lo };
  });
}

/** Why compute C (and the law's N_opt there) is outside the fitted range, or null when inside. */
function fittedRangeNote(range: FittedRange, flops: number, nOptAtC: number): string | null {
  const [cLo, cHi] = range.flops;
  const [pLo, pHi] = range.params;
  const decades = (x: number, edge: number) => Math.abs(Math.log10(x / edge)).toFixed(1);
  const span = `(${short(cLo)} to ${short(cHi)} FLOPs)`;
  const tail = 'N_opt, D_opt and the ratios are extrapolations';
  if (flops < cLo)
    return `C = ${sci(flops)} FLOPs is below the compute range the law was fitted on ${span}, by ${decades(flops, cLo)} decades: ${tail}`;
  if (flops > cHi)
    return `C = ${sci(flops)} FLOPs is above the compute range the law was fitted on ${span}, by ${decades(flops, cHi)} decades: ${tail}`;
  if (nOptAtC < pLo || nOptAtC > pHi) {
    return `N_opt(C) = ${sci(nOptAtC)} is outside the model sizes the law was fitted on (${short(pLo)} to ${short(pHi)} parameters): ${tail}`;
  }
  return null;
}

/** 2.009e20: four significant digits in exponential form (compute, token and parameter counts in messages). */
export function sci(x: number): string {
  return x.toExponential(3).replace('e+', 'e');
}

/** 1e18, 3.5e6, 1.07e10: at most four significant digits, shortest exponential form. */
function short(x: number): string {
  return Number(x.toPrecision(4)).toExponential().replace('e+', 'e');
}
