import { existsSync } from 'node:fs';
import type { TaskContext, TaskModule, TaskOutcome, ItemResult, MetricValue } from '../../src/task/index.js';
import { describeDataFile, metricOverItems } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { readFasta } from '../../src/bio/fasta.js';
import { BenchError } from '../../src/util/errors.js';
import { groupBy } from '../../src/util/order.js';
import { round3 } from '../../src/util/round.js';
import { meanEmbeddings, windowPolicy } from './embed.js';
import { DEEPSF_TRAIN_CAP } from './deepsf.js';
import { evaluateFoldProbe, LEVEL_NEEDS, PROBE, type DomainOutcome } from './evaluate.js';
import {
  buildSplit,
  LEVELS,
  parseDomains,
  ROLES,
  smokeSubset,
  splitViolation,
  summarize,
  SMOKE_CAPS,
  SMOKE_FOLDS,
  SMOKE_KEY,
  SPLIT_RULES_V1,
  type Domain,
  type Level,
  type Role,
  type SplitCounts,
} from './split.js';

const BUNDLED = 'data/astral40-fold-v1.fasta.gz';
const BUNDLED_ROWS = 3406;
const BUNDLED_SHA256 = '9815b33df710bddd8ac3dd859bb3e411c21c46306bd12fc443e112c2adf59851';
const DEEPSF = 'data/deepsf-joined-v1.fasta.gz';
const DEEPSF_ROWS = 2585;
const DEEPSF_SHA256 = '6759c9b53b62e940e2a6ce32c016ebce8530f3320fb31fb27a376ea459524d87';

type SplitKind = 'remote-homology' | 'deepsf';

function splitKind(ctx: TaskContext): SplitKind {
  const v = ctx.options['split'] ?? 'remote-homology';
  if (v !== 'remote-homology' && v !== 'deepsf')
    throw new BenchError('E_USAGE', `--option fold.split: must be remote-homology or deepsf, got "${v}"`);
  if (v === 'deepsf' && ctx.dataPath) {
    throw new BenchError(
      'E_USAGE',
      `--option fold.split=deepsf and --data fold=${ctx.dataPath} conflict: the DeepSF split is the bundled join of DeepSF's lists; give one of them`,
    );
  }
  for (const k of Object.keys(ctx.options))
    if (k !== 'split') throw new BenchError('E_USAGE', `--option fold.${k}: unknown option (fold takes: split)`);
  return v;
}

type Labelled = Domain & { role: Role };

interface Loaded {
  file: string;
  label: string;
  rows: number;
  domains: Labelled[];
  /** Split counts when the split was built here (user data); null for the bundled split. */
  counts: SplitCounts | null;
}

/** Reads the bundled split (roles in the headers) or builds one from the user's ASTRAL FASTA. */
function loadSplit(ctx: TaskContext, kind: SplitKind): Loaded {
  const bundled = kind === 'deepsf' ? DEEPSF : BUNDLED;
  const file = ctx.dataPath ?? `${ctx.taskDir}/${bundled}`;
  if (!existsSync(file)) throw new BenchError('E_IO', `${file}: not found`);
  const records = readFasta(file);
  const domains = parseDomains(records, file);
  let labelled: Labelled[];
  let counts: SplitCounts | null = null;
  if (ctx.dataPath) {
    const split = buildSplit(domains);
    labelled = split.domains;
    counts = split.counts;
    for (const level of LEVELS) {
      if (!labelled.some((d) => d.role === `test_${level}`)) {
        throw new BenchError(
          'E_DATA',
          `${file}: the remote-homology split has no test domains at the ${level} level (it needs ${LEVEL_NEEDS[level]}; ${describeCounts(split.counts)})`,
        );
      }
    }
    if (!labelled.some((d) => d.role === 'valid')) {
      throw new BenchError('E_DATA', `${file}: the remote-homology split has no validation domains (${describeCounts(split.counts)})`);
    }
  } else {
    labelled = domains.map((d, i) => {
      const m = /\brole=(\S+)/.exec(records[i]!.header);
      const role = m?.[1] as Role | undefined;
      if (!role || !ROLES.includes(role))
        throw new BenchError('E_DATA', `${file}:${d.line}: record ${d.id}: header lacks role=<${ROLES.join('|')}>`);
      if (kind === 'deepsf') {
        const f = /\bdeepsf_fold=([a-l]\.\d+)\b/.exec(records[i]!.header);
        if (!f) throw new BenchError('E_DATA', `${file}:${d.line}: record ${d.id}: header lacks deepsf_fold=<fold>`);
        return { ...d, fold: f[1]!, role };
      }
      return { ...d, role };
    });
  }
  const bad = splitViolation(labelled);
  if (bad) throw new BenchError('E_DATA', `${file}: split inconsistent: ${bad}`);
  for (const d of labelled) {
    const i = ctx.model.vocab.firstInvalid(d.sequence);
    if (i >= 0)
      throw new BenchError(
        'E_DATA',
        `${file}:${d.line}: domain ${d.id}: letter "${d.sequence[i]}" at residue ${i + 1} is not in the ${ctx.model.vocab.name} vocabulary`,
      );
  }
  return { file, label: ctx.dataPath ?? bundled, rows: records.length, domains: labelled, counts };
}

