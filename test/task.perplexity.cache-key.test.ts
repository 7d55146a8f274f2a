import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import perplexity from '../tasks/perplexity/index.js';
import { formatFasta } from '../src/bio/fasta.js';
import { CacheStore } from '../src/cache/store.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

// Regression: the masked reducer once cached -log p(true residue), but the cache key is the masked
// tokens, which do not contain the true residue; a second sequence differing only at that residue
// was then served the first one's value.
describe('perplexity task: masked cache entries hold no per-sequence facts', () => {
  it('two sequences that differ at one residue get their own values from a warm cache', async () => {
    const dir = tempDir();
    const m = siteIndependentModel('mlm', { maxLength: 32, dir });
    const fasta = join(dir, 's.fa');
    writeFileSync(
      fasta,
      formatFasta([
        { id: 'a', sequence: 'MKVLAAG' },
        { id: 'b', sequence: 'MKVWAAG' },
      ]),
    );
    const cache = new CacheStore(join(dir, 'cache'));
    const values: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const model = await loadTestModel(m.path, {}, cache);
      const out = await perplexity.run(testContext('perplexity', model, { dataPath: fasta, tier: 'full' }));
      values.push(out.items.map((i) => i.metrics['pseudo_perplexity']!));
      await model.release();
    }
    expect(values[0]![0]).to.not.equal(values[0]![1]);
    expect(values[1]).to.deep.equal(values[0]);
  });
});
