/**
 * The generation task's result, as a reader sees it: per-sequence items, the protocol written out in
 * words, the proxy's validation report and the pLDDT correlations. `index.ts` runs the model and
 * computes; this file only turns those numbers into the outcome.
 */
import type { ModelHandle } from '../../src/model/index.js';
import { pearson, perplexityFromNll, spearman } from '../../src/metrics/index.js';
import type { ItemResult, Tier } from '../../src/task/index.js';
import type { Rng } from '../../src/util/rng.js';
import { FILES, type PlddtFile, type Reference, type ValidationSequence } from './data.js';
import { NOVELTY_CANDIDATES } from './identity.js';
import type { GenerationSettings } from './options.js';
import { proxyParts, validateScores, type ValidationRow } from './proxy.js';
import type { GenerationResult } from './sampler.js';
import { LONG_RANGE, type SequenceScores } from './scoring.js';
import { complexity, REPEAT_K, SEG_DEFAULTS, STANDARD } from './sequence.js';
import { CLUSTER_THRESHOLD, NOVELTY_BINS, type ScoredSequence, type SetSummary } from './summary.js';

const VALIDATION_COMPONENTS = ['gain', 'minus_composition_penalty', 'ref_loglik', 'contact_confidence', 'complexity'] as const;

/** One sample or control sequence as an item of the result. */
export function resultItem(
  s: ScoredSequence,
  summary: SetSummary,
  o: { refIsSelf: boolean; withPlddt: boolean; idOf: (r: number) => string | null },
): ItemResult {
  return {
    id: s.id,
    n: s.sequence.length,
    metrics: {
      plddt_proxy: s.proxy.plddtProxy,
      ppl_self: perplexityFromNll(-s.selfLogLik, s.sequence.length),
      ...(o.refIsSelf ? {} : { ppl_ref: perplexityFromNll(-s.refLogLik!, s.sequence.length) }),
      contact_confidence: s.contactConfidence,
      low_complexity_fraction: s.complexity.either / s.complexity.length,
      max_identity: s.novelty.identity,
      ended: s.ended ? 1 : 0,
      length: s.sequence.length,
      ...(o.withPlddt ? { plddt: s.plddt } : {}),
    },
    extra: {
      gain: s.proxy.gain,
      compositionPenalty: s.proxy.compositionPenalty,
      kl: s.proxy.kl,
      segResidues: s.complexity.seg,
      repeatResidues: s.complexity.repeat,
      nearestReference: o.idOf(s.novelty.reference),
      clusterRepresentative: summary.clusters.representatives.includes(s.id),
    },
  };
}

/** The proxy's validation for this reference model, or why it was not computed. */
export function proxyValidationReport(a: {
  set: ValidationSequence[];
  scores: SequenceScores[] | null;
  reference: Reference;
  R: ModelHandle;
  refIsSelf: boolean;
  settings: GenerationSettings;
  tier: Tier;
  rng: Rng;
}): Record<string, unknown> {
  const { set: validationSet, scores: validationScores, reference, R, refIsSelf, settings } = a;
  const background = reference.background;
  if (validationScores) {
    const rows: ValidationRow[] = validationSet.map((r, k) => {
      const parts = proxyParts(r.sequence, validationScores[k]!.logProbs, background, reference.biasThreshold);
      const c = complexity(r.sequence);
      return {
        id: r.id,
        source: r.source,
        kind: r.kind,
        level: r.level,
        scores: {
          plddt_proxy: parts.plddtProxy,
          gain: parts.gain,
          minus_composition_penalty: -parts.compositionPenalty,
          ref_loglik: -parts.nll,
          contact_confidence: validationScores[k]!.contactConfidence,
          complexity: 1 - c.either / c.length,
        },
      };
    });
    const v = validateScores(rows, a.rng);
    return {
      status: 'computed',
      reference: referenceInfo(R, refIsSelf, settings),
      set: {
        file: `data/${FILES.validation.file}`,
        proteins: new Set(rows.map((r) => r.source)).size,
        sequences: rows.length,
        tier: a.tier === 'full' ? 'all 24 proteins' : 'the 12 proteins marked tier=smoke',
        corruptions:
          'shuffled (same composition); repeat: half the protein replaced by a tandem repeat of a 1-6 residue motif of it; substituted: 15%, 30%, 50% of residues redrawn from the background composition',
      },
      plddt_proxy: v['plddt_proxy'],
      components: Object.fromEntries(VALIDATION_COMPONENTS.map((k) => [k, v[k] ?? null])),
      componentsNote:
        'gain: G alone; minus_composition_penalty: -max(0, KL - 19/(2L) - tau) alone; ref_loglik: the reference log-likelihood per residue (its perplexity); contact_confidence: not part of plddt_proxy; complexity: 1 - low_complexity_fraction, no model',
      meaning:
        'AUC: probability that a natural protein scores above a corrupted one (0.5 = chance); spearman_with_corruption: mean over proteins of Spearman(score, substituted fraction), -1 = always lower when more corrupted; intervals: bootstrap over proteins',
    };
  } else {
    return {
      status: 'not computed',
      reason: `the reference model reads ${R.maxResidues} residues; the validation set has proteins of up to ${Math.max(...validationSet.map((r) => r.sequence.length))}`,
      reference: referenceInfo(R, refIsSelf, settings),
    };
  }
}

