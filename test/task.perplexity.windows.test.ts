import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import perplexity from '../tasks/perplexity/index.js';
import { planCausal } from '../tasks/perplexity/scoring.js';
import { formatFasta } from '../src/bio/fasta.js';
import { centeredWindow } from '../src/model/windows.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

function lse(table: Float32Array, V: number, row: number): number {
  let m = -Infinity;
  for (let j = 0; j < V; j++) m = Math.max(m, table[row * V + j]!);
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(table[row * V + j]! - m);
  return m + Math.log(s);
}

describe('perplexity task: sequences longer than the model', () => {
  it('plans causal windows that score every token exactly once', () => {
    for (const [n, W] of [[10, 10], [11, 10], [25, 10], [100, 64], [129, 64]] as const) {
      const tokens = Int32Array.from({ length: n }, (_, i) => i);
      const { windows } = planCausal(tokens, W);
      const scored: number[] = [];
      for (const w of windows) {
        expect(w.tokens.length).to.be.at.most(W);
        expect(w.scoreFrom).to.be.at.least(1);
        for (let j = w.scoreFrom; j < w.tokens.length; j++) scored.push(w.tokens[j]!);
      }
      expect(scored).to.deep.equal(Array.from({ length: n - 1 }, (_, i) => i + 1));
    }
  });

  for (const objective of ['clm', 'mlm'] as const) {
    it(`${objective}: windowed values equal the hand computation over the same windows`, async () => {
      const dir = tempDir();
      const m = siteIndependentModel(objective, { maxLength: 32, dir });
      const seq = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQ'; // 66 residues
      const fasta = join(dir, 'long.fa');
      writeFileSync(fasta, formatFasta([{ id: 'long', sequence: seq }]));
      const model = await loadTestModel(m.path);
      try {
        const out = await perplexity.run(testContext('perplexity', model, { dataPath: fasta, tier: 'full' }));
        const V = m.vocab.size;
        let nll = 0;
        let n = 0;
        if (objective === 'clm') {
          for (const w of planCausal(m.vocab.encode(seq), 32).windows) {
            for (let j = w.scoreFrom; j < w.tokens.length; j++) {
              nll -= m.table[(j - 1) * V + w.tokens[j]!]! - lse(m.table, V, j - 1);
              n++;
            }
          }
        } else {
          for (let i = 0; i < seq.length; i++) {
            const w = centeredWindow(seq.length, 30, i);
            const row = 1 + i - w.start;
            nll -= m.table[row * V + m.vocab.residueId(seq[i]!)]! - lse(m.table, V, row);
            n++;
          }
        }
        const metric = objective === 'clm' ? 'perplexity' : 'pseudo_perplexity';
        expect(Math.abs(out.metrics[metric]!.value - Math.exp(nll / n)) / Math.exp(nll / n)).to.be.lessThan(1e-6);
        expect(out.protocol['sequencesWindowed']).to.equal(1);
        expect(out.items[0]!.n).to.equal(objective === 'clm' ? seq.length + 1 : seq.length);
      } finally {
        await model.release();
      }
    });
  }
});
