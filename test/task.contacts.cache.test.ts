import { expect } from 'chai';
import task from '../tasks/contacts/index.js';
import { CacheStore, type CachedArray } from '../src/cache/store.js';
import { newMeter } from '../src/model/runner.js';
import { testContext } from './helpers/context.js';
import { loadTestModel, randomTransformer } from './helpers/models.js';
import { structureFolder } from './golden/contacts/fixtures.js';

// A rerun with the same caches skips the regression's forward passes and fit (task cache) and the
// evaluation's forward passes (forward cache), and gives the same numbers.
describe('contacts: caching', function () {
  this.timeout(120_000);

  it('a rerun serves the fit and every forward pass from the caches and reproduces the result', async () => {
    const store = new CacheStore(null);
    const model = await loadTestModel(randomTransformer('clm', { maxLength: 96 }), {}, store);
    const items = new Map<string, CachedArray>();
    const cache = { get: (k: string) => items.get(k), put: (k: string, v: CachedArray) => void items.set(k, v) };
    const dataPath = structureFolder(['A040', 'A035']);
    const runOnce = async () => {
      const meter = newMeter();
      const ctx = testContext('contacts', model.metered(meter), { cache, dataPath, tier: 'full' });
      return { out: await task.run(ctx), meter };
    };
    const first = await runOnce();
    const second = await runOnce();
    const fit1 = first.out.protocol['regression'] as { fromCache: boolean; trainingPairs: number };
    const fit2 = second.out.protocol['regression'] as { fromCache: boolean; trainingPairs: number };
    expect(fit1.fromCache).to.equal(false);
    expect(fit2.fromCache).to.equal(true);
    expect(fit2.trainingPairs).to.equal(fit1.trainingPairs);
    // First run: 20 training chains (several windowed at 94 residues) + 2 evaluation chains.
    expect(first.meter.forwardPasses).to.be.greaterThan(22);
    expect(first.meter.cached).to.equal(0);
    // Second run: only the evaluation windows are asked for, all from the cache.
    expect(second.meter.forwardPasses).to.equal(second.meter.cached);
    expect(second.meter.forwardPasses).to.be.lessThan(first.meter.forwardPasses);
    expect(second.meter.batches).to.equal(0);
    expect(second.out.metrics).to.deep.equal(first.out.metrics);
    expect(second.out.items).to.deep.equal(first.out.items);
  });
});
