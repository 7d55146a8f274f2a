/**
 * Options of the generation task (`--option generation.<key>=<value>`), normalised and checked in one place.
 * Every error is one line naming the option, the rule and the value received.
 */
import type { Tier } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import type { SamplingSettings } from './sampler.js';

export interface GenerationSettings extends SamplingSettings {
  /** Masked reference: residues masked together per pass are `maskStride` apart (see scoring.ts). */
  maskStride: number;
}

/** Defaults per tier (README "Tiers" and "Sampling" give the reasons). */
export const TIER_DEFAULTS: Record<Tier, { samples: number; maxLength: number }> = {
  smoke: { samples: 16, maxLength: 100 },
  full: { samples: 64, maxLength: 150 },
};

export const DEFAULTS = {
  temperature: 1.0,
  topP: 0.95,
  topK: 0,
  minLength: 30,
  maskStride: 8,
} as const;

export const MAX_SAMPLES = 1024;

interface OptionSpec {
  key: string;
  values: string;
  description: string;
}

export const OPTION_SPECS: OptionSpec[] = [
  { key: 'samples', values: `integer 2-${MAX_SAMPLES}`, description: 'number of sequences sampled' },
  { key: 'temperature', values: 'number > 0', description: 'softmax temperature (logits / T), applied first' },
  {
    key: 'top_p',
    values: 'number in (0, 1]',
    description: 'nucleus sampling: keep the smallest set of tokens whose probability is >= p (1 = off), applied after top_k',
  },
  {
    key: 'top_k',
    values: 'integer >= 0',
    description: 'keep the k most probable tokens (ties at the boundary kept; 0 = off), applied after the temperature',
  },
  { key: 'min_length', values: 'integer >= 1', description: 'residues before the end token may be drawn' },
  {
    key: 'max_length',
    values: "integer >= min_length, at most the model's residues",
    description: 'residues at most; a sample that reaches it stops without an end token',
  },
  {
    key: 'ref_mask_stride',
    values: 'integer >= 1',
    description:
      'masked reference: residues masked together in one pass are this far apart (passes per sequence = stride; >= length gives the exact pseudo-log-likelihood)',
  },
];

/**
 * Reads the options for a tier against the models' lengths (`maxResidues` of the generating model and of the
 * reference, when given).
 */
export function readOptions(
  options: Record<string, string>,
  tier: Tier,
  maxResidues: number,
  refMaxResidues: number | null,
): GenerationSettings {
  const known = OPTION_SPECS.map((o) => o.key);
  for (const key of Object.keys(options)) {
    if (!known.includes(key))
      throw new BenchError('E_USAGE', `--option generation.${key}: unknown option (generation takes: ${known.join(', ')})`);
  }
  const tierDefaults = TIER_DEFAULTS[tier];
  const num = (key: string, fallback: number, rule: string, ok: (v: number) => boolean, integer: boolean): number => {
    const raw = options[key];
    if (raw === undefined) return fallback;
    const v = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || !ok(v))
      throw new BenchError('E_USAGE', `--option generation.${key}: must be ${rule}, got "${raw}"`);
    return v;
  };
  const samples = num('samples', tierDefaults.samples, `an integer from 2 to ${MAX_SAMPLES}`, (v) => v >= 2 && v <= MAX_SAMPLES, true);
  const temperature = num('temperature', DEFAULTS.temperature, 'a number > 0', (v) => v > 0, false);
  const topP = num('top_p', DEFAULTS.topP, 'a number in (0, 1]', (v) => v > 0 && v <= 1, false);
  const topK = num('top_k', DEFAULTS.topK, 'an integer >= 0 (0 = off)', (v) => v >= 0, true);
  const limit = Math.min(maxResidues, refMaxResidues ?? Infinity);
  const limitWhy =
    refMaxResidues !== null && refMaxResidues < maxResidues
      ? `the reference model reads ${refMaxResidues} residues`
      : `the model reads ${maxResidues} residues`;
  const minLength = num('min_length', DEFAULTS.minLength, `an integer from 1 to ${limit} (${limitWhy})`, (v) => v >= 1 && v <= limit, true);
  const maxDefault = Math.min(tierDefaults.maxLength, limit);
  const maxLength = num('max_length', maxDefault, `an integer from 1 to ${limit} (${limitWhy})`, (v) => v >= 1 && v <= limit, true);
  if (minLength > maxLength) {
    throw new BenchError(
      'E_USAGE',
      `--option generation.min_length (${minLength}) is greater than generation.max_length (${maxLength})${options['max_length'] === undefined ? ' (the tier default)' : ''}`,
    );
  }
  const maskStride = num('ref_mask_stride', DEFAULTS.maskStride, 'an integer >= 1', (v) => v >= 1, true);
  return { samples, temperature, topP, topK, minLength, maxLength, maskStride };
}