/** The split of the context's data and --option fold.split, read and built once per context (`check`, then `run`). */
const loadedSplit = oncePerContext((ctx: TaskContext): Loaded => loadSplit(ctx, splitKind(ctx)));

function describeCounts(c: SplitCounts): string {
  return `${c.records} records, ${c.otherClass} outside classes a-g, ${c.nonstandard} with non-standard letters, ${c.ineligible} in superfamilies or folds too small`;
}

/** Fold classification with a linear probe on mean-pooled hidden states, on a remote-homology split of SCOPe. */
const task: TaskModule = {
  name: 'fold',
  version: '1.1.0',
  needs: ['hidden_states'],
  describe: () => ({
    title: 'SCOP fold classification by a linear probe on mean embeddings (remote-homology split of SCOPe 2.07 ASTRAL-40)',
    headline: 'accuracy_fold',
    metrics: [
      ...LEVELS.flatMap((l) => [
        {
          name: `accuracy_${l}`,
          higherIsBetter: true,
          description: `top-1 fold accuracy on the ${l}-level test domains (${LEVEL_TEXT[l]})`,
        },
        { name: `top5_${l}`, higherIsBetter: true, description: `top-5 fold accuracy on the ${l}-level test domains` },
      ]),
      ...LEVELS.flatMap((l) => [
        {
          name: `accuracy_deepsf_${l}`,
          higherIsBetter: true,
          description: `--option fold.split=deepsf: top-1 fold accuracy on DeepSF's ${l}-level test list (joined to SCOPe 2.07 sequences)`,
        },
        {
          name: `top5_deepsf_${l}`,
          higherIsBetter: true,
          description: `--option fold.split=deepsf: top-5 fold accuracy on DeepSF's ${l}-level test list`,
        },
      ]),
    ],
    data: [
      { file: BUNDLED, sha256: BUNDLED_SHA256, rows: BUNDLED_ROWS },
      { file: DEEPSF, sha256: DEEPSF_SHA256, rows: DEEPSF_ROWS },
    ],
    options: [
      {
        key: 'split',
        values: 'remote-homology | deepsf',
        default: 'remote-homology',
        description:
          "remote-homology: the bundled SCOPe 2.07 split (metrics accuracy_<level>); deepsf: DeepSF's three-level lists joined by id to SCOPe 2.07 sequences, 320 folds, training capped at 4 per fold (metrics accuracy_deepsf_<level>; headline accuracy_deepsf_fold)",
      },
    ],
    tiers: {
      smoke: `the ${SMOKE_FOLDS} folds first in sha256("${SMOKE_KEY}:" + fold) order among those with test domains at all three levels (independent of --seed); per fold at most ${SMOKE_CAPS.train} training, ${SMOKE_CAPS.valid} validation and ${SMOKE_CAPS.test} test domains per level (round-robin over families in the same keyed order)`,
      full: 'the whole bundled split: 83 folds; 1,378 training, 216 validation, 681 fold-level, 655 superfamily-level and 476 family-level test domains (--option fold.split=deepsf: 320 folds; 987 training, 417 validation, 376 / 543 / 262 test domains)',
    },
  }),
  check(ctx: TaskContext): void {
    loadedSplit(ctx);
  },
  async run(ctx: TaskContext): Promise<TaskOutcome> {
    const kind = splitKind(ctx);
    const loaded = loadedSplit(ctx);
    const prefix = kind === 'deepsf' ? 'deepsf_' : '';
    const domains = ctx.tier === 'smoke' ? smokeSubset(loaded.domains) : loaded.domains;
    const phase = ctx.progress.phase('fold: mean embeddings', domains.length);
    const t0 = performance.now();
    const emb = await meanEmbeddings(
      ctx.model,
      domains.map((d) => d.sequence),
      (d) => {
        phase.set(d);
      },
    );
    const embedSeconds = (performance.now() - t0) / 1000;
    phase.end();
    const ev = evaluateFoldProbe(domains, { data: emb.data, rows: emb.rows, cols: emb.dim }, loaded.label);
    const metrics: Record<string, MetricValue> = {};
    const items: ItemResult[] = [];
    const mean = (s: readonly DomainOutcome[], f: 'top1' | 'top5') => s.reduce((a, o) => a + o[f], 0) / s.length;
    for (const level of LEVELS) {
      const outs = ev.outcomes.filter((o) => o.level === level);
      const acc = `accuracy_${prefix}${level}`;
      const top5 = `top5_${prefix}${level}`;
      metrics[acc] = metricOverItems(outs, (s) => mean(s, 'top1'), ctx.rng.fork(acc));
      metrics[top5] = metricOverItems(outs, (s) => mean(s, 'top5'), ctx.rng.fork(top5));
      for (const [fold, os] of [...groupBy(outs, (o) => o.fold)].sort(([a], [b]) => (a < b ? -1 : 1))) {
        items.push({ id: `${prefix}${level}/${fold}`, n: os.length, metrics: { [acc]: mean(os, 'top1'), [top5]: mean(os, 'top5') } });
      }
    }
    const summary = summarize(domains);
    return {
      headline: `accuracy_${prefix}fold`,
      metrics,
      items,
      protocol: {
        embedding: 'mean of hidden_states over the residue positions (special tokens excluded), one forward pass per domain',
        windowPolicy: windowPolicy(ctx.model),
        sequencesWindowed: emb.windowed,
        embeddingDim: emb.dim,
        embedSeconds: round3(embedSeconds),
        split: {
          kind,
          source: ctx.dataPath
            ? 'built from the user FASTA with the rules below'
            : kind === 'deepsf'
              ? `bundled (${DEEPSF}, built by data/build_deepsf.ts: DeepSF D2 lists joined by id to SCOPe 2.07 ASTRAL-40)`
              : `bundled (${BUNDLED}, built by data/build_split.ts from SCOPe 2.07 ASTRAL-40)`,
          rules: kind === 'deepsf' ? deepsfRuleText : ruleText,
          tier:
            ctx.tier === 'smoke'
              ? `smoke: the ${SMOKE_FOLDS} folds first in sha256("${SMOKE_KEY}:" + fold) order among those with test domains at all three levels, caps ${JSON.stringify(SMOKE_CAPS)} per fold (round-robin over families in sha256("${SMOKE_KEY}:" + name) order, orphan rule of the split applied again); a function of the data only, the same for every --seed`
              : 'full',
          sizes: summary,
          ...(loaded.counts ? { counts: loaded.counts } : {}),
        },
        labels:
          kind === 'deepsf'
            ? `DeepSF's fold label (SCOP 1.75); the probe chooses among the ${ev.classes.length} folds with joined training domains`
            : `fold (class.fold of the sccs); the probe chooses among the ${ev.classes.length} folds with training domains`,
        chance: ev.chance,
        probe: {
          ...PROBE,
          C: ev.probe.C,
          validation: ev.probe.scores,
          iterations: ev.probe.iterations,
          converged: ev.probe.converged,
          trainRows: ev.probe.trainRows,
          validRows: ev.probe.validRows,
          fitSeconds: round3(ev.probe.fitSeconds),
        },
        intervals: '95% percentile bootstrap over the test domains of each level, 1,000 resamples',
        items: `one per (level, fold class): accuracy and top-5 over that fold's test domains at that level; stable ids \`${prefix}level/fold\` a gate can pair across runs`,
        comparability:
          kind === 'deepsf'
            ? "DeepSF's test lists, but only the domains SCOPe 2.07 ASTRAL-40 still holds, 320 instead of 1,195 classes and at most 4 training domains per fold: not comparable with DeepSF or TAPE accuracies"
            : 'not comparable with TAPE/DeepSF numbers: SCOPe 2.07 instead of SCOP 1.75, a different split and a smaller label space',
      },
      data: [describeDataFile(loaded.file, loaded.label, loaded.rows)],
    };
  },
};

