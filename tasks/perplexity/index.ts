import { existsSync } from 'node:fs';
import type { TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { describeDataFile, metricOverItems, TaskFailure } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { readFasta, type FastaRecord } from '../../src/bio/fasta.js';
import { perplexityFromNll } from '../../src/metrics/index.js';
import { BenchError } from '../../src/util/errors.js';
import { byRank } from '../../src/util/order.js';
import type { Vocabulary } from '../../src/model/index.js';
import { causalNll, maskedNll, type SequenceNll } from './scoring.js';

const BUNDLED = 'data/natural-heldout.fasta';
const BUNDLED_ROWS = 100;
const BUNDLED_SHA256 = '4e127b70917a2d67c4f427bcd204735458d563a1e3349cde197743c146a81bf8';
const USER_SMOKE_SIZE = 20;
/** Rank key of a user FASTA's smoke tier: the subset is a function of the file, never of --seed. */
const USER_SMOKE_KEY = 'plmbench-perplexity-smoke-v1';
const SMOKE_RULE = {
  bundled: "the 20 records marked tier=smoke (the first 10 of each proteome in the builder's sha256 order)",
  user: `the ${USER_SMOKE_SIZE} records first in sha256("${USER_SMOKE_KEY}:" + FASTA id) order (ties by file position), in file order; all when there are no more`,
};

/** Held-out perplexity: causal perplexity or masked pseudo-perplexity of natural protein sequences. */
const task: TaskModule = {
  name: 'perplexity',
  version: '1.1.0',
  needs: ['logits'],
  describe: () => ({
    title: 'Held-out perplexity of natural protein sequences',
    headline: 'perplexity',
    metrics: [
      {
        name: 'perplexity',
        higherIsBetter: false,
        description: 'causal models: exp(total NLL / scored tokens), residues and end token scored, start token excluded',
      },
      {
        name: 'pseudo_perplexity',
        higherIsBetter: false,
        description: 'masked models: exp(total NLL / residues), each residue masked once',
      },
      { name: 'nll', higherIsBetter: false, description: 'mean NLL per scored token, nats' },
      { name: 'per_sequence_perplexity', higherIsBetter: false, description: "mean over sequences of each sequence's (pseudo-)perplexity" },
    ],
    data: [{ file: BUNDLED, sha256: BUNDLED_SHA256, rows: BUNDLED_ROWS }],
    tiers: {
      smoke: `20 sequences (10 per proteome, marked tier=smoke); a user FASTA: ${SMOKE_RULE.user}; independent of --seed`,
      full: '100 sequences (50 E. coli, 50 S. cerevisiae), 50-400 residues',
    },
  }),
  check(ctx: TaskContext): void {
    loadRecords(ctx);
  },
  async run(ctx: TaskContext): Promise<TaskOutcome> {
    const { file, all, records } = loadRecords(ctx);
    const masked = ctx.model.card.objective === 'mlm';
    const metric = masked ? 'pseudo_perplexity' : 'perplexity';
    const total = records.reduce((s, r) => s + (masked ? r.sequence.length : 1), 0);
    const phase = ctx.progress.phase(`perplexity (${masked ? 'masked, one pass per residue' : 'causal'})`, total);
    const sequences = records.map((r) => r.sequence);
    const scores: SequenceNll[] = masked
      ? await maskedNll(ctx.model, sequences, (d) => {
          phase.set(d);
        })
      : await causalNll(ctx.model, sequences, (d) => {
          phase.set(d);
        });
    phase.end();
    scores.forEach((s, i) => {
      if (!Number.isFinite(s.nll))
        throw new TaskFailure('E_MODEL_OUTPUT', `sequence ${records[i]!.id}: the model's NLL is ${s.nll} (non-finite logits)`);
    });
    const corpus = (sample: readonly SequenceNll[]) =>
      perplexityFromNll(
        sample.reduce((a, s) => a + s.nll, 0),
        sample.reduce((a, s) => a + s.tokens, 0),
      );
    const meanNll = (sample: readonly SequenceNll[]) => sample.reduce((a, s) => a + s.nll, 0) / sample.reduce((a, s) => a + s.tokens, 0);
    const perSeq = (sample: readonly SequenceNll[]) => sample.reduce((a, s) => a + perplexityFromNll(s.nll, s.tokens), 0) / sample.length;
    const rng = ctx.rng;
    const windowed = scores.filter((s) => s.windowed > 0).length;
    return {
      headline: metric,
      metrics: {
        [metric]: metricOverItems(scores, corpus, rng.fork('corpus')),
        nll: metricOverItems(scores, meanNll, rng.fork('nll')),
        per_sequence_perplexity: metricOverItems(scores, perSeq, rng.fork('per-seq')),
      },
      items: records.map((r, i) => ({
        id: r.id,
        n: scores[i]!.tokens,
        metrics: { [metric]: perplexityFromNll(scores[i]!.nll, scores[i]!.tokens), nll: scores[i]!.nll / scores[i]!.tokens },
      })),
      protocol: {
        computed: metric,
        objective: ctx.model.card.objective,
        scoredTokens: masked ? 'residues (each masked once; special tokens not scored)' : causalScoredTokens(ctx.model.vocab),
        direction: masked ? null : 'N-to-C',
        aggregate: 'exp(sum of NLL / sum of scored tokens) over sequences; 95% percentile bootstrap over sequences, 1000 resamples',
        windowPolicy: masked
          ? `sequences over ${ctx.model.maxResidues} residues: a ${ctx.model.maxResidues}-residue window centred on each masked residue`
          : `sequences over ${ctx.model.maxLength} tokens: windows of ${ctx.model.maxLength} tokens, stride ${Math.floor(ctx.model.maxLength / 2)}, each token scored once`,
        sequencesWindowed: windowed,
        sequences: records.length,
        tier: ctx.tier === 'smoke' ? `smoke: ${ctx.dataPath ? SMOKE_RULE.user : SMOKE_RULE.bundled}; independent of --seed` : 'full',
        residues: records.reduce((s, r) => s + r.sequence.length, 0),
        reference: { uniform20: 20, note: 'a model that spreads probability evenly over the 20 standard amino acids has perplexity 20' },
      },
      data: [describeDataFile(file, ctx.dataPath ? file : BUNDLED, all.length)],
    };
  },
};

/**
 * Reads the FASTA (bundled or the user's), selects the tier, and checks every letter against the vocabulary;
 * once per context (`check`, then `run`).
 */
const loadRecords = oncePerContext((ctx: TaskContext): { file: string; all: FastaRecord[]; records: FastaRecord[] } => {
  const file = ctx.dataPath ?? `${ctx.taskDir}/${BUNDLED}`;
  if (!existsSync(file)) throw new BenchError('E_IO', `${file}: not found`);
  const all = readFasta(file);
  const records = selectTier(all, ctx);
  for (const r of records) {
    const bad = ctx.model.vocab.firstInvalid(r.sequence);
    if (bad >= 0) {
      throw new BenchError(
        'E_DATA',
        `${file}:${r.line}: record ${r.id}: letter "${r.sequence[bad]}" at residue ${bad + 1} is not in the ${ctx.model.vocab.name} vocabulary`,
      );
    }
  }
  return { file, all, records };
});

/**
 * Bundled data: the smoke tier is the records marked `tier=smoke` (the first 10 of each proteome in
 * the builder's hash order). A user FASTA: the smoke tier is the 20 records first in
 * sha256("plmbench-perplexity-smoke-v1:" + id) order (ties by file position), in file order. Neither
 * depends on --seed, so two smoke runs score the same sequences.
 */
function selectTier(all: FastaRecord[], ctx: TaskContext): FastaRecord[] {
  if (ctx.tier === 'full') return all;
  if (!ctx.dataPath) return all.filter((r) => /\btier=smoke\b/.test(r.header));
  if (all.length <= USER_SMOKE_SIZE) return all;
  const chosen = new Set(byRank(USER_SMOKE_KEY, all, (r) => r.id).slice(0, USER_SMOKE_SIZE));
  return all.filter((r) => chosen.has(r));
}

/** The tokens a causal pass scores, named from the vocabulary (causalNll requires a start token). */
export function causalScoredTokens(vocab: Vocabulary): string {
  const name = (id: number | null) => (id === null ? null : `"${vocab.tokens[id]}"`);
  const start = name(vocab.start);
  const end = name(vocab.end);
  return `every token after the start token ${start ?? '(none: the vocabulary has none, which causal scoring refuses)'}: the residues${end ? ` and the end token ${end}` : ' (the vocabulary has no end token)'}; the start token is context only`;
}

export default task;
