import { existsSync } from 'node:fs';
import type { ItemResult, TaskContext, TaskModule, TaskOutcome } from '../../src/task/index.js';
import { describeDataFile, metricOverItems } from '../../src/task/index.js';
import { oncePerContext } from '../../src/task/once.js';
import { BenchError } from '../../src/util/errors.js';
import { byRank, groupBy } from '../../src/util/order.js';
import { Rng } from '../../src/util/rng.js';
import { round3 } from '../../src/util/round.js';
import { Q3_CLASSES, Q8_CLASSES, readNetsurfpCsv, roleOf, SS_SPLIT, type SsProtein, type SsRole } from './data.js';
import { forEachResidueEmbedding, windowPolicy } from './embed.js';
import { fitSsProbes, PROBE, scoreResidues, type ProbeFit, type ResidueSet } from './probe.js';

const BUNDLED = 'data/CB513.csv.gz';
const BUNDLED_ROWS = 511;
const BUNDLED_SHA256 = 'c11d2aa5b395c859d7b46e566ef16e95be133273286673fac77ac4fe3472c2b8';

/** Training residues the probe is fitted on (a fixed sample when there are more), and validation residues. */
export const MAX_TRAIN_RESIDUES = 20000;
export const MAX_VALID_RESIDUES = 10000;
/** Smoke tier: proteins per role, pinned by hash (independent of --seed). */
export const SMOKE = { train: 30, valid: 8, test: 20 } as const;
/** Rank key of the smoke tier's proteins. */
export const SMOKE_KEY = 'plmbench-ss-smoke-v1';
const SMOKE_RULE = `per role, the ${SMOKE.train} training, ${SMOKE.valid} validation and ${SMOKE.test} test proteins (with evaluated residues) first in sha256("${SMOKE_KEY}:" + id) order, id = cb513-<row>; independent of --seed`;

interface Entry extends SsProtein {
  role: SsRole;
  /** The sequence as encoded (letters outside the vocabulary mapped to X). */
  encoded: string;
}

interface Loaded {
  file: string;
  label: string;
  entries: Entry[];
  /** Residues whose letter the vocabulary lacks, read as X. */
  mappedToX: number;
}

/** CB513 (or the user's file) with roles and encodings, read and checked once per context (`check`, then `run`). */
const load = oncePerContext((ctx: TaskContext): Loaded => {
  const file = ctx.dataPath ?? `${ctx.taskDir}/${BUNDLED}`;
  if (!existsSync(file)) throw new BenchError('E_IO', `${file}: not found`);
  const proteins = readNetsurfpCsv(file);
  const vocab = ctx.model.vocab;
  const hasX = vocab.residueId('X') >= 0;
  let mappedToX = 0;
  const entries = proteins.map((p) => {
    let encoded = p.sequence;
    const bad = vocab.firstInvalid(p.sequence);
    if (bad >= 0) {
      if (!hasX)
        throw new BenchError(
          'E_DATA',
          `${file}:${p.line}: letter "${p.sequence[bad]}" at residue ${bad + 1} is not in the ${vocab.name} vocabulary, which has no X to read it as`,
        );
      encoded = [...p.sequence].map((c) => (vocab.residueId(c) >= 0 ? c : (mappedToX++, 'X'))).join('');
    }
    return { ...p, role: roleOf(p.sequence), encoded };
  });
  for (const role of ['train', 'valid', 'test'] as const) {
    if (!entries.some((e) => e.role === role && e.evaluated > 0)) {
      throw new BenchError(
        'E_DATA',
        `${file}: the hash split gives no ${role} protein with evaluated residues (${entries.length} proteins)`,
      );
    }
  }
  return { file, label: ctx.dataPath ?? BUNDLED, entries, mappedToX };
});

/**
 * Smoke tier: per role, the `SMOKE[role]` proteins with evaluated residues that come first in
 * sha256("plmbench-ss-smoke-v1:" + id) order (id = `cb513-<row>`), in file order. A function of the
 * data only: two runs with different seeds score the same proteins.
 */
function smokeSubset(entries: Entry[]): Entry[] {
  const keep = new Set<Entry>();
  for (const role of ['train', 'valid', 'test'] as const) {
    const pool = entries.filter((e) => e.role === role && e.evaluated > 0);
    for (const e of byRank(SMOKE_KEY, pool, (e) => e.id).slice(0, SMOKE[role])) keep.add(e);
  }
  return entries.filter((e) => keep.has(e));
}

/** Evaluated residues of some entries, as (entry, position) pairs; a sample of `max` from `rng` when more. */
function residues(entries: Entry[], max: number, rng: Rng): { entry: number; pos: number }[] {
  const all: { entry: number; pos: number }[] = [];
  entries.forEach((e, k) => {
    for (let i = 0; i < e.mask.length; i++) if (e.mask[i]) all.push({ entry: k, pos: i });
  });
  if (all.length <= max) return all;
  return rng
    .sampleIndices(all.length, max)
    .sort((a, b) => a - b)
    .map((i) => all[i]!);
}

