import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { describeCompute } from '../src/cli/compute-report.js';
import type { ModelCard } from '../src/model/card.js';
import { buildLeaderboard, serializeLeaderboard } from '../src/report/leaderboard.js';
import { formatLeaderboard } from '../src/cli/commands/leaderboard.js';
import {
  frontierPositions,
  loadBaselineRegistry,
  loadScalingLaws,
  matchedCompute,
  trainingCompute,
  type RegisteredRuns,
} from '../src/scaling/index.js';
import { schemaErrors } from '../src/util/schema.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

// The laws of Cheng et al. 2024 were fitted on the authors' runs (scaling-laws.json fittedRange per law:
// CLM 2.0e17..3.35e21 FLOPs, MLM 6.4e17..3.35e21 FLOPs, 6.3e6..2.8e9 parameters, flagships left out).
// N_opt(C) and N/N_opt outside that range are extrapolations and are flagged.
const laws = loadScalingLaws();
const registry = loadBaselineRegistry();
const none: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const params = { total: 2e6, embedding: 1e6, nonEmbedding: 1e6, embeddingTensors: [] };

describe("scaling: the laws' fitted range is data, and N/N_opt outside it is flagged", () => {
  it('results/baselines/scaling-laws.json gives each law its range with its source', () => {
    const raw = JSON.parse(readFileSync(new URL('../results/baselines/scaling-laws.json', import.meta.url), 'utf8')) as {
      sets: { laws: Record<string, { fittedRange: { params: number[]; flops: number[]; source: string } }> }[];
    };
    expect(schemaErrors('scaling-laws', raw)).to.deep.equal([]);
    const mlm = raw.sets[0]!.laws['mlm']!.fittedRange;
    expect(mlm.params).to.deep.equal([6291456, 2834283904]);
    expect(mlm.flops).to.deep.equal([6.42244069e17, 3.353768618256e21]);
    expect(mlm.source)
      .to.match(/mlm_10b_all1\.33ep_noreg_tk263b/)
      .and.match(/leaving out/);
    expect(laws.laws.clm.fittedRange.flops).to.deep.equal([2.00700546e17, 3.353768618256e21]);
  });

  it('frontierPositions: 5e13 FLOPs is flagged with a note under both laws; 1e20 FLOPs is not', () => {
    const far = frontierPositions(laws, trainingCompute({ params: 1e6, trainFlops: 5e13 }, 1), 'mlm');
    for (const f of far) {
      expect(f.outsideFittedRange, f.objective).to.equal(true);
      expect(f.rangeNote).to.match(
        /5\.000e13 FLOPs is below the compute range .* \((6\.422e17|2\.007e17) to 3\.354e21 FLOPs\).*extrapolat/,
      );
    }
    const inside = frontierPositions(laws, trainingCompute({ params: 1e8, trainFlops: 1e20 }, 1), 'mlm');
    for (const f of inside) {
      expect(f.outsideFittedRange).to.equal(false);
      expect(f).to.not.have.property('rangeNote');
    }
    // Above the range: the paper's own 10.7B model at 1.72e22 FLOPs, chosen with the law, kept out of the range.
    expect(frontierPositions(laws, trainingCompute({ params: 1.07e10, trainFlops: 1.72e22 }, 1), 'mlm')[0]!.rangeNote).to.match(
      /above the compute range/,
    );
  });

  it('the compute report (bench inspect) says so in text and JSON', async () => {
    const card = { id: 'tiny', objective: 'mlm', vocab: 'esm', maxLength: 128, params: 1e6, trainFlops: 5e13 } as unknown as ModelCard;
    const r = describeCompute(card, params);
    expect(r.details['outsideFittedRange']).to.equal(true);
    expect(r.lines.join('\n')).to.match(/outside the fitted range: C = 5\.000e13 FLOPs is below/);
    const ok = describeCompute({ ...card, params: 1e8, trainFlops: 1e20 }, params);
    expect(ok.details['outsideFittedRange']).to.equal(false);
    expect(ok.lines.join('\n')).to.not.match(/outside the fitted range/);

    const dir = tempDir();
    const model = randomTransformer('mlm', { layers: 1, dim: 16, heads: 2, seed: 3 }, dir);
    const cardPath = join(dir, 'tiny.card.json');
    writeFileSync(cardPath, JSON.stringify(card));
    const io = memoryIo();
    expect(await main(['inspect', '--model', model, '--card', cardPath], io)).to.equal(0);
    expect(io.out.join('')).to.match(/N\/N_opt = [\d.]+[\s\S]*outside the fitted range: C = 5\.000e13 FLOPs/);
  });

  it("a run's matchedCompute.model.frontier and the leaderboard entry and summary carry the flag", () => {
    const run = syntheticRun({
      id: 'tiny',
      objective: 'mlm',
      params: 1e6,
      trainFlops: 5e13,
      tier: 'full',
      tasks: { fitness: { headline: 'spearman', directions: { spearman: true }, items: items(4, (i) => ({ spearman: 0.1 * i })) } },
    });
    const mc = matchedCompute(run, { registry, laws, registered: none });
    expect(mc.model.frontier.every((f) => f.outsideFittedRange)).to.equal(true);
    expect(schemaErrors('run', { ...run, matchedCompute: mc })).to.deep.equal([]);
    const board = buildLeaderboard({
      runs: [{ path: 'tiny.json', sha256: 'f'.repeat(64), run }],
      registry,
      laws,
      registered: none,
      harness: { version: '0', commit: null },
    });
    expect(schemaErrors('leaderboard', JSON.parse(serializeLeaderboard(board)))).to.deep.equal([]);
    const e = board.entries[0]!;
    expect(e.outsideFittedRange).to.equal(true);
    expect(e.frontier.every((f) => f.outsideFittedRange)).to.equal(true);
    expect(formatLeaderboard(board)).to.match(/\d+(\.\d+)? \(outside the laws' fitted range\)/);
    // Registry baselines: ESM-2 8M (4.5e19 FLOPs) inside, ESM-2 15B (4.9e22 FLOPs) outside.
    expect(board.baselines.find((b) => b.id === 'esm2-8m')!.outsideFittedRange).to.equal(false);
    expect(board.baselines.find((b) => b.id === 'esm2-15b')!.outsideFittedRange).to.equal(true);
  });
});
