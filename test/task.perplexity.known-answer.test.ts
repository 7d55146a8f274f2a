import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench } from '../src/cli/commands/run.js';
import { normalizeRunOptions } from '../src/cli/options.js';
import { memoryIo } from '../src/cli/io.js';
import { formatFasta } from '../src/bio/fasta.js';
import type { Vocabulary } from '../src/model/vocab.js';
import { Rng } from '../src/util/rng.js';
import { siteIndependentModel, tableLogSumExp } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

function expectedNll(objective: 'mlm' | 'clm', seq: string, vocab: Vocabulary, table: Float32Array): { nll: number; n: number } {
  const V = vocab.size;
  const t = vocab.encode(seq);
  let nll = 0;
  let n = 0;
  if (objective === 'clm') {
    for (let j = 1; j < t.length; j++) {
      nll -= table[(j - 1) * V + t[j]!]! - tableLogSumExp(table, V, j - 1);
      n++;
    }
  } else {
    for (let i = 0; i < seq.length; i++) {
      const p = vocab.residueOffset + i;
      nll -= table[p * V + t[p]!]! - tableLogSumExp(table, V, p);
      n++;
    }
  }
  return { nll, n };
}

function randomSequences(count: number, minLen: number, maxLen: number, seed: number): string[] {
  const rng = new Rng(seed);
  const aa = 'ACDEFGHIKLMNPQRSTVWY';
  return Array.from({ length: count }, () => {
    const n = minLen + rng.int(maxLen - minLen + 1);
    return Array.from({ length: n }, () => aa[rng.int(20)]).join('');
  });
}

describe('perplexity task: known-answer site-independent models', () => {
  const cases: { objective: 'mlm' | 'clm'; vocab: 'esm' | 'progen2' }[] = [
    { objective: 'clm', vocab: 'progen2' },
    { objective: 'clm', vocab: 'esm' },
    { objective: 'mlm', vocab: 'esm' },
  ];
  for (const c of cases) {
    it(`${c.objective} with the ${c.vocab} vocabulary equals the hand-computed value to 1e-6, whatever the batching`, async () => {
      const dir = tempDir();
      const m = siteIndependentModel(c.objective, { vocab: c.vocab, maxLength: 64, dir });
      const seqs = randomSequences(12, 3, 62, 11);
      const fasta = join(dir, 'seqs.fa');
      writeFileSync(fasta, formatFasta(seqs.map((s, i) => ({ id: `s${i}`, sequence: s }))));
      let totalNll = 0;
      let totalN = 0;
      const perSeq = seqs.map((s) => {
        const e = expectedNll(c.objective, s, m.vocab, m.table);
        totalNll += e.nll;
        totalN += e.n;
        return Math.exp(e.nll / e.n);
      });
      const expected = Math.exp(totalNll / totalN);
      const metric = c.objective === 'clm' ? 'perplexity' : 'pseudo_perplexity';
      const batches: number[] = [];
      for (const maxTokens of ['64', '300', '5000']) {
        const out = join(dir, `run-${maxTokens}.json`);
        const io = memoryIo();
        const code = await runBench(
          normalizeRunOptions({
            model: m.path,
            tasks: 'perplexity',
            tier: 'full',
            data: [`perplexity=${fasta}`],
            out,
            'no-cache': true,
            quiet: true,
            'max-tokens': maxTokens,
          }),
          io,
        );
        expect(code, io.err.join('')).to.equal(0);
        const task = JSON.parse(readFileSync(out, 'utf8')).tasks.perplexity;
        expect(task.headline).to.equal(metric);
        expect(task.protocol.computed).to.equal(metric);
        expect(Math.abs(task.metrics[metric].value - expected) / expected, `maxTokens ${maxTokens}`).to.be.lessThan(1e-6);
        task.items.forEach((item: { id: string; metrics: Record<string, number> }, i: number) => {
          expect(item.id).to.equal(`s${i}`);
          expect(Math.abs(item.metrics[metric]! - perSeq[i]!) / perSeq[i]!).to.be.lessThan(1e-6);
        });
        const passes = c.objective === 'clm' ? seqs.length : seqs.reduce((s, q) => s + q.length, 0);
        expect(task.cost.forwardPasses).to.equal(passes);
        batches.push(task.cost.batches);
      }
      // Smaller budgets mean more, smaller batches: the value above did not depend on them.
      expect(batches[0]).to.be.greaterThan(batches[2]!);
      expect(batches[1]).to.be.at.least(batches[2]!);
    });
  }
});