/**
 * Gathers the hidden states of the chosen residues: each distinct sequence runs once, and the rows of
 * its chosen residues are copied out before the next chunk.
 */
async function gather(
  ctx: TaskContext,
  entries: Entry[],
  picks: { entry: number; pos: number }[],
  onProgress: (d: number) => void,
): Promise<ResidueSet & { stats: { windowed: number; requests: number } }> {
  const seqs = [...new Set(entries.map((e) => e.encoded))];
  const seqIndex = new Map(seqs.map((s, i) => [s, i]));
  const bySeq = groupBy(picks.keys(), (k) => seqIndex.get(entries[picks[k]!.entry]!.encoded)!);
  let x = new Float32Array(0);
  let dim = 0;
  const stats = await forEachResidueEmbedding(
    ctx.model,
    seqs,
    (si, rows, D) => {
      if (dim === 0) {
        dim = D;
        x = new Float32Array(picks.length * D);
      }
      for (const k of bySeq.get(si) ?? []) x.set(rows.subarray(picks[k]!.pos * D, (picks[k]!.pos + 1) * D), k * D);
    },
    onProgress,
  );
  const y3 = Int32Array.from(picks, (p) => Q3_CLASSES.indexOf(entries[p.entry]!.ss3[p.pos]!));
  const y8 = Int32Array.from(picks, (p) => Q8_CLASSES.indexOf(entries[p.entry]!.ss8[p.pos]!));
  return { x: { data: x, rows: picks.length, cols: dim }, y3, y8, stats };
}