const LEVEL_TEXT: Record<Level, string> = {
  fold: 'whole superfamilies never seen in training',
  superfamily: 'whole families held out of superfamilies seen in training',
  family: 'held-out members of families seen in training',
};

const r = SPLIT_RULES_V1;
const ruleText = [
  `keep SCOP classes ${r.classes.split('').join(',')} and sequences of the 20 standard amino acids`,
  `a superfamily takes part with >= ${r.minSuperfamilyDomains} domains, a fold with >= ${r.minSuperfamiliesPerFold} such superfamilies`,
  `fold level: floor(k/${r.foldDivisor}) of the k superfamilies of each fold held out whole (never the largest)`,
  `superfamily level: floor(f/${r.superfamilyDivisor}) of the f families of each remaining superfamily held out whole (never the largest)`,
  `family level: floor(m/${r.familyDivisor}) of the m domains of each remaining family held out`,
  `validation: every ${r.validEvery}th remaining training domain of a fold`,
  `caps per fold: ${r.capTrain} training, ${r.capValid} validation, ${r.capTest} per test level, round-robin over families; test domains whose superfamily (superfamily level) or family (family level) lost its training domains to the cap are dropped`,
  `every choice in sha256("${r.key}:" + name) order`,
];

const deepsfRuleText = [
  "DeepSF dataset D2 (SCOP 1.75; TAPE's remote-homology split): roles from Traindata.list, validation.list and test_dataset.list_{fold,superfamily,family}, fold labels from their third column",
  'domains joined by id to SCOPe 2.07 ASTRAL-40 sequences, 20 standard amino acids only',
  'training and validation restricted to the folds of the joined test lists; test domains whose fold has no joined training domain dropped',
  `training capped at ${DEEPSF_TRAIN_CAP} domains per fold, round-robin over SCOPe families in sha256("plmbench-deepsf-v1:" + name) order`,
  'test domains whose level no longer holds in SCOPe 2.07 terms after the join and the cap dropped (superfamily level without a training domain of its superfamily, family level without one of its family, fold level with one of its superfamily)',
];

export default task;