/** The protocol of the run, written out. */
export function resultProtocol(a: {
  model: ModelHandle;
  R: ModelHandle;
  refIsSelf: boolean;
  settings: GenerationSettings;
  seed: number;
  tier: Tier;
  gen: GenerationResult;
  samplingSeconds: number;
  reference: Reference;
  controlCount: number;
  limit: number;
  timings: Record<string, number>;
  passes: Record<string, number>;
}): Record<string, unknown> {
  return {
    decoding: 'recompute',
    decodingNote:
      'no KV cache: every step runs the whole prefix of every unfinished sample again, in one batched forward call (cost grows with the square of the length); an export with past_key_values inputs is skipped with the reason',
    sampling: {
      samples: a.settings.samples,
      temperature: a.settings.temperature,
      topP: a.settings.topP,
      topK: a.settings.topK,
      minLength: a.settings.minLength,
      maxLength: a.settings.maxLength,
      order: 'mask, temperature, top-k, top-p (Hugging Face warper order); see README "Sampling"',
      allowedTokens: `the 20 standard amino acids (${STANDARD}) and the end token "${a.model.vocab.end === null ? 'none' : a.model.vocab.tokens[a.model.vocab.end]}"; everything else has probability 0; the end token is masked until min_length residues`,
      prompt: `the start token "${a.model.vocab.start === null ? 'none' : a.model.vocab.tokens[a.model.vocab.start]}" only (unconditional, N to C)`,
      stop: 'the end token (ended) or max_length residues (truncated: no end token)',
      seeds: `one stream per sample: rng.fork("sample:<i>") of the task stream of seed ${a.seed}; one uniform draw per step`,
      steps: a.gen.steps,
      prefixTokens: a.gen.tokens,
      seconds: Math.round(a.samplingSeconds * 100) / 100,
    },
    reference: referenceInfo(a.R, a.refIsSelf, a.settings),
    perplexity:
      'exp(-sum of log p / residues) over the set (residues only: the end token is not scored, so ended and truncated samples count alike; the perplexity task also scores the end token)',
    plddtProxy: {
      formula: 'plddt_proxy = G - max(0, KL(f || q) - 19/(2L) - tau); G = (1/L) sum_i [log p_R(x_i | context) - log q(x_i)]',
      terms:
        "R: the reference model (protocol.reference); q: amino-acid composition of the natural reference set; f: the sequence's composition; L: residues; nats",
      tau: a.reference.biasThreshold,
      tauDefinition:
        "90th percentile (numpy linear) of KL(f || q) - 19/(2L) over the reference set's proteins (>= 30 residues, standard amino acids only)",
      note: 'a PROXY for structure confidence, not pLDDT and not on its 0-100 scale; validated on every run (extra.proxyValidation)',
    },
    contactConfidence: `mean over layers and heads of the APC'd symmetrized attention over residues (src/contacts); z-score of the mean of the top-L pairs with separation >= ${LONG_RANGE} against all pairs with separation >= 6; null below L long-range pairs or without attentions`,
    lowComplexity: `SEG (Wootton & Federhen) window ${SEG_DEFAULTS.window}, locut ${SEG_DEFAULTS.locut}, hicut ${SEG_DEFAULTS.hicut}, with its trimming step; union with exact internal repeats (residues of any ${REPEAT_K}-mer occurring twice or more)`,
    composition:
      'Jensen-Shannon divergence, bits, between the composition pooled over the set and the natural reference set (20 standard amino acids)',
    identity:
      "global alignment, BLOSUM62, gap open 10, extend 0.5, end gaps free (src/bio globalIdentity); percent identical aligned residues over the shorter sequence within a set (diversity), over the sample's length against the reference set (novelty)",
    novelty: `highest identity to the natural reference set (data/${FILES.reference.file}); only the ${NOVELTY_CANDIDATES} references sharing the most distinct 3-mers beyond chance (shared - |K(q)||K(r)|/8000) are aligned (README: checked against aligning all); bins ${NOVELTY_BINS.map(([lo, hi]) => (hi > 100 ? `>=${lo}` : `[${lo}, ${hi})`)).join(', ')}; homolog_fraction: max identity >= 50; identities below 50 are lower bounds (only the candidates are aligned) and at the level unrelated sequences reach against a set this size (30-45% in the README's exhaustive check)`,
    diversity: `all pairs aligned (no prefilter); greedy clustering at ${CLUSTER_THRESHOLD}% identity, longest first, each sequence joins the first representative it matches (CD-HIT order)`,
    control: `natural control: the first ${a.controlCount} proteins of data/${FILES.control.file} (the perplexity task's held-out set, never trained on by the example models, homologs excluded) that both models can read (<= ${a.limit} residues), scored exactly as the samples`,
    aggregate:
      'means over samples (corpus ratios for perplexities and pooled fractions), 95% percentile bootstrap over samples, 1,000 resamples; mean_pairwise_identity resamples skip pairs of a sequence with its own copy; cluster counts have no interval',
    tier: a.tier,
    seconds: a.timings,
    forwardPasses: {
      ...a.passes,
      note: "sequence passes per phase (sampling: one per active sample per step); the result's cost counts the generating model only, not --ref-model",
      sampling: a.gen.samples.reduce((a, s) => a + s.sequence.length + (s.ended ? 1 : 0), 0),
    },
  };
}

