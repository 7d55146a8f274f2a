import { expect } from 'chai';
import { meanEmbeddings } from '../tasks/fold/embed.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { newMeter } from '../src/model/runner.js';
import { Rng } from '../src/util/rng.js';
import { loadTestModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

// With the token-lookup model, the hidden state at a position is the one-hot of its token, so the right
// mean embedding of a sequence is its amino-acid composition over the vocabulary, computed here by hand.
// A mean that included the start or end token, dropped a residue, or stitched windows wrongly differs.
describe('fold task: mean embeddings (special tokens excluded, windows, cache)', function () {
  this.timeout(60000);

  function composition(seq: string, vocab: { size: number; residueId(l: string): number }): Float64Array {
    const c = new Float64Array(vocab.size);
    for (const l of seq) c[vocab.residueId(l)]! += 1 / seq.length;
    return c;
  }

  for (const objective of ['mlm', 'clm'] as const) {
    it(`${objective}: the mean over residues is the composition, for short and windowed sequences`, async () => {
      const model = await loadTestModel(writeTokenLookupModel(tempDir(), { objective, maxLength: 24 }));
      try {
        const rng = new Rng(objective);
        const aa = 'ACDEFGHIKLMNPQRSTVWY';
        const seqs = [5, 22, 23, 61, 150].map((n) => Array.from({ length: n }, () => aa[rng.int(20)]).join(''));
        const meter = newMeter();
        const emb = await meanEmbeddings(model.metered(meter), seqs);
        expect(emb.dim).to.equal(model.vocab.size);
        expect(model.maxResidues).to.equal(22);
        expect(emb.windowed).to.equal(3); // 23, 61 and 150 residues exceed 22
        seqs.forEach((s, i) => {
          const want = composition(s, model.vocab);
          const got = emb.data.subarray(i * emb.dim, (i + 1) * emb.dim);
          for (let j = 0; j < emb.dim; j++) expect(got[j], `seq ${i} token ${j}`).to.be.closeTo(want[j]!, 1e-6);
        });
        // Start/end tokens carry no weight.
        for (const special of [model.vocab.start, model.vocab.end]) if (special !== null) expect(emb.data[special]).to.equal(0);
        // One pass per short sequence plus one per window (stride 11 over 22-residue windows).
        expect(meter.forwardPasses).to.equal(2 + 2 + 5 + 13);
        // A second call is served from the runner's cache.
        const again = newMeter();
        const emb2 = await meanEmbeddings(model.metered(again), seqs);
        expect(again.cached).to.equal(again.forwardPasses);
        expect(Array.from(emb2.data)).to.deep.equal(Array.from(emb.data));
      } finally {
        await model.release();
      }
    });
  }
});