/** Per-residue secondary structure (3- and 8-state) by linear probes on hidden states, CB513. */
const task: TaskModule = {
  name: 'secondary-structure',
  version: '1.2.0',
  needs: ['hidden_states'],
  describe: () => ({
    title: 'Secondary structure (Q3/Q8) by linear probes on per-residue hidden states, CB513 (internal protein split)',
    headline: 'q3',
    metrics: [
      {
        name: 'q3',
        higherIsBetter: true,
        description: 'fraction of evaluated test residues (cb513_mask 1) whose 3-state DSSP class (H, E, C) the probe predicts',
      },
      { name: 'q8', higherIsBetter: true, description: 'the same for the 8 DSSP states (H G I E B T S C)' },
    ],
    data: [{ file: BUNDLED, sha256: BUNDLED_SHA256, rows: BUNDLED_ROWS }],
    tiers: {
      smoke: SMOKE_RULE,
      full: 'all 511 CB513 entries: 215 training (33,370 evaluated residues, a fixed 20,000 fitted, independent of --seed), 53 validation (10,031), 243 test (40,590)',
    },
  }),
  check(ctx: TaskContext): void {
    load(ctx);
  },
  async run(ctx: TaskContext): Promise<TaskOutcome> {
    const loaded = load(ctx);
    const entries = ctx.tier === 'smoke' ? smokeSubset(loaded.entries) : loaded.entries;
    const of = (r: SsRole) => entries.filter((e) => e.role === r && e.evaluated > 0);
    const train = of('train');
    const valid = of('valid');
    const test = of('test');
    const t0 = performance.now();
    const p1 = ctx.progress.phase('secondary-structure: training residues', new Set([...train, ...valid].map((e) => e.encoded)).size);
    // Fixed streams, not the run's seed: which residues train the probe is part of the data, so runs
    // with different seeds stay comparable item by item (the seed moves only the intervals).
    const trainPicks = residues(train, MAX_TRAIN_RESIDUES, new Rng('plmbench-ss-train-residues-v1'));
    const validPicks = residues(valid, MAX_VALID_RESIDUES, new Rng('plmbench-ss-valid-residues-v1'));
    const tr = await gather(ctx, train, trainPicks, (d) => {
      p1.set(d);
    });
    const va = await gather(ctx, valid, validPicks, (d) => {
      p1.set(d);
    });
    p1.end();
    let embedSeconds = (performance.now() - t0) / 1000;
    const fit: ProbeFit = fitSsProbes(tr, va);
    const t1 = performance.now();
    const testSeqs = [...new Set(test.map((e) => e.encoded))];
    const p2 = ctx.progress.phase('secondary-structure: test proteins', testSeqs.length);
    const byEncoded = groupBy(test, (e) => e.encoded);
    const counts = new Map<Entry, { c3: number; c8: number; n: number }>();
    const testStats = await forEachResidueEmbedding(
      ctx.model,
      testSeqs,
      (si, rows, D) => {
        for (const e of byEncoded.get(testSeqs[si]!)!) counts.set(e, scoreResidues(fit, rows, D, e));
      },
      (d) => {
        p2.set(d);
      },
    );
    p2.end();
    embedSeconds += (performance.now() - t1) / 1000;
    const items = test.map((e) => ({ e, ...counts.get(e)! }));
    const ratio = (k: 'c3' | 'c8') => (s: readonly { c3: number; c8: number; n: number }[]) =>
      s.reduce((a, r) => a + r[k], 0) / s.reduce((a, r) => a + r.n, 0);
    const testResidues = items.reduce((a, r) => a + r.n, 0);
    const dist = (labels: string, field: 'ss3' | 'ss8', set: Entry[]) => {
      const c = new Map<string, number>([...labels].map((l) => [l, 0]));
      let n = 0;
      for (const e of set)
        for (let i = 0; i < e.mask.length; i++)
          if (e.mask[i]) {
            c.set(e[field][i]!, c.get(e[field][i]!)! + 1);
            n++;
          }
      return Object.fromEntries([...c].map(([l, v]) => [l, v / n]));
    };
    const trainDist3 = dist(Q3_CLASSES, 'ss3', train);
    const trainDist8 = dist(Q8_CLASSES, 'ss8', train);
    const testDist3 = dist(Q3_CLASSES, 'ss3', test);
    const testDist8 = dist(Q8_CLASSES, 'ss8', test);
    const argmax = (d: Record<string, number>) => Object.entries(d).sort((a, b) => b[1] - a[1])[0]![0];
    const resultItems: ItemResult[] = items.map((r) => ({ id: r.e.id, n: r.n, metrics: { q3: r.c3 / r.n, q8: r.c8 / r.n } }));
    const size = (set: Entry[]) => ({
      proteins: set.length,
      distinctSequences: new Set(set.map((e) => e.sequence)).size,
      residues: set.reduce((a, e) => a + e.sequence.length, 0),
      evaluatedResidues: set.reduce((a, e) => a + e.evaluated, 0),
    });
    return {
      metrics: {
        q3: metricOverItems(items, ratio('c3'), ctx.rng.fork('q3')),
        q8: metricOverItems(items, ratio('c8'), ctx.rng.fork('q8')),
      },
      items: resultItems,
      protocol: {
        features: 'hidden_states at each residue position (special tokens excluded), one forward pass per distinct sequence',
        windowPolicy: windowPolicy(ctx.model),
        sequencesWindowed: tr.stats.windowed + va.stats.windowed + testStats.windowed,
        embeddingDim: tr.x.cols,
        embedSeconds: round3(embedSeconds),
        evaluated: 'residues with cb513_mask 1.0 only, in training, validation and test alike',
        split: {
          rule: `internal split of CB513 proteins: u = first 32 bits of sha256("${SS_SPLIT.key}:" + sequence) / 2^32; test u < ${SS_SPLIT.test}, validation u < ${SS_SPLIT.test + SS_SPLIT.valid}, training otherwise (entries sharing a chain share a role)`,
          why: 'CB513 is a test set in the literature (probes are trained on NetSurfP-2.0 or ProteinNet data); to keep the bundle small this task trains and tests within CB513, whose chains share at most ~25% sequence identity (Cuff and Barton 1999), so the split is a protein-level hold-out, not the published protocol; Q3/Q8 are not comparable with published CB513 numbers',
          tier: ctx.tier === 'smoke' ? `smoke: ${SMOKE_RULE}` : 'full',
          train: size(train),
          valid: size(valid),
          test: size(test),
          excludedNoEvaluatedResidues: entries.filter((e) => e.evaluated === 0).length,
          residuesReadAsX: loaded.mappedToX,
        },
        probe: {
          ...PROBE,
          trainResidues: tr.x.rows,
          trainResiduesRule: `a fixed sample (stream plmbench-ss-train-residues-v1, not the run's seed) of ${MAX_TRAIN_RESIDUES} evaluated training residues when there are more`,
          validResidues: va.x.rows,
          q3: fit.q3.report,
          q8: fit.q8.report,
        },
        chance: {
          q3: { uniform: 1 / 3, majorityClass: argmax(trainDist3), majority: testDist3[argmax(trainDist3)]!, testDistribution: testDist3 },
          q8: { uniform: 1 / 8, majorityClass: argmax(trainDist8), majority: testDist8[argmax(trainDist8)]!, testDistribution: testDist8 },
        },
        testResidues,
        aggregate:
          'per-residue accuracy pooled over the test proteins (sum correct / sum evaluated residues); 95% percentile bootstrap over test proteins, 1,000 resamples',
      },
      data: [describeDataFile(loaded.file, loaded.label, loaded.entries.length)],
    };
  },
};

export default task;
