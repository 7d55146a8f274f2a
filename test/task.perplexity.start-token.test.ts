import { expect } from 'chai';
import type { ModelHandle } from '../src/model/index.js';
import { Vocabulary } from '../src/model/vocab.js';
import { causalNll } from '../tasks/perplexity/scoring.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';

/**
 * A view of a loaded causal model whose vocabulary has no start token: the ProGen2 token table (so the
 * ids are the model's) with only an end token. The harness refuses such models at load time; the scorer
 * states the assumption it rests on (token 0 is context only) by refusing them too, as an internal error.
 */
function withoutStartToken(model: ModelHandle): ModelHandle {
  const tokens = [...Vocabulary.from('progen2').tokens];
  const vocab = Vocabulary.from({ tokens, pad: '<|pad|>', end: '2' });
  return Object.create(model, { vocab: { value: vocab }, encode: { value: (s: string) => vocab.encode(s) } }) as ModelHandle;
}

describe('perplexity task: causal scoring needs a start token', function () {
  this.timeout(60000);

  it('causalNll throws an internal Error (not a BenchError) when the vocabulary has no start token, instead of leaving residue 1 unscored', async () => {
    const m = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 64 });
    const model = await loadTestModel(m.path);
    try {
      // with the start token, every residue and the end token are scored
      const ok = await causalNll(model, ['MKTAYIAK']);
      expect(ok[0]!.tokens).to.equal(9);
      let caught: unknown;
      try {
        await causalNll(withoutStartToken(model), ['MKTAYIAK']);
      } catch (e) {
        caught = e;
      }
      expect(caught, 'causalNll must refuse a vocabulary without a start token').to.be.instanceOf(Error);
      expect((caught as Error).constructor).to.equal(Error);
      expect((caught as Error).message).to.match(/^internal: /);
      expect((caught as Error).message).to.include('start token');
    } finally {
      await model.release();
    }
  });
});
