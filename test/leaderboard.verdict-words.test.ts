import { expect } from 'chai';
import { formatLeaderboard } from '../src/cli/commands/leaderboard.js';
import { attachCurve, buildLeaderboard, describeComparison, gapDecades } from '../src/report/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, type Comparison, type RegisteredRuns, type RunFile } from '../src/scaling/index.js';
import type { RunResult } from '../src/report/run-result.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';

// The leaderboard and its summary say in words when a comparison gives no verdict (out-of-range,
// uncertain, protocol-differs, not-comparable...), and never better/worse for those.
describe('leaderboard: comparisons in words, no better/worse without a verdict', () => {
  const registry = loadBaselineRegistry();
  const laws = loadScalingLaws();
  const registered: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
  const file = (r: RunResult): RunFile => ({ path: `${r.runId}.json`, sha256: 'f'.repeat(64), run: r });
  const board = buildLeaderboard({
    runs: [causalC(), maskedA(), maskedB()].map(file),
    registry,
    laws,
    registered,
    harness: { version: '0', commit: null },
  });
  const entry = board.entries.find((e) => e.id === 'masked-b')!; // 8e6 x 1e10 x 6 = 4.8e17 FLOPs, below ESM-2 8M (4.5e19)
  const c: Comparison = attachCurve(
    board,
    entry.matchedCompute.comparisons.find((x) => x.task === 'fitness' && x.primary)!,
  );
  const flops = entry.compute.flops!;

  it('the premise: the fixture comparison is clamped below the ESM-2 curve', () => {
    expect(c.clamped).to.equal('below');
    expect(c.lower.id).to.equal('esm2-8m');
    expect(flops).to.equal(4.8e17);
  });

  it("the gap in decades: the comparison's own gapDecades when it records one, else from the nearest point", () => {
    expect(gapDecades(c, flops)).to.be.closeTo(Math.log10(c.lower.flops / 4.8e17), 1e-12); // log10(4.501056e19 / 4.8e17) = 1.972
    expect(gapDecades({ ...c, gapDecades: 5.9 } as Comparison, flops)).to.equal(5.9);
    expect(gapDecades({ ...c, gapDecades: 'six' } as unknown as Comparison, flops)).to.be.closeTo(1.972, 0.001);
    expect(gapDecades({ ...c, clamped: null }, flops)).to.equal(null);
  });

  it('out-of-range: no verdict, the gap, no delta', () => {
    const s = describeComparison({ ...c, verdict: 'out-of-range' }, flops);
    expect(s).to.equal("OUT OF RANGE, no verdict: 2.0 decades of compute below esm2's range (nearest point esm2-8m)");
    expect(describeComparison({ ...c, verdict: 'out-of-range', gapDecades: 6.03 } as Comparison, flops)).to.match(
      /^OUT OF RANGE, no verdict: 6\.0 decades of compute below esm2's range/,
    );
  });

  it('uncertain, protocol-differs, not-comparable, no-interval: "no verdict" first, never better or worse', () => {
    for (const v of ['uncertain', 'protocol-differs', 'not-comparable', 'no-interval', 'direction-unknown', 'out-of-range'] as const) {
      const s = describeComparison({ ...c, verdict: v, delta: 0.5, deltaCi95: [0.4, 0.6] }, flops);
      expect(s, v).to.match(/^[A-Z -]+, no verdict: /);
      expect(s, v).to.not.match(/better|worse/i);
    }
    expect(describeComparison({ ...c, verdict: 'protocol-differs' }, flops)).to.match(
      /^PROTOCOL DIFFERS, no verdict: the baseline was scored with another protocol; for orientation only/,
    );
    expect(describeComparison({ ...c, verdict: 'uncertain' }, flops)).to.match(
      /^UNCERTAIN, no verdict: the verdict flips inside the training-compute interval/,
    );
  });

  it('a better/worse issued at a clamped point says it is not matched compute', () => {
    const s = describeComparison({ ...c, verdict: 'worse', kind: 'same-data', delta: -0.2, deltaCi95: [-0.3, -0.1] }, flops);
    expect(s).to.equal(
      "WORSE than esm2 0.229 (same-data, nearest point esm2-8m): -0.2 [-0.3, -0.1]; CLAMPED: 2.0 decades of compute below esm2's range (nearest point esm2-8m), not matched compute",
    );
  });

  it('the JSON rankings and the summary carry the words and the rank groups', () => {
    const row = board.tasks['fitness']!.tables[0]!.rankings[0]!.order.find((o) => o.id === 'masked-b')!;
    // the fixture's model (4.8e17 FLOPs) is below esm2's range: out-of-range comes before the published label
    expect(row.versus).to.match(/^OUT OF RANGE, no verdict: 2\.0 decades of compute below esm2's range/);
    const text = formatLeaderboard(board);
    expect(text).to.match(/entries sharing a rank have overlapping 95% intervals with the group's leader/);
    expect(text).to.match(/masked-b .*OUT OF RANGE, no verdict/);
    expect(text).to.match(/\n1 +masked-a .* leader /);
  });
});
