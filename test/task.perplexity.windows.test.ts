import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import perplexity from '../tasks/perplexity/index.js';
import { planCausal } from '../tasks/perplexity/scoring.js';
import { formatFasta } from '../src/bio/fasta.js';
import { centeredWindow } from '../src/model/windows.js';
import { siteIndependentModel, tableLogSumExp, loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

describe('perplexity task: sequences longer than the model', () => {
  it('plans causal windows that score every token exactly once', () => {
    for (const [n, W] of [
      [10, 10],
      [11, 10],
      [25, 10],
      [100, 64],
      [129, 64],
    ] as const) {
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

  it('causal windows: after the first window, every scored token has at least floor(maxLength/2) tokens of left context (from the plan itself)', () => {
    for (const W of [2, 3, 4, 5, 7, 10, 32, 64, 65]) {
      for (const n of [W + 1, W + 2, 2 * W - 1, 2 * W, 3 * W + 1, 10 * W + 3]) {
        const tokens = Int32Array.from({ length: n }, (_, i) => i); // token value = absolute position
        const { windows } = planCausal(tokens, W);
        expect(windows.length, `n ${n} W ${W}`).to.be.greaterThan(1);
        expect(windows[0]!.tokens[0], `n ${n} W ${W}`).to.equal(0);
        expect(windows[0]!.scoreFrom).to.equal(1);
        const last = windows[windows.length - 1]!;
        expect(last.tokens[last.tokens.length - 1]).to.equal(n - 1);
        windows.forEach((w, k) => {
          // a window is a contiguous slice of the sequence, at most W tokens
          expect(w.tokens.length).to.be.at.most(W);
          for (let j = 1; j < w.tokens.length; j++) expect(w.tokens[j]).to.equal(w.tokens[0]! + j);
          // a token at window position j is predicted from the j tokens before it in the window
          if (k > 0) expect(w.scoreFrom, `n ${n} W ${W} window ${k}`).to.be.at.least(Math.floor(W / 2));
          expect(w.scoreFrom).to.be.below(w.tokens.length); // every window scores something
        });
      }
    }
  });

  it('clm: the windowed NLL of an 11-residue sequence with an 8-token model, written out by hand', async () => {
    const dir = tempDir();
    const m = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 8, dir });
    const seq = 'MKTAYIAKQRQ';
    const fasta = join(dir, 'tiny.fa');
    writeFileSync(fasta, formatFasta([{ id: 'tiny', sequence: seq }]));
    const model = await loadTestModel(m.path);
    try {
      const out = await perplexity.run(testContext('perplexity', model, { dataPath: fasta, tier: 'full' }));
      // tokens t0..t12 = "1" M K T A Y I A K Q R Q "2"; windows of 8 tokens advancing by 4:
      // [t0..t7], [t4..t11], [t8..t12]. The site-independent model's logits at window position r are row r
      // of its table, and the token at window position j is predicted by row j - 1, so:
      //   window [t0..t7]  scores t1..t7  from rows 0..6 (the first window: 0..6 tokens of left context);
      //   window [t4..t11] scores t8..t11 from rows 3..6 (left context t4..t7: 4 = floor(8/2) tokens, and more);
      //   window [t8..t12] scores t12     from row 3     (left context t8..t11: 4 tokens).
      const t = ['1', ...seq, '2'].map((x) => m.vocab.tokens.indexOf(x));
      const pairs: [row: number, position: number][] = [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 6],
        [6, 7],
        [3, 8],
        [4, 9],
        [5, 10],
        [6, 11],
        [3, 12],
      ];
      const V = m.vocab.size;
      const nll = pairs.reduce((s, [row, pos]) => s - (m.table[row * V + t[pos]!]! - tableLogSumExp(m.table, V, row)), 0);
      expect(out.items[0]!.n).to.equal(12);
      expect(out.items[0]!.metrics['nll']!).to.be.closeTo(nll / 12, 1e-6);
      expect(Math.abs(out.metrics['perplexity']!.value - Math.exp(nll / 12)) / Math.exp(nll / 12)).to.be.lessThan(1e-6);
      expect(out.protocol['sequencesWindowed']).to.equal(1);
    } finally {
      await model.release();
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
              nll -= m.table[(j - 1) * V + w.tokens[j]!]! - tableLogSumExp(m.table, V, j - 1);
              n++;
            }
          }
        } else {
          for (let i = 0; i < seq.length; i++) {
            const w = centeredWindow(seq.length, 30, i);
            const row = 1 + i - w.start;
            nll -= m.table[row * V + m.vocab.residueId(seq[i]!)]! - tableLogSumExp(m.table, V, row);
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
