import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import perplexity, { causalScoredTokens } from '../tasks/perplexity/index.js';
import { formatFasta } from '../src/bio/fasta.js';
import { Vocabulary } from '../src/model/vocab.js';
import { sha256 } from '../src/util/hash.js';
import { Rng } from '../src/util/rng.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

describe('perplexity task: the smoke tier of a user FASTA does not depend on --seed', function () {
  this.timeout(60000);

  it('two seeds: the 20 records first in sha256("plmbench-perplexity-smoke-v1:" + id) order, the same items and metric values', async () => {
    const dir = tempDir();
    const m = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 64, dir });
    const rng = new Rng('ppl-smoke-seed');
    const aa = 'ACDEFGHIKLMNPQRSTVWY';
    const records = Array.from({ length: 45 }, (_, i) => ({
      id: `rec${i}`,
      sequence: Array.from({ length: 10 + rng.int(40) }, () => aa[rng.int(20)]).join(''),
    }));
    const fasta = join(dir, 'user.fa');
    writeFileSync(fasta, formatFasta(records));
    const byHash = new Set(
      records
        .map((r) => [sha256(`plmbench-perplexity-smoke-v1:${r.id}`), r.id] as const)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .slice(0, 20)
        .map(([, id]) => id),
    );
    const expectedIds = records.filter((r) => byHash.has(r.id)).map((r) => r.id); // file order
    const model = await loadTestModel(m.path);
    try {
      const run = (seed: number) =>
        perplexity.run(
          testContext('perplexity', model, { dataPath: fasta, tier: 'smoke', seed, rng: new Rng(seed).fork('task:perplexity') }),
        );
      const a = await run(0);
      const b = await run(9);
      expect(a.items.map((i) => i.id)).to.deep.equal(expectedIds);
      expect(b.items).to.deep.equal(a.items);
      for (const [k, v] of Object.entries(a.metrics)) {
        expect(b.metrics[k]!.value, k).to.equal(v.value);
        expect(b.metrics[k]!.n, k).to.equal(v.n);
      }
      expect(a.protocol['tier']).to.include('sha256("plmbench-perplexity-smoke-v1:" + FASTA id)');
      // the protocol names the tokens actually scored (ProGen2: "1" + residues + "2")
      expect(a.protocol['scoredTokens']).to.equal(
        'every token after the start token "1": the residues and the end token "2"; the start token is context only',
      );
    } finally {
      await model.release();
    }
  });

  it('the scored-token text follows the vocabulary: no end token, no mention of one', () => {
    const tokens = ['<pad>', '<s>', ...'ACDEFGHIKLMNPQRSTVWY'];
    expect(causalScoredTokens(Vocabulary.from({ tokens, pad: '<pad>', start: '<s>' }))).to.equal(
      'every token after the start token "<s>": the residues (the vocabulary has no end token); the start token is context only',
    );
    expect(causalScoredTokens(Vocabulary.from('esm'))).to.equal(
      'every token after the start token "<cls>": the residues and the end token "<eos>"; the start token is context only',
    );
  });
});
