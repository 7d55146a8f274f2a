import { expect } from 'chai';
import { attachCurve, buildLeaderboard, CurveStore, serializeLeaderboard } from '../src/report/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, matchedCompute, type RegisteredRuns, type RunFile } from '../src/scaling/index.js';
import type { RunResult } from '../src/report/run-result.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';

// Baseline curves (points, source, description) are stored once per leaderboard, in `curves`; each
// comparison names its curve by curveId and gives back exactly the run's comparison when reattached.
describe('leaderboard: baseline curves stored once', () => {
  const registry = loadBaselineRegistry();
  const laws = loadScalingLaws();
  const registered: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
  const runs: RunResult[] = [causalC(), maskedA(), maskedB()];
  const file = (r: RunResult): RunFile => ({ path: `${r.runId}.json`, sha256: 'f'.repeat(64), run: r });
  const board = buildLeaderboard({ runs: runs.map(file), registry, laws, registered, harness: { version: '0', commit: null } });
  const comparisons = board.entries.flatMap((e) => e.matchedCompute.comparisons);

  it('no comparison carries a curve, source or description; each names a curve the board holds', () => {
    expect(comparisons.length).to.be.above(3);
    for (const c of comparisons) {
      expect(c).to.not.have.any.keys('curve', 'source', 'description');
      expect(board.curves, c.curveId).to.have.property(c.curveId);
    }
  });

  it('each distinct curve once: as many curves as distinct (task, metric, family, source, points), fewer than comparisons', () => {
    const distinct = new Set(
      runs.flatMap((r) =>
        matchedCompute(r, { registry, laws, registered }).comparisons.map((c) =>
          JSON.stringify([c.task, c.metric, c.family, c.kind, c.origin, c.source, c.description, c.curve]),
        ),
      ),
    );
    expect(Object.keys(board.curves)).to.have.length(distinct.size);
    expect(Object.keys(board.curves).length).to.be.below(comparisons.length);
    // the three synthetic runs share the fitness Spearman curves of both families: one record each
    expect(Object.keys(board.curves).filter((k) => k.startsWith('fitness/spearman/'))).to.deep.equal([
      'fitness/spearman/esm2/published/registry',
      'fitness/spearman/progen2/published/registry',
    ]);
  });

  it("reattached, every comparison is the run's own comparison", () => {
    for (const [k, r] of runs.entries()) {
      const id = (r.model.card as { id: string }).id;
      const entry = board.entries.find((e) => e.id === id)!;
      const own = matchedCompute(r, { registry, laws, registered }).comparisons;
      expect(
        entry.matchedCompute.comparisons.map((c) => attachCurve(board, c)),
        `run ${k}`,
      ).to.deep.equal(own);
    }
  });

  it('one id per distinct curve; a name taken by another curve (e.g. a same-data curve on other data) gets #2', () => {
    const c = attachCurve(board, board.entries[0]!.matchedCompute.comparisons[0]!);
    const store = new CurveStore();
    const first = store.detach(c);
    expect(store.detach({ ...c, delta: 1 }).curveId).to.equal(first.curveId); // same curve, another comparison
    const moved = { ...c, curve: c.curve.map((p) => ({ ...p, score: p.score + 0.01 })) };
    expect(store.detach(moved).curveId).to.equal(`${first.curveId}#2`);
    expect(store.detach({ ...c, source: 'another source' }).curveId).to.equal(`${first.curveId}#3`);
    expect(Object.keys(store.all())).to.have.length(3);
  });

  it('the serialized board holds each curve once: smaller than with the curves inline', () => {
    const text = serializeLeaderboard(board);
    const inline = JSON.stringify(
      {
        ...board,
        curves: undefined,
        entries: board.entries.map((e) => ({
          ...e,
          matchedCompute: { ...e.matchedCompute, comparisons: e.matchedCompute.comparisons.map((c) => attachCurve(board, c)) },
        })),
      },
      null,
      2,
    );
    expect(text.length).to.be.below(inline.length);
    expect(text.match(/"curve":/g)).to.equal(null);
    expect(text.match(/"points":/g)!.length).to.equal(Object.keys(board.curves).length);
    expect(text.match(/"curveId":/g)!.length).to.equal(comparisons.length);
  });
});
