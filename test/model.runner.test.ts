import { expect } from 'chai';
import { planBatches, newMeter } from '../src/model/runner.js';
import { randomTransformer, loadTestModel } from './helpers/models.js';

describe('runner', () => {
  it('plans batches sorted by length under the token and output budgets', () => {
    const lengths = [10, 50, 20, 50, 5, 30];
    const policy = { maxTokens: 100, maxOutputFloats: 1e9, maxBatch: 10, maxPadFraction: 1 };
    const batches = planBatches(lengths, [0, 1, 2, 3, 4, 5], policy, () => 1);
    expect(batches).to.deep.equal([[1, 3], [5, 2, 0], [4]]);
    for (const b of batches) expect(b.length * Math.max(...b.map((i) => lengths[i]!))).to.be.at.most(100);
    // The float budget (attention maps grow with L^2) splits further.
    expect(planBatches(lengths, [0, 1, 2, 3, 4, 5], { ...policy, maxOutputFloats: 2600 }, (L) => L * L)).to.deep.equal([
      [1],
      [3],
      [5, 2],
      [0, 4],
    ]);
    // The padding cap (a sequence joins only if at least 60% as long as the batch's longest): 20 joins 30, 10 does not; 5 does not join 10.
    expect(planBatches(lengths, [0, 1, 2, 3, 4, 5], { ...policy, maxPadFraction: 0.4 }, () => 1)).to.deep.equal([[1, 3], [5, 2], [0], [4]]);
    // A sequence longer than the budget still runs, alone.
    expect(planBatches([500], [0], policy, () => 1)).to.deep.equal([[0]]);
  });

  it('returns results in request order, identical whatever the batching, and fetches only what was asked', async () => {
    const path = randomTransformer('clm', { maxLength: 128 });
    const seqs = ['MKV', 'MQIFVKTLTGKTITLEVEPSDTIENV', 'GSHM', 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ', 'A'];
    const outputs: string[][] = [];
    const reduce = (o: { length: number; outputs: Record<string, { data: Float32Array; dims: number[] } | undefined> }) => {
      outputs.push(Object.keys(o.outputs));
      const l = o.outputs['logits']!;
      return Float32Array.from(l.data.subarray(0, o.length * l.dims[1]!));
    };
    const runs: Float32Array[][] = [];
    for (const maxTokens of [32, 200, 10000]) {
      const model = await loadTestModel(path, { maxTokens });
      const meter = newMeter();
      runs.push(
        (await model.metered(meter).forward(
          seqs.map((s) => ({ tokens: model.encode(s) })),
          { outputs: ['logits'], reducer: 'x', cache: false, reduce },
        )) as Float32Array[],
      );
      await model.release();
      expect(meter.tokens).to.equal(seqs.reduce((s, q) => s + q.length + 2, 0));
    }
    expect(outputs.every((o) => o.length === 1 && o[0] === 'logits')).to.equal(true);
    seqs.forEach((s, i) => {
      expect(runs[0]![i]!.length).to.equal((s.length + 2) * 32);
      for (const r of runs.slice(1)) {
        let worst = 0;
        for (let k = 0; k < r[i]!.length; k++) worst = Math.max(worst, Math.abs(r[i]![k]! - runs[0]![i]![k]!));
        expect(worst, `sequence ${i}`).to.be.lessThan(1e-4);
      }
    });
  });

  it('refuses a request longer than the model (tasks must window)', async () => {
    const model = await loadTestModel(randomTransformer('mlm', { maxLength: 16 }));
    try {
      let err: unknown = null;
      await model
        .forward([{ tokens: model.encode('A'.repeat(20)) }], { outputs: ['logits'], reducer: 'x', reduce: () => new Float32Array(0) })
        .catch((e) => (err = e));
      expect(String(err)).to.match(/22 tokens, more than the model's 16/);
    } finally {
      await model.release();
    }
  });
});