export function referenceInfo(R: ModelHandle, self: boolean, settings: GenerationSettings): Record<string, unknown> {
  const masked = R.card.objective === 'mlm';
  return {
    model: self ? 'self' : R.card.id,
    path: R.path,
    sha256: R.sha256,
    objective: R.card.objective,
    vocab: R.vocab.name,
    retokenised: "sequences are passed as letters and encoded with the reference model's own vocabulary",
    estimator: masked
      ? `pseudo-log-likelihood with strided masking, stride ${settings.maskStride}: residues i = g mod ${settings.maskStride} masked together, one pass per group (exact Salazar et al. pseudo-likelihood when the stride >= the length)`
      : 'causal log-likelihood of each residue given the start token and the residues before it',
    ...(self
      ? {
          note: 'no --ref-model: the generating model scores its own samples, which favours them (at temperature 1 their expected NLL is its entropy rate, below its NLL on natural proteins); compare samples with the natural control under an independent --ref-model',
        }
      : {}),
  };
}

export function plddtCorrelations(scored: ScoredSequence[], nSamples: number, file: PlddtFile): Record<string, unknown> {
  const corr = (rows: ScoredSequence[]) => {
    const withV = rows.filter((s) => s.plddt !== null);
    if (withV.length < 3) return { n: withV.length, spearman: null, pearson: null };
    const x = withV.map((s) => s.proxy.plddtProxy);
    const y = withV.map((s) => s.plddt!);
    const nan = (v: number) => (Number.isFinite(v) ? v : null);
    return { n: withV.length, spearman: nan(spearman(x, y)), pearson: nan(pearson(x, y)) };
  };
  return {
    file: file.path,
    rows: file.values.size,
    samples: corr(scored.slice(0, nSamples)),
    control: corr(scored.slice(nSamples)),
    all: corr(scored),
    note: 'correlations between the real pLDDT of the file and plddt_proxy, over the sequences the file scores (null below 3)',
  };
}
