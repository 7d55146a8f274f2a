import { expect } from 'chai';
import { buildLeaderboard, intervalsOverlap, rankGroups } from '../src/report/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, type RegisteredRuns, type RunFile } from '../src/scaling/index.js';
import type { RunResult } from '../src/report/run-result.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

// Rank groups: the best remaining entry leads a group; every remaining entry whose 95% interval overlaps
// the leader's joins it; entries sharing a rank are not separated by their intervals. Hand-made cases.
describe('leaderboard: rank groups respect the 95% intervals', () => {
  const e = (id: string, value: number, ci95: [number | null, number | null] | null) => ({ id, value, ci95 });

  it('closed intervals; a missing interval or end cannot separate', () => {
    expect(intervalsOverlap([0, 1], [1, 2])).to.equal(true);
    expect(intervalsOverlap([0, 1], [1.0001, 2])).to.equal(false);
    expect(intervalsOverlap([0, 1], null)).to.equal(true);
    expect(intervalsOverlap([0, 1], [null, 0.5])).to.equal(true);
    expect(intervalsOverlap([0, 1], [null, -5])).to.equal(false);
    expect(intervalsOverlap([0, 1], [2, null])).to.equal(false);
  });

  it('overlap with the leader, not with the neighbour: groups, ranks 1 + entries in better groups', () => {
    // sorted best first: a leads; b and d overlap a (d despite its lower value); c does not and leads the next group
    const g = rankGroups([
      e('a', 0.5, [0.4, 0.6]),
      e('b', 0.45, [0.35, 0.55]),
      e('c', 0.3, [0.28, 0.32]),
      e('d', 0.2, [0.1, 0.41]),
      e('f', 0.1, [0.05, 0.15]),
    ]);
    expect(g.map((x) => [x.id, x.rank, x.leader])).to.deep.equal([
      ['a', 1, 'a'],
      ['b', 1, 'a'],
      ['d', 1, 'a'],
      ['c', 4, 'c'],
      ['f', 5, 'f'],
    ]);
  });

  it('a chain of overlaps does not merge groups: only overlap with the leader counts', () => {
    const g = rankGroups([e('a', 1.0, [0.9, 1.1]), e('b', 0.85, [0.8, 0.95]), e('c', 0.7, [0.6, 0.82])]);
    expect(g.map((x) => [x.id, x.rank])).to.deep.equal([
      ['a', 1],
      ['b', 1],
      ['c', 3],
    ]);
  });

  it('a leader without an interval takes everyone; exact intervals separate distinct values', () => {
    expect(rankGroups([e('a', 2, null), e('b', 1, [0.9, 1.1])]).map((x) => x.rank)).to.deep.equal([1, 1]);
    expect(rankGroups([e('a', 2, [2, 2]), e('b', 1, [1, 1]), e('c', 1, [1, 1])]).map((x) => x.rank)).to.deep.equal([1, 2, 2]);
  });

  it('a random-weights control with a wide interval does not rank alone above a trained model it cannot be told from', () => {
    const registry = loadBaselineRegistry();
    const laws = loadScalingLaws();
    const registered: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
    const run = (id: string, f: (i: number) => number) =>
      syntheticRun({
        id,
        objective: 'mlm',
        params: 1e6,
        trainTokens: 1e9,
        tier: 'full',
        tasks: { fitness: { headline: 'spearman', directions: { spearman: true }, items: items(12, (i) => ({ spearman: f(i) })) } },
      });
    const file = (r: RunResult): RunFile => ({ path: `${r.runId}.json`, sha256: 'f'.repeat(64), run: r });
    // control: mean 0.041 with a wide spread; trained: 0.02, narrow; bad: -0.3, narrow
    const runs = [
      run('rand-control', (i) => 0.041 + (i % 2 === 0 ? 0.15 : -0.15)),
      run('trained', (i) => 0.02 + (i % 2 === 0 ? 0.005 : -0.005)),
      run('bad', (i) => -0.3 + (i % 2 === 0 ? 0.005 : -0.005)),
    ];
    const b = buildLeaderboard({ runs: runs.map(file), registry, laws, registered, harness: { version: '0', commit: null } });
    const order = b.tasks['fitness']!.tables[0]!.rankings[0]!.order;
    const ci = (id: string) => order.find((o) => o.id === id)!.ci95 as [number, number];
    expect(ci('rand-control')[0]).to.be.below(ci('trained')[1]); // the premise: the intervals overlap
    expect(ci('rand-control')[0]).to.be.above(ci('bad')[1]);
    expect(order.map((o) => [o.id, o.rank, o.leader])).to.deep.equal([
      ['rand-control', 1, 'rand-control'],
      ['trained', 1, 'rand-control'],
      ['bad', 3, 'bad'],
    ]);
    expect(b.entries.find((x) => x.id === 'trained')!.tasks['fitness']!.rank).to.equal(1);
  });
});
