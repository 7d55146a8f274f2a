import type { ModelHandle } from '../../src/model/index.js';
import { BenchError } from '../../src/util/errors.js';
import type { CausalStrategy, MaskedStrategy, Strategy } from './scoring.js';

export const MASKED_STRATEGIES: readonly MaskedStrategy[] = ['masked-marginals', 'wt-marginals', 'pseudo-ppl'];
export const CAUSAL_STRATEGIES: readonly CausalStrategy[] = ['causal-llr', 'progen2-proteingym'];

export interface FitnessOptions {
  strategy: Strategy;
  /** Write every variant's score beside the result (`<run>.fitness-scores.csv`). */
  writeScores: boolean;
}

export const OPTION_KEYS = ['strategy', 'scores'] as const;

/**
 * The default strategy: the one whose protocol produced the same-data baselines of the model's family, where
 * it applies. Masked LMs: `masked-marginals`, ProteinGym's ESM-2 protocol. Causal LMs with the progen2
 * vocabulary: `progen2-proteingym`, ProteinGym's ProGen2 protocol (its same-data ProGen2 numbers were made
 * with it, so a matched-compute comparison with them is like for like; `causal-llr` stays available and is
 * labelled `protocol differs` against them). Other causal vocabularies: `causal-llr`, since ProteinGym's
 * ProGen2 scoring hard-codes ProGen2's token ids and cannot run on them.
 */
export function defaultStrategy(model: Pick<ModelHandle, 'card' | 'vocab'>): Strategy {
  if (model.card.objective === 'mlm') return 'masked-marginals';
  return model.vocab.name === 'progen2' ? 'progen2-proteingym' : 'causal-llr';
}

/**
 * `--option fitness.<key>=<value>`, checked against the model: masked strategies need a masked LM,
 * causal ones a causal LM, `progen2-proteingym` the progen2 vocabulary. Unknown keys are errors.
 */
export function normalizeOptions(raw: Record<string, string>, model: Pick<ModelHandle, 'card' | 'vocab'>): FitnessOptions {
  for (const key of Object.keys(raw)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new BenchError('E_USAGE', `--option fitness.${key}: unknown option (options: ${OPTION_KEYS.join(', ')})`);
    }
  }
  const masked = model.card.objective === 'mlm';
  const allowed: readonly Strategy[] = masked ? MASKED_STRATEGIES : CAUSAL_STRATEGIES;
  const strategy = (raw['strategy'] ?? defaultStrategy(model)) as Strategy;
  if (![...MASKED_STRATEGIES, ...CAUSAL_STRATEGIES].includes(strategy)) {
    throw new BenchError(
      'E_USAGE',
      `--option fitness.strategy: must be one of ${[...MASKED_STRATEGIES, ...CAUSAL_STRATEGIES].join(', ')}, got "${strategy}"`,
    );
  }
  if (!allowed.includes(strategy)) {
    throw new BenchError(
      'E_USAGE',
      `--option fitness.strategy=${strategy}: needs a ${masked ? 'causal' : 'masked'} LM, and this model is ${masked ? 'masked' : 'causal'} (its strategies: ${allowed.join(', ')})`,
    );
  }
  if (strategy === 'progen2-proteingym' && model.vocab.name !== 'progen2') {
    throw new BenchError(
      'E_USAGE',
      `--option fitness.strategy=progen2-proteingym: needs the progen2 vocabulary (ProteinGym's ProGen2 scoring hard-codes its token ids), this model uses "${model.vocab.name}"`,
    );
  }
  const s = raw['scores'] ?? 'false';
  if (!['true', 'false', '1', '0'].includes(s))
    throw new BenchError('E_USAGE', `--option fitness.scores: must be true or false, got "${s}"`);
  return { strategy, writeScores: s === 'true' || s === '1' };
}
