import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as shared from '../src/contacts/index.js';

// src/contacts holds the pair indexing and APC features that the contacts task and the generation task share.
// Independent values: the contacts task's golden file (test/golden/contacts/make_golden.py: ESM's
// ContactPredictionHead in PyTorch), whose meanFeature is the mean over maps of the APC features.
const golden = JSON.parse(readFileSync(fileURLToPath(new URL('./golden/contacts/golden.json', import.meta.url)), 'utf8')) as {
  apc: { layers: number; heads: number; residues: number; attentions: number[]; meanFeature: number[] }[];
};

describe('src/contacts: shared pair indexing and the unsupervised contact map', () => {
  for (const [k, c] of golden.apc.entries()) {
    it(`meanApcScores = the mean over layers and heads of ESM's APC features (case ${k}, padded batch view)`, () => {
      const T = c.residues + 2;
      const P = T + 2; // two padding positions, as a longer sequence in the batch would add
      const maps = c.layers * c.heads;
      const data = new Float32Array(maps * P * P).fill(0.91);
      for (let m = 0; m < maps; m++)
        for (let r = 0; r < T; r++) for (let s = 0; s < T; s++) data[m * P * P + r * P + s] = c.attentions[m * T * T + r * T + s]!;
      const scores = shared.meanApcScores({ view: { data, dims: [c.layers, c.heads, P, P] }, offset: 1, residues: c.residues })!;
      expect(scores.length).to.equal(shared.pairCount(c.residues));
      scores.forEach((v, p) => expect(v).to.be.closeTo(c.meanFeature[p]!, 2e-6));
    });
  }

  it('meanApcScores reports non-finite attention as null', () => {
    const data = new Float32Array(1 * 1 * 12 * 12).fill(0.1);
    data[3 * 12 + 9] = Number.NaN;
    expect(shared.meanApcScores({ view: { data, dims: [1, 1, 12, 12] }, offset: 1, residues: 10 })).to.equal(null);
  });
});
