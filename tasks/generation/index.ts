import { formatFasta } from '../../src/bio/index.js';
import type { ModelHandle } from '../../src/model/index.js';
import { pearson, perplexityFromNll, spearman } from '../../src/metrics/index.js';
import type { ItemResult, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { TaskSkip } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { BenchError } from '../../src/util/errors.js';
import { sha256 } from '../../src/util/hash.js';
import { FILES, loadControl, loadReference, loadValidation, matchPlddt, readPlddt, type PlddtFile } from './data.js';
import { maxIdentity, NOVELTY_CANDIDATES, pairwiseIdentities } from './identity.js';
import { DEFAULTS, OPTION_SPECS, readOptions, TIER_DEFAULTS, type GenerationSettings } from './options.js';
import { proxyParts, validateScores, type ValidationRow } from './proxy.js';
import { generate, samplingAlphabet } from './sampler.js';
import { LONG_RANGE, scoreSequences, type SequenceScores } from './scoring.js';
import { complexity, REPEAT_K, SEG_DEFAULTS, STANDARD } from './sequence.js';
import { CLUSTER_THRESHOLD, NOVELTY_BINS, summarise, type ScoredSequence, type SetSummary } from './summary.js';

const VERSION = '1.0.0';
const VALIDATION_COMPONENTS = ['gain', 'minus_composition_penalty', 'ref_loglik', 'contact_confidence', 'complexity'] as const;

/** Samples from a causal model and scores them, next to natural proteins scored the same way. */
const task: TaskModule = {
  name: 'generation',
  version: VERSION,
  needs: ['logits', 'clm'],
  describe: () => ({
    title: 'Generation quality: samples from a causal model, scored by a reference model and sequence statistics, with a validated structure-confidence proxy',
    headline: 'plddt_proxy',
    metrics: [
      { name: 'plddt_proxy', higherIsBetter: true, description: 'PROXY for structure confidence, not pLDDT: mean over samples of G - max(0, KL(f||q) - 19/(2L) - tau), G = reference-model log-likelihood gain over the natural background composition (nats/residue), tau = 90th percentile of the compositional term over natural proteins; validated on every run (extra.proxyValidation)' },
      { name: 'ppl_self', higherIsBetter: false, description: "the generating model's perplexity of its samples: exp(-sum log p / residues), residues only (end token not scored); low values can also mean repetitive samples" },
      { name: 'ppl_ref', higherIsBetter: false, description: 'perplexity of the samples under --ref-model (residues only); a masked reference gives a pseudo-perplexity with strided masking (protocol.reference)' },
      { name: 'contact_confidence', higherIsBetter: true, description: "the reference model's contact-map confidence (z-score of its top-L long-range unsupervised contact scores); a proxy component reported beside plddt_proxy, not part of it" },
      { name: 'composition_jsd', higherIsBetter: false, description: 'Jensen-Shannon divergence (bits) between the amino-acid composition pooled over samples and the natural reference set' },
      { name: 'low_complexity_fraction', higherIsBetter: false, description: 'fraction of residues in SEG low-complexity segments (12/2.2/2.5) or in exact internal repeats (8-mers seen twice)' },
      { name: 'end_fraction', higherIsBetter: true, description: 'fraction of samples that ended with the end token before the maximum length' },
      { name: 'homolog_fraction', higherIsBetter: false, description: 'novelty: fraction of samples whose highest identity to the natural reference set is >= 50% (lower = more novel; identities per sample in items, bins in extra)' },
      { name: 'mean_pairwise_identity', higherIsBetter: false, description: 'diversity: mean percent identity over all pairs of samples' },
      { name: 'clusters_50', higherIsBetter: true, description: 'diversity: clusters at 50% identity (greedy, longest first, CD-HIT order); no interval' },
      { name: 'cluster_fraction', higherIsBetter: true, description: 'clusters_50 / samples; no interval' },
      { name: 'plddt', higherIsBetter: true, description: 'real mean pLDDT of the samples from --data generation=plddt.csv (ESMFold/AlphaFold run elsewhere), when given' },
    ],
    data: [FILES.reference, FILES.control, FILES.validation].map((f) => ({ file: `data/${f.file}`, sha256: f.sha256, rows: f.rows })),
    tiers: {
      smoke: `${TIER_DEFAULTS.smoke.samples} samples of ${DEFAULTS.minLength}-${TIER_DEFAULTS.smoke.maxLength} residues; natural control: ${TIER_DEFAULTS.smoke.samples} held-out proteins; proxy validation on 12 natural proteins and their 60 corrupted versions`,
      full: `${TIER_DEFAULTS.full.samples} samples of ${DEFAULTS.minLength}-${TIER_DEFAULTS.full.maxLength} residues; natural control: ${TIER_DEFAULTS.full.samples} held-out proteins; proxy validation on 24 natural proteins and their 120 corrupted versions`,
    },
    options: OPTION_SPECS.map((o) => ({
      key: o.key,
      values: o.values,
      default: defaultOf(o.key),
      description: o.description,
    })),
  }),
  async check(ctx: TaskContext): Promise<void> {
    await prepare(ctx);
  },
  run,
};

function defaultOf(key: string): string {
  switch (key) {
    case 'samples':
      return `${TIER_DEFAULTS.smoke.samples} (smoke), ${TIER_DEFAULTS.full.samples} (full)`;
    case 'max_length':
      return `${TIER_DEFAULTS.smoke.maxLength} (smoke), ${TIER_DEFAULTS.full.maxLength} (full), at most the models' residues`;
    case 'temperature':
      return String(DEFAULTS.temperature);
    case 'top_p':
      return String(DEFAULTS.topP);
    case 'top_k':
      return String(DEFAULTS.topK);
    case 'min_length':
      return String(DEFAULTS.minLength);
    default:
      return String(DEFAULTS.maskStride);
  }
}

interface Prepared {
  settings: GenerationSettings;
  plddt: PlddtFile | null;
}

/** Options, the reference model's vocabulary, the user's file and the bundled data, checked once (by `check`). */
const prepare = oncePerContext(async (ctx: TaskContext): Promise<Prepared> => {
  const ref = ctx.refModel;
  if (ref) {
    const lacking = [...STANDARD].filter((a) => ref.vocab.residueId(a) < 0).join('');
    if (lacking) throw new BenchError('E_USAGE', `--ref-model ${ref.path}: its ${ref.vocab.name} vocabulary lacks ${lacking}; the samples (20 standard amino acids) cannot be re-tokenised for it`);
  }
  const settings = readOptions(ctx.options, ctx.tier, ctx.model.maxResidues, ref ? ref.maxResidues : null);
  const plddt = ctx.dataPath ? readPlddt(ctx.dataPath) : null;
  loadReference(ctx.taskDir);
  loadControl(ctx.taskDir);
  loadValidation(ctx.taskDir);
  return { settings, plddt };
});

async function run(ctx: TaskContext): Promise<TaskOutcome> {
  const { settings, plddt } = await prepare(ctx);
  const model = ctx.model;
  if (model.io.pastInputs.length > 0) {
    throw new TaskSkip(
      `the export declares incremental-decoding inputs (${model.io.pastInputs.slice(0, 2).join(', ')}${model.io.pastInputs.length > 2 ? ', ...' : ''}); this harness does not feed a KV cache: export the model without past_key_values (e.g. use_cache=False) and the task samples by recomputation`,
    );
  }
  const alphabet = samplingAlphabet(model);
  if ('missing' in alphabet) throw new TaskSkip(`the model's vocabulary lacks the standard amino acid(s) ${alphabet.missing}`);
  if (model.vocab.start === null) throw new TaskSkip('the vocabulary has no start token to sample from');

  const R: ModelHandle = ctx.refModel ?? model;
  const refIsSelf = ctx.refModel === null;
  const reference = loadReference(ctx.taskDir);
  const control = loadControl(ctx.taskDir);
  const validation = loadValidation(ctx.taskDir);
  const background = reference.background;

  // 1. Samples.
  let phase = ctx.progress.phase(`generation: sampling ${settings.samples} sequences (recompute, up to ${settings.maxLength} steps)`, settings.maxLength);
  const t0 = performance.now();
  const gen = await generate(model, settings, ctx.rng.fork('sampling'), (step) => { phase.set(step); });
  phase.end();
  const samplingSeconds = (performance.now() - t0) / 1000;
  const samples = gen.samples.map((s, i) => ({ id: `gen-${String(i + 1).padStart(4, '0')}-${sha256(s.sequence).slice(0, 6)}`, sequence: s.sequence, ended: s.ended }));

  // 2. The natural control: the first N held-out proteins both models can read.
  const limit = Math.min(model.maxResidues, R.maxResidues);
  const controlSet = control.records
    .filter((r) => r.sequence.length <= limit)
    .slice(0, settings.samples)
    .map((r) => ({ id: `natural-${r.id}`, sequence: r.sequence, ended: true }));

  // 3. Model scores: the generating model on samples and control; the reference on those and the validation set.
  const validationSet = validation.records.filter((r) => ctx.tier === 'full' || r.smoke);
  const validationFits = validationSet.every((r) => r.sequence.length <= R.maxResidues);
  const bothSets = [...samples, ...controlSet].map((s) => s.sequence);
  const timings: Record<string, number> = { sampling: round2(samplingSeconds) };
  const passes: Record<string, number> = {};
  const score = async (m: ModelHandle, seqs: string[], what: string, label: string, contacts: boolean): Promise<SequenceScores[]> => {
    const ph = ctx.progress.phase(`generation: ${what} under ${m.card.id}`, 1);
    const t = performance.now();
    const r = await scoreSequences(m, seqs, { maskStride: settings.maskStride, contacts, what, onProgress: (d, tot) => { ph.set(tot > 0 ? d / tot : 1); } });
    ph.end();
    timings[label] = round2((performance.now() - t) / 1000);
    passes[label] = r.passes;
    return r.scores;
  };
  const selfScores = await score(model, bothSets, 'samples and natural control', 'selfScoring', refIsSelf);
  const refScores = refIsSelf ? selfScores : await score(R, bothSets, 'samples and natural control', 'referenceScoring', true);
  const validationScores = validationFits ? await score(R, validationSet.map((r) => r.sequence), 'proxy validation set', 'proxyValidation', true) : null;
  const tIdentity = performance.now();

  // 4. Sequence statistics, novelty, diversity.
  phase = ctx.progress.phase('generation: novelty and diversity (alignments)', bothSets.length * 2);
  const scored: ScoredSequence[] = [...samples, ...controlSet].map((s, k) => {
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    const novelty = maxIdentity(s.sequence, reference.index);
    phase.tick();
    return {
      id: s.id,
      sequence: s.sequence,
      ended: s.ended,
      selfLogLik: sum(selfScores[k]!.logProbs),
      refLogLik: refIsSelf ? null : sum(refScores[k]!.logProbs),
      proxy: proxyParts(s.sequence, refScores[k]!.logProbs, background, reference.biasThreshold),
      contactConfidence: refScores[k]!.contactConfidence,
      complexity: complexity(s.sequence),
      novelty,
      plddt: null,
    };
  });
  const nS = samples.length;
  const sampleMatrix = pairwiseIdentities(samples.map((s) => s.sequence), () => { phase.tick(); });
  const controlMatrix = pairwiseIdentities(controlSet.map((s) => s.sequence), () => { phase.tick(); });
  phase.end();
  timings['identityAndStatistics'] = round2((performance.now() - tIdentity) / 1000);

  // 5. The user's pLDDT.
  let plddtReport: Record<string, unknown> | null = null;
  if (plddt) {
    const byId = new Map(scored.map((s) => [s.id, s]));
    matchPlddt(plddt, new Set(byId.keys()), samples[0]!.id);
    for (const [id, v] of plddt.values) byId.get(id)!.plddt = v.plddt;
    plddtReport = plddtCorrelations(scored, nS, plddt);
  }

  const sampleRows = scored.slice(0, nS);
  const controlRows = scored.slice(nS);
  const sampleSummary = summarise(sampleRows, sampleMatrix, background, ctx.rng.fork('samples'), !refIsSelf);
  const controlSummary = controlRows.length >= 2 ? summarise(controlRows, controlMatrix, background, ctx.rng.fork('control'), !refIsSelf) : null;
  const idOf = (r: number) => reference.records[r]?.id ?? null;

  // 6. The proxy's validation for this reference model.
  let proxyValidation: Record<string, unknown>;
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
    const v = validateScores(rows, ctx.rng.fork('proxy-validation'));
    proxyValidation = {
      status: 'computed',
      reference: referenceInfo(R, refIsSelf, settings),
      set: {
        file: `data/${FILES.validation.file}`,
        proteins: new Set(rows.map((r) => r.source)).size,
        sequences: rows.length,
        tier: ctx.tier === 'full' ? 'all 24 proteins' : 'the 12 proteins marked tier=smoke',
        corruptions: 'shuffled (same composition); repeat: half the protein replaced by a tandem repeat of a 1-6 residue motif of it; substituted: 15%, 30%, 50% of residues redrawn from the background composition',
      },
      plddt_proxy: v['plddt_proxy'],
      components: Object.fromEntries(VALIDATION_COMPONENTS.map((k) => [k, v[k] ?? null])),
      componentsNote:
        'gain: G alone; minus_composition_penalty: -max(0, KL - 19/(2L) - tau) alone; ref_loglik: the reference log-likelihood per residue (its perplexity); contact_confidence: not part of plddt_proxy; complexity: 1 - low_complexity_fraction, no model',
      meaning: 'AUC: probability that a natural protein scores above a corrupted one (0.5 = chance); spearman_with_corruption: mean over proteins of Spearman(score, substituted fraction), -1 = always lower when more corrupted; intervals: bootstrap over proteins',
    };
  } else {
    proxyValidation = {
      status: 'not computed',
      reason: `the reference model reads ${R.maxResidues} residues; the validation set has proteins of up to ${Math.max(...validationSet.map((r) => r.sequence.length))}`,
      reference: referenceInfo(R, refIsSelf, settings),
    };
  }

  // 7. The result.
  const itemOf = (s: ScoredSequence, summary: SetSummary): ItemResult => ({
    id: s.id,
    n: s.sequence.length,
    metrics: {
      plddt_proxy: s.proxy.plddtProxy,
      ppl_self: perplexityFromNll(-s.selfLogLik, s.sequence.length),
      ...(refIsSelf ? {} : { ppl_ref: perplexityFromNll(-s.refLogLik!, s.sequence.length) }),
      contact_confidence: s.contactConfidence,
      low_complexity_fraction: s.complexity.either / s.complexity.length,
      max_identity: s.novelty.identity,
      ended: s.ended ? 1 : 0,
      length: s.sequence.length,
      ...(plddt ? { plddt: s.plddt } : {}),
    },
    extra: {
      gain: s.proxy.gain,
      compositionPenalty: s.proxy.compositionPenalty,
      kl: s.proxy.kl,
      segResidues: s.complexity.seg,
      repeatResidues: s.complexity.repeat,
      nearestReference: idOf(s.novelty.reference),
      clusterRepresentative: summary.clusters.representatives.includes(s.id),
    },
  });
  ctx.artifacts.add(
    'generation.fasta',
    formatFasta([
      ...sampleRows.map((s) => ({ id: s.id, header: `${s.id} length=${s.sequence.length} ended=${s.ended} plddt_proxy=${s.proxy.plddtProxy.toFixed(4)}`, sequence: s.sequence })),
      ...controlRows.map((s) => ({ id: s.id, header: `${s.id} natural-control length=${s.sequence.length} plddt_proxy=${s.proxy.plddtProxy.toFixed(4)}`, sequence: s.sequence })),
    ]),
  );

  return {
    headline: 'plddt_proxy',
    metrics: sampleSummary.metrics,
    items: sampleRows.map((s) => itemOf(s, sampleSummary)),
    protocol: {
      decoding: 'recompute',
      decodingNote: 'no KV cache: every step runs the whole prefix of every unfinished sample again, in one batched forward call (cost grows with the square of the length); an export with past_key_values inputs is skipped with the reason',
      sampling: {
        samples: settings.samples,
        temperature: settings.temperature,
        topP: settings.topP,
        topK: settings.topK,
        minLength: settings.minLength,
        maxLength: settings.maxLength,
        order: 'mask, temperature, top-k, top-p (Hugging Face warper order); see README "Sampling"',
        allowedTokens: `the 20 standard amino acids (${STANDARD}) and the end token "${model.vocab.end === null ? 'none' : model.vocab.tokens[model.vocab.end]}"; everything else has probability 0; the end token is masked until min_length residues`,
        prompt: `the start token "${model.vocab.tokens[model.vocab.start]}" only (unconditional, N to C)`,
        stop: 'the end token (ended) or max_length residues (truncated: no end token)',
        seeds: `one stream per sample: rng.fork("sample:<i>") of the task stream of seed ${ctx.seed}; one uniform draw per step`,
        steps: gen.steps,
        prefixTokens: gen.tokens,
        seconds: Math.round(samplingSeconds * 100) / 100,
      },
      reference: referenceInfo(R, refIsSelf, settings),
      perplexity: 'exp(-sum of log p / residues) over the set (residues only: the end token is not scored, so ended and truncated samples count alike; the perplexity task also scores the end token)',
      plddtProxy: {
        formula: 'plddt_proxy = G - max(0, KL(f || q) - 19/(2L) - tau); G = (1/L) sum_i [log p_R(x_i | context) - log q(x_i)]',
        terms: 'R: the reference model (protocol.reference); q: amino-acid composition of the natural reference set; f: the sequence\'s composition; L: residues; nats',
        tau: reference.biasThreshold,
        tauDefinition: '90th percentile (numpy linear) of KL(f || q) - 19/(2L) over the reference set\'s proteins (>= 30 residues, standard amino acids only)',
        note: 'a PROXY for structure confidence, not pLDDT and not on its 0-100 scale; validated on every run (extra.proxyValidation)',
      },
      contactConfidence: `mean over layers and heads of the APC'd symmetrized attention over residues (src/contacts); z-score of the mean of the top-L pairs with separation >= ${LONG_RANGE} against all pairs with separation >= 6; null below L long-range pairs or without attentions`,
      lowComplexity: `SEG (Wootton & Federhen) window ${SEG_DEFAULTS.window}, locut ${SEG_DEFAULTS.locut}, hicut ${SEG_DEFAULTS.hicut}, with its trimming step; union with exact internal repeats (residues of any ${REPEAT_K}-mer occurring twice or more)`,
      composition: 'Jensen-Shannon divergence, bits, between the composition pooled over the set and the natural reference set (20 standard amino acids)',
      identity: 'global alignment, BLOSUM62, gap open 10, extend 0.5, end gaps free (src/bio globalIdentity); percent identical aligned residues over the shorter sequence within a set (diversity), over the sample\'s length against the reference set (novelty)',
      novelty: `highest identity to the natural reference set (data/${FILES.reference.file}); only the ${NOVELTY_CANDIDATES} references sharing the most distinct 3-mers beyond chance (shared - |K(q)||K(r)|/8000) are aligned (README: checked against aligning all); bins ${NOVELTY_BINS.map(([lo, hi]) => (hi > 100 ? `>=${lo}` : `[${lo}, ${hi})`)).join(', ')}; homolog_fraction: max identity >= 50; identities below 50 are lower bounds (only the candidates are aligned) and at the level unrelated sequences reach against a set this size (30-45% in the README's exhaustive check)`,
      diversity: `all pairs aligned (no prefilter); greedy clustering at ${CLUSTER_THRESHOLD}% identity, longest first, each sequence joins the first representative it matches (CD-HIT order)`,
      control: `natural control: the first ${controlRows.length} proteins of data/${FILES.control.file} (the perplexity task's held-out set, never trained on by the example models, homologs excluded) that both models can read (<= ${limit} residues), scored exactly as the samples`,
      aggregate: 'means over samples (corpus ratios for perplexities and pooled fractions), 95% percentile bootstrap over samples, 1,000 resamples; mean_pairwise_identity resamples skip pairs of a sequence with its own copy; cluster counts have no interval',
      tier: ctx.tier,
      seconds: timings,
      forwardPasses: {
        ...passes,
        note: 'sequence passes per phase (sampling: one per active sample per step); the result\'s cost counts the generating model only, not --ref-model',
        sampling: gen.samples.reduce((a, s) => a + s.sequence.length + (s.ended ? 1 : 0), 0),
      },
    },
    data: [reference.file, control.file, validation.file, ...(plddt ? [plddt.file] : [])],
    extra: {
      samples: { lengths: sampleSummary.lengths, noveltyBins: sampleSummary.noveltyBins, clusters: sampleSummary.clusters },
      control: controlSummary
        ? {
            description: 'the same metrics on natural held-out proteins, scored exactly as the samples: what "natural" scores',
            metrics: controlSummary.metrics,
            lengths: controlSummary.lengths,
            noveltyBins: controlSummary.noveltyBins,
            clusters: controlSummary.clusters,
            items: controlRows.map((s) => itemOf(s, controlSummary)),
          }
        : { description: `not computed: fewer than 2 control proteins fit the models (<= ${limit} residues)` },
      proxyValidation,
      ...(plddtReport ? { plddt: plddtReport } : {}),
      fasta: 'samples and natural control as <result>.generation.fasta; fold them elsewhere and pass --data generation=plddt.csv (id,plddt) to report real pLDDT here',
    },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function referenceInfo(R: ModelHandle, self: boolean, settings: GenerationSettings): Record<string, unknown> {
  const masked = R.card.objective === 'mlm';
  return {
    model: self ? 'self' : R.card.id,
    path: R.path,
    sha256: R.sha256,
    objective: R.card.objective,
    vocab: R.vocab.name,
    retokenised: 'sequences are passed as letters and encoded with the reference model\'s own vocabulary',
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

function plddtCorrelations(scored: ScoredSequence[], nSamples: number, file: PlddtFile): Record<string, unknown> {
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

export default task;
