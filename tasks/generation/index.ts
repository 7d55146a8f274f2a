import { formatFasta } from '../../src/bio/index.js';
import type { ModelHandle } from '../../src/model/index.js';
import type { ItemResult, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { TaskSkip } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { BenchError } from '../../src/util/errors.js';
import { sha256 } from '../../src/util/hash.js';
import { FILES, loadControl, loadReference, loadValidation, matchPlddt, readPlddt, type PlddtFile } from './data.js';
import { maxIdentity, pairwiseIdentities } from './identity.js';
import { DEFAULTS, OPTION_SPECS, readOptions, TIER_DEFAULTS, type GenerationSettings } from './options.js';
import { proxyParts } from './proxy.js';
import { plddtCorrelations, proxyValidationReport, resultItem, resultProtocol } from './report.js';
import { generate, samplingAlphabet } from './sampler.js';
import { scoreSequences, type SequenceScores } from './scoring.js';
import { complexity, STANDARD } from './sequence.js';
import { summarise, type ScoredSequence, type SetSummary } from './summary.js';

const VERSION = '1.0.0';

/** Samples from a causal model and scores them, next to natural proteins scored the same way. */
const task: TaskModule = {
  name: 'generation',
  version: VERSION,
  // Each sampling step's requests depend on the last step's outputs: the merge runs it.
  sharding: 'merge',
  needs: ['logits', 'clm'],
  describe: () => ({
    title:
      'Generation quality: samples from a causal model, scored by a reference model and sequence statistics, with a validated structure-confidence proxy',
    headline: 'plddt_proxy',
    metrics: [
      {
        name: 'plddt_proxy',
        higherIsBetter: true,
        description:
          'PROXY for structure confidence, not pLDDT: mean over samples of G - max(0, KL(f||q) - 19/(2L) - tau), G = reference-model log-likelihood gain over the natural background composition (nats/residue), tau = 90th percentile of the compositional term over natural proteins; validated on every run (extra.proxyValidation)',
      },
      {
        name: 'ppl_self',
        higherIsBetter: false,
        description:
          "the generating model's perplexity of its samples: exp(-sum log p / residues), residues only (end token not scored); low values can also mean repetitive samples",
      },
      {
        name: 'ppl_ref',
        higherIsBetter: false,
        description:
          'perplexity of the samples under --ref-model (residues only); a masked reference gives a pseudo-perplexity with strided masking (protocol.reference)',
      },
      {
        name: 'contact_confidence',
        higherIsBetter: true,
        description:
          "the reference model's contact-map confidence (z-score of its top-L long-range unsupervised contact scores); a proxy component reported beside plddt_proxy, not part of it",
      },
      {
        name: 'composition_jsd',
        higherIsBetter: false,
        description:
          'Jensen-Shannon divergence (bits) between the amino-acid composition pooled over samples and the natural reference set',
      },
      {
        name: 'low_complexity_fraction',
        higherIsBetter: false,
        description: 'fraction of residues in SEG low-complexity segments (12/2.2/2.5) or in exact internal repeats (8-mers seen twice)',
      },
      {
        name: 'end_fraction',
        higherIsBetter: true,
        description: 'fraction of samples that ended with the end token before the maximum length',
      },
      {
        name: 'homolog_fraction',
        higherIsBetter: false,
        description:
          'novelty: fraction of samples whose highest identity to the natural reference set is >= 50% (lower = more novel; identities per sample in items, bins in extra)',
      },
      { name: 'mean_pairwise_identity', higherIsBetter: false, description: 'diversity: mean percent identity over all pairs of samples' },
      {
        name: 'clusters_50',
        higherIsBetter: true,
        description: 'diversity: clusters at 50% identity (greedy, longest first, CD-HIT order); no interval',
      },
      { name: 'cluster_fraction', higherIsBetter: true, description: 'clusters_50 / samples; no interval' },
      {
        name: 'plddt',
        higherIsBetter: true,
        description: 'real mean pLDDT of the samples from --data generation=plddt.csv (ESMFold/AlphaFold run elsewhere), when given',
      },
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
    const lacking = Array.from(STANDARD)
      .filter((a) => ref.vocab.residueId(a) < 0)
      .join('');
    if (lacking)
      throw new BenchError(
        'E_USAGE',
        `--ref-model ${ref.path}: its ${ref.vocab.name} vocabulary lacks ${lacking}; the samples (20 standard amino acids) cannot be re-tokenised for it`,
      );
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
  let phase = ctx.progress.phase(
    `generation: sampling ${settings.samples} sequences (recompute, up to ${settings.maxLength} steps)`,
    settings.maxLength,
  );
  const t0 = performance.now();
  const gen = await generate(model, settings, ctx.rng.fork('sampling'), (step) => {
    phase.set(step);
  });
  phase.end();
  const samplingSeconds = (performance.now() - t0) / 1000;
  const samples = gen.samples.map((s, i) => ({
    id: `gen-${String(i + 1).padStart(4, '0')}-${sha256(s.sequence).slice(0, 6)}`,
    sequence: s.sequence,
    ended: s.ended,
  }));

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
    const r = await scoreSequences(m, seqs, {
      maskStride: settings.maskStride,
      contacts,
      what,
      onProgress: (d, tot) => {
        ph.set(tot > 0 ? d / tot : 1);
      },
    });
    ph.end();
    timings[label] = round2((performance.now() - t) / 1000);
    passes[label] = r.passes;
    return r.scores;
  };
  const selfScores = await score(model, bothSets, 'samples and natural control', 'selfScoring', refIsSelf);
  const refScores = refIsSelf ? selfScores : await score(R, bothSets, 'samples and natural control', 'referenceScoring', true);
  const validationScores = validationFits
    ? await score(
        R,
        validationSet.map((r) => r.sequence),
        'proxy validation set',
        'proxyValidation',
        true,
      )
    : null;
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
  const sampleMatrix = pairwiseIdentities(
    samples.map((s) => s.sequence),
    () => {
      phase.tick();
    },
  );
  const controlMatrix = pairwiseIdentities(
    controlSet.map((s) => s.sequence),
    () => {
      phase.tick();
    },
  );
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
  const controlSummary =
    controlRows.length >= 2 ? summarise(controlRows, controlMatrix, background, ctx.rng.fork('control'), !refIsSelf) : null;
  const idOf = (r: number) => reference.records[r]?.id ?? null;

  // 6. The proxy's validation for this reference model.
  const proxyValidation = proxyValidationReport({
    set: validationSet,
    scores: validationScores,
    reference,
    R,
    refIsSelf,
    settings,
    tier: ctx.tier,
    rng: ctx.rng.fork('proxy-validation'),
  });

  // 7. The result.
  const itemOf = (s: ScoredSequence, summary: SetSummary): ItemResult =>
    resultItem(s, summary, { refIsSelf, withPlddt: plddt !== null, idOf });
  ctx.artifacts.add(
    'generation.fasta',
    formatFasta([
      ...sampleRows.map((s) => ({
        id: s.id,
        header: `${s.id} length=${s.sequence.length} ended=${s.ended} plddt_proxy=${s.proxy.plddtProxy.toFixed(4)}`,
        sequence: s.sequence,
      })),
      ...controlRows.map((s) => ({
        id: s.id,
        header: `${s.id} natural-control length=${s.sequence.length} plddt_proxy=${s.proxy.plddtProxy.toFixed(4)}`,
        sequence: s.sequence,
      })),
    ]),
  );

  return {
    headline: 'plddt_proxy',
    metrics: sampleSummary.metrics,
    items: sampleRows.map((s) => itemOf(s, sampleSummary)),
    protocol: resultProtocol({
      model,
      R,
      refIsSelf,
      settings,
      seed: ctx.seed,
      tier: ctx.tier,
      gen,
      samplingSeconds,
      reference,
      controlCount: controlRows.length,
      limit,
      timings,
      passes,
    }),
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
      fasta:
        'samples and natural control as <result>.generation.fasta; fold them elsewhere and pass --data generation=plddt.csv (id,plddt) to report real pLDDT here',
    },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export default task;
