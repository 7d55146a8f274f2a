import { expect } from 'chai';
import { resolve } from 'node:path';
import type { ModelHandle } from '../src/model/index.js';
import { Vocabulary } from '../src/model/vocab.js';
import { readAssay, readReference, referenceFor, subsetAssay } from '../tasks/fitness/assays.js';
import { causalLlr } from '../tasks/fitness/scoring.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { FITNESS_DIR } from './golden/fitness/fixtures.js';

describe('fitness: causal-llr needs a start token', function () {
  this.timeout(60000);

  it('throws an internal Error (not a BenchError) when the vocabulary has no start token, instead of leaving residue 1 unscored', async () => {
    const id = 'A0A1I9GEU1_NEIME_Kennouche_2019';
    const ref = readReference(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv'), 'DMS_substitutions.csv');
    const full = await readAssay(resolve(FITNESS_DIR, `data/dms/${id}.csv.gz`), id, referenceFor(ref.rows, id));
    const a = subsetAssay(
      full,
      Array.from({ length: 12 }, (_, i) => i),
    );
    const m = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 256 });
    const model = await loadTestModel(m.path);
    try {
      const ok = await causalLlr(model, a);
      expect(ok.scores).to.have.length(12);
      // the ProGen2 token table (the model's ids) with an end token and no start token, forward only
      const vocab = Vocabulary.from({ tokens: [...Vocabulary.from('progen2').tokens], pad: '<|pad|>', end: '2' });
      const noStart = Object.create(model, { vocab: { value: vocab }, encode: { value: (s: string) => vocab.encode(s) } }) as ModelHandle;
      let caught: unknown;
      try {
        await causalLlr(noStart, a);
      } catch (e) {
        caught = e;
      }
      expect(caught, 'causal-llr must refuse a vocabulary without a start token').to.be.instanceOf(Error);
      expect((caught as Error).constructor).to.equal(Error);
      expect((caught as Error).message).to.match(/^internal: /);
      expect((caught as Error).message).to.include('start token');
    } finally {
      await model.release();
    }
  });
});
