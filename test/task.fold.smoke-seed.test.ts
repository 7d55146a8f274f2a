import { expect } from 'chai';
import task from '../tasks/fold/index.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { Rng } from '../src/util/rng.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

// The smoke tier is what CI gates compare: two runs of the same model with different --seed must score
// the same domains and give the same values; only the bootstrap intervals may move.
describe('fold task: the smoke tier does not depend on --seed', function () {
  this.timeout(120000);

  it('two seeds: the same items (ids, n, values), the same metric values and n, the same split sizes', async () => {
    const dir = tempDir();
    const model = await loadTestModel(writeTokenLookupModel(dir, { objective: 'mlm' }));
    try {
      const run = (seed: number) => task.run(testContext('fold', model, { tier: 'smoke', seed, rng: new Rng(seed).fork('task:fold') }));
      const a = await run(0);
      const b = await run(1);
      expect(a.items.length).to.be.greaterThan(0);
      expect(b.items).to.deep.equal(a.items);
      expect(Object.keys(b.metrics)).to.deep.equal(Object.keys(a.metrics));
      for (const [k, m] of Object.entries(a.metrics)) {
        expect(b.metrics[k]!.value, k).to.equal(m.value);
        expect(b.metrics[k]!.n, k).to.equal(m.n);
      }
      const split = (r: typeof a) => r.protocol['split'] as Record<string, unknown>;
      expect(split(b)['sizes']).to.deep.equal(split(a)['sizes']);
      expect(split(a)['tier']).to.include('sha256("plmbench-fold-smoke-v1:" + fold)');
      expect(split(a)['tier']).to.include('the same for every --seed');
    } finally {
      await model.release();
    }
  });
});
