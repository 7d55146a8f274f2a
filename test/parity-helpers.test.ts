import { expect } from 'chai';
import { boundViolations, diffRuns, type ParityBounds } from './helpers/parity.js';

/** The comparison under the WebGPU and fp16 parity checks: an overflow on one side must never pass. */
describe('parity helpers: diffRuns and boundViolations', () => {
  const run = (item: number | null, agg: number | null) => ({
    tasks: {
      t: {
        status: 'ok',
        metrics: { m: { value: agg, ci95: [0, 1] as [number, number] } },
        items: [{ id: 'a', metrics: { m: item } }],
      },
    },
  });
  const bounds: ParityBounds = {
    outputs: { logits: 1, hidden_states: 1, attentions: 1 },
    tasks: { t: { m: { item: 0.1, aggregate: 0.1 } } },
  };

  it('a value on one side and null on the other is an infinite difference, item and aggregate', () => {
    const [d] = diffRuns(run(0.5, 0.5), run(null, null) as never);
    expect(d!.maxItemDiff).to.equal(Infinity);
    expect(d!.aggregateDiff).to.equal(Infinity);
    expect(boundViolations('x', bounds, {}, [d!])).to.have.length(2);
  });

  it('null on both sides is not a difference; close values pass their bounds', () => {
    const [both] = diffRuns(run(null, null) as never, run(null, null) as never);
    expect(both!.items).to.equal(0);
    expect(Number.isNaN(both!.aggregateDiff)).to.equal(true);
    expect(boundViolations('x', bounds, {}, diffRuns(run(0.5, 0.5), run(0.55, 0.45)))).to.deep.equal([]);
  });

  it('an item on one side only (another id) is not compared', () => {
    const other = run(null, 0.5);
    other.tasks.t.items[0]!.id = 'b';
    const [d] = diffRuns(run(0.5, 0.5), other as never);
    expect(d!.items).to.equal(0);
    expect(boundViolations('x', bounds, {}, [d!])).to.deep.equal([]);
  });

  it('an aggregate-only bound refuses per-item values it never measured', () => {
    const aggOnly: ParityBounds = { ...bounds, tasks: { t: { m: { aggregate: 0.1 } } } };
    expect(boundViolations('x', aggOnly, {}, diffRuns(run(0.5, 0.5), run(0.5, 0.5)))).to.have.length(1);
  });
});
