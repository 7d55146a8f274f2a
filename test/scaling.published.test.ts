import { expect } from 'chai';
import { buildLeaderboard, serializeLeaderboard } from '../src/report/leaderboard.js';
import { formatLeaderboard } from '../src/cli/commands/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, matchedCompute, type RegisteredRuns } from '../src/scaling/index.js';
import type { BaselineSet } from '../src/task/types.js';
import { schemaErrors } from '../src/util/schema.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

// A published baseline is a headline number on other data: the delta and its interval are shown for
// orientation, but the verdict is 'not-comparable', never better / worse / indistinguishable.
const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const none: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const flops = (id: string) => registry.models.find((m) => m.id === id)!.trainFlops.value!;
const midC = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));
const MODEL = [0.61, 0.65, 0.62, 0.68, 0.67, 0.59, 0.63, 0.66, 0.64, 0.6];
const published: BaselineSet = {
  kind: 'published',
  source: 'test: a headline on other data',
  description: 'published, different data',
  scores: { 'esm2-35m': { spearman: 0.2 }, 'esm2-150m': { spearman: 0.3 } },
};
const sameData: BaselineSet = { ...published, kind: 'same-data', source: 'test: same items', description: 'same data' };

const run = (baselines?: BaselineSet[], task = 'fitness') =>
  syntheticRun({
    id: 'my-model',
    objective: 'mlm',
    params: 1e8,
    trainFlops: midC,
    tier: 'full',
    tasks: {
      [task]: {
        headline: 'spearman',
        directions: { spearman: true },
        items: items(10, (i) => ({ spearman: MODEL[i]! })),
        ...(baselines ? { baselines } : {}),
      },
    },
  });

describe('scaling: published (different-data) baselines get no verdict', () => {
  it("a task's published set: verdict not-comparable, delta and interval kept for orientation, said in the note", () => {
    const r = run([published], 'my-task'); // a task the registry's published scores do not stand in for
    const mc = matchedCompute(r, { registry, laws, registered: none });
    const c = mc.comparisons.find((x) => x.family === 'esm2')!;
    expect(c).to.include({ kind: 'published', origin: 'task' });
    expect(c.baseline).to.be.closeTo(0.25, 1e-12);
    expect(c.deltaCi95![0]).to.be.above(0); // the interval excludes 0: formerly 'better'
    expect(c.delta).to.be.closeTo(0.635 - c.baseline, 1e-12);
    expect(c.interval).to.equal('model-ci-shifted');
    expect(c.verdict).to.equal('not-comparable');
    expect(c.intervalNote).to.match(/published .*different data.*orientation/);
    expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
  });

  it("the registry's published ProteinGym averages: not-comparable too; a same-data set with the same numbers still gets a verdict", () => {
    const reg = matchedCompute(run(), { registry, laws, registered: none }).comparisons.find((x) => x.family === 'esm2')!;
    expect(reg).to.include({ kind: 'published', origin: 'registry', verdict: 'not-comparable' });
    const same = matchedCompute(run([sameData]), { registry, laws, registered: none }).comparisons.find((x) => x.family === 'esm2')!;
    expect(same).to.include({ kind: 'same-data', verdict: 'better' });
  });

  it('the leaderboard keeps it out of the results: valid JSON, and its summary says not comparable instead of a delta', () => {
    const board = buildLeaderboard({
      runs: [{ path: 'my.json', sha256: 'f'.repeat(64), run: run([published]) }],
      registry,
      laws,
      registered: none,
      harness: { version: '0', commit: null },
    });
    expect(schemaErrors('leaderboard', JSON.parse(serializeLeaderboard(board)))).to.deep.equal([]);
    const c = board.entries[0]!.matchedCompute.comparisons.find((x) => x.family === 'esm2')!;
    expect(c.verdict).to.equal('not-comparable');
    const text = formatLeaderboard(board);
    expect(text).to.match(/NOT COMPARABLE, no verdict: published, different data/);
  });
});
