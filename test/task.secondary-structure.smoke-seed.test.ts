import { expect } from 'chai';
import { join, resolve } from 'node:path';
import task from '../tasks/secondary-structure/index.js';
import { readNetsurfpCsv, roleOf } from '../tasks/secondary-structure/data.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { sha256 } from '../src/util/hash.js';
import { Rng } from '../src/util/rng.js';
import { builtinTasksDir } from '../src/util/paths.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

// The smoke tier is what CI gates compare: two runs of the same model with different --seed must score
// the same proteins and give the same values; only the bootstrap intervals may move.
describe('secondary-structure task: the smoke tier does not depend on --seed', function () {
  this.timeout(120000);

  it('two seeds: the same test proteins (the documented hash rule), the same items and metric values', async () => {
    const dir = tempDir();
    const model = await loadTestModel(writeTokenLookupModel(dir, { objective: 'mlm' }));
    try {
      const run = (seed: number) =>
        task.run(testContext('secondary-structure', model, { tier: 'smoke', seed, rng: new Rng(seed).fork('task:secondary-structure') }));
      const a = await run(0);
      const b = await run(3);
      // the 20 test entries with evaluated residues first in sha256("plmbench-ss-smoke-v1:" + id) order, in file order
      const entries = readNetsurfpCsv(join(resolve(builtinTasksDir, 'secondary-structure'), 'data/CB513.csv.gz'));
      const test = entries.filter((e) => roleOf(e.sequence) === 'test' && e.evaluated > 0);
      const first20 = new Set(
        test
          .map((e) => [sha256(`plmbench-ss-smoke-v1:${e.id}`), e.id] as const)
          .sort(([x], [y]) => (x < y ? -1 : 1))
          .slice(0, 20)
          .map(([, id]) => id),
      );
      expect(a.items.map((i) => i.id)).to.deep.equal(test.filter((e) => first20.has(e.id)).map((e) => e.id));
      expect(b.items).to.deep.equal(a.items);
      for (const k of ['q3', 'q8']) {
        expect(b.metrics[k]!.value, k).to.equal(a.metrics[k]!.value);
        expect(b.metrics[k]!.n, k).to.equal(a.metrics[k]!.n);
      }
      const split = (r: typeof a) => r.protocol['split'] as Record<string, unknown>;
      for (const role of ['train', 'valid', 'test']) expect(split(b)[role]).to.deep.equal(split(a)[role]);
      expect((split(a)['train'] as { proteins: number }).proteins).to.equal(30);
      expect((split(a)['valid'] as { proteins: number }).proteins).to.equal(8);
      expect(split(a)['tier']).to.include('sha256("plmbench-ss-smoke-v1:" + id)');
    } finally {
      await model.release();
    }
  });
});
