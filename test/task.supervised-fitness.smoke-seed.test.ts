import { expect } from 'chai';
import task from '../tasks/supervised-fitness/index.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { Rng } from '../src/util/rng.js';
import type { Meter } from '../src/model/index.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

// The smoke tier is what CI gates compare: two runs with different --seed score the same variants and give
// the same values; only the bootstrap intervals may move. Also: a rerun with the runner's cache does no
// forward pass (embeddings are computed once per distinct sequence).
describe('supervised-fitness: the smoke tier does not depend on --seed; embeddings come from the cache on a rerun', function () {
  this.timeout(120000);

  it('two seeds: the same items and metric values; the second run is served from the cache', async () => {
    const dir = tempDir();
    const model = await loadTestModel(writeTokenLookupModel(dir, { objective: 'mlm' }));
    try {
      const meter = () => ({ forwardPasses: 0, cached: 0, tokens: 0, paddedTokens: 0, batches: 0, inferenceSeconds: 0 });
      const m0 = meter();
      const m1 = meter();
      const run = (seed: number, m: Meter) =>
        task.run(
          testContext('supervised-fitness', model.metered(m), { tier: 'smoke', seed, rng: new Rng(seed).fork('task:supervised-fitness') }),
        );
      const a = await run(0, m0);
      const b = await run(1, m1);
      expect(a.items).to.have.length(7);
      expect(b.items).to.deep.equal(a.items);
      for (const [k, m] of Object.entries(a.metrics)) {
        expect(b.metrics[k]!.value, k).to.equal(m.value);
        expect(b.metrics[k]!.n, k).to.equal(7);
      }
      expect(a.protocol['forwardRequests']).to.equal(700);
      expect(m0.forwardPasses).to.equal(700);
      expect(m0.cached).to.equal(0);
      expect(m1.cached).to.equal(700);
    } finally {
      await model.release();
    }
  });
});
