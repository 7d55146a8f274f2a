import { expect } from 'chai';
import { buildLeaderboard, serializeLeaderboard } from '../src/report/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, type RegisteredRuns, type RunFile } from '../src/scaling/index.js';
import { schemaErrors } from '../src/util/schema.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const registered: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const harness = { version: '0.1.0', commit: null };
const file = (run: ReturnType<typeof maskedA>): RunFile => ({ path: `${run.runId}.json`, sha256: 'f'.repeat(64), run });

describe('leaderboard: entries, ranks and matched compute', () => {
  const board = buildLeaderboard({ runs: [file(causalC()), file(maskedA()), file(maskedB())], registry, laws, registered, harness });

  it('one entry per model, sorted by id, valid against its schema', () => {
    expect(board.entries.map((e) => e.id)).to.deep.equal(['causal-c', 'masked-a', 'masked-b']);
    expect(schemaErrors('leaderboard', JSON.parse(serializeLeaderboard(board)))).to.deep.equal([]);
  });

  it('ranks fitness Spearman, higher first', () => {
    const r = board.tasks['fitness']!.tables[0]!.rankings;
    expect(r).to.have.length(1);
    expect(r[0]!.metric).to.equal('spearman');
    expect(r[0]!.order.map((o) => [o.id, o.rank])).to.deep.equal([
      ['masked-a', 1],
      ['causal-c', 2],
      ['masked-b', 3],
    ]);
    expect(board.entries.find((e) => e.id === 'masked-a')!.tasks['fitness']!.rank).to.equal(1);
  });

  it('ranks perplexity lower first, causal perplexity and masked pseudo-perplexity separately', () => {
    const r = board.tasks['perplexity']!.tables[0]!.rankings;
    expect(r.map((x) => x.metric)).to.deep.equal(['perplexity', 'pseudo_perplexity']);
    const pseudo = r.find((x) => x.metric === 'pseudo_perplexity')!;
    expect(pseudo.higherIsBetter).to.equal(false);
    expect(pseudo.order.map((o) => o.id)).to.deep.equal(['masked-b', 'masked-a']);
    expect(r.find((x) => x.metric === 'perplexity')!.order.map((o) => [o.id, o.rank])).to.deep.equal([['causal-c', 1]]);
  });

  it('each entry carries compute, N/N_opt under its own law, headline intervals and matched-compute deltas', () => {
    const a = board.entries.find((e) => e.id === 'masked-a')!;
    expect(a.compute.flops).to.equal(6 * 3e7 * 2e10);
    expect(a.nOverNopt).to.equal(a.frontier.find((f) => f.objective === 'mlm')!.nRatio);
    expect(a.tasks['fitness']!.metrics!['spearman']!.ci95).to.have.length(2);
    const c = a.matchedCompute.comparisons.find((x) => x.task === 'fitness' && x.metric === 'spearman' && x.primary)!;
    expect(c.family).to.equal('esm2');
    expect(c.kind).to.equal('published'); // ProteinGym averages: the synthetic runs carry no same-data scores
    expect(c.delta).to.be.closeTo(a.tasks['fitness']!.metrics!['spearman']!.value! - c.baseline, 1e-12);
    expect(board.baselines.find((b) => b.id === 'esm2-650m')!.nOverNopt).to.be.closeTo(0.1876, 0.001); // default law set cheng2024-released (was 0.185 under the unsourced prefactors)
  });

  it('equal values share a rank', () => {
    const tie = (id: string, v: number) =>
      file(
        syntheticRun({
          id,
          objective: 'mlm',
          params: 1e6,
          trainTokens: 1e9,
          tasks: { fitness: { headline: 'spearman', directions: { spearman: true }, items: items(4, () => ({ spearman: v })) } },
        }),
      );
    const b = buildLeaderboard({ runs: [tie('a', 0.3), tie('b', 0.5), tie('c', 0.3), tie('d', 0.1)], registry, laws, registered, harness });
    expect(b.tasks['fitness']!.tables[0]!.rankings[0]!.order.map((o) => [o.id, o.rank])).to.deep.equal([
      ['b', 1],
      ['a', 2],
      ['c', 2],
      ['d', 4],
    ]);
  });

  it('skipped and failed tasks are listed with their reason and not ranked', () => {
    const skipped = syntheticRun({
      id: 'no-fit',
      objective: 'clm',
      params: 1e6,
      trainTokens: 1e9,
      tasks: { fitness: { headline: 'spearman', directions: {}, items: [], status: 'skipped' } },
    });
    const b = buildLeaderboard({ runs: [file(maskedA()), file(skipped)], registry, laws, registered, harness });
    expect(b.entries.find((e) => e.id === 'no-fit')!.tasks['fitness']).to.include({ status: 'skipped', reason: 'synthetic skip' });
    expect(b.tasks['fitness']!.tables[0]!.rankings[0]!.order.map((o) => o.id)).to.deep.equal(['masked-a']);
  });
});
