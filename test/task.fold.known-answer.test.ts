import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import task from '../tasks/fold/index.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { astralFasta, syntheticScop } from '../models/fixtures/synthetic-probe-data.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

// The token-lookup model's hidden state at each position is the one-hot of its token, so the mean over
// residues is the amino-acid composition. Synthetic SCOP data whose composition names the fold must be
// classified perfectly at every level; data whose composition is independent of the fold must score at
// chance. Both go through the whole task: --data FASTA, split, forward passes, mean pooling, probe, metrics.
describe('fold task: known answers through a token-lookup model', function () {
  this.timeout(60000);
  const spec = { folds: 6, superfamiliesPerFold: 4, familiesPerSuperfamily: 3, domainsPerFamily: 3 };

  async function runOn(signal: number, objective: 'mlm' | 'clm' = 'mlm') {
    const dir = tempDir();
    const fasta = join(dir, 'synthetic.fa');
    writeFileSync(fasta, astralFasta(syntheticScop({ ...spec, signal, seed: `fold-ka-${signal}` })));
    const model = await loadTestModel(writeTokenLookupModel(dir, { objective }));
    try {
      const ctx = testContext('fold', model, { dataPath: fasta, tier: 'full' });
      await task.check!(ctx);
      return await task.run(ctx);
    } finally {
      await model.release();
    }
  }

  it('composition that encodes the fold: accuracy and top-5 are 1.0 at every level (masked and causal vocabularies)', async () => {
    for (const objective of ['mlm', 'clm'] as const) {
      const r = await runOn(0.5, objective);
      for (const level of ['fold', 'superfamily', 'family']) {
        expect(r.metrics[`accuracy_${level}`]!.value, `${objective} ${level}`).to.equal(1);
        expect(r.metrics[`top5_${level}`]!.value, `${objective} ${level}`).to.equal(1);
        expect(r.metrics[`accuracy_${level}`]!.n).to.be.greaterThan(0);
      }
      // The split of this balanced hierarchy, by the rules: per fold 2 of 4 superfamilies held out (18 domains,
      // capped at 15), 1 of 3 families of each of the 2 training superfamilies (6), 1 of 3 domains of each
      // of the 4 remaining families (4), 1 in 6 of the 8 left for validation (1), 7 training.
      const sizes = (r.protocol['split'] as { sizes: Record<string, { domains: number; folds: number }> }).sizes;
      expect(sizes['train']!.domains).to.equal(6 * 7);
      expect(sizes['valid']!.domains).to.equal(6 * 1);
      expect(sizes['test_fold']!.domains).to.equal(6 * 15);
      expect(sizes['test_superfamily']!.domains).to.equal(6 * 6);
      expect(sizes['test_family']!.domains).to.equal(6 * 4);
      expect(r.metrics['accuracy_fold']!.n).to.equal(90);
    }
  });

  it('composition independent of the fold: accuracy near chance (1/6), stated in the protocol', async () => {
    const r = await runOn(0);
    const chance = r.protocol['chance'] as Record<string, { uniform: number; majority: number; uniformTop5: number }>;
    expect(chance['fold']!.uniform).to.be.closeTo(1 / 6, 1e-12);
    expect(chance['fold']!.uniformTop5).to.be.closeTo(5 / 6, 1e-12);
    // Pooled over the 150 test domains, accuracy ~ Binomial(150, 1/6)/150: sd 0.03.
    const n = (l: string) => r.metrics[`accuracy_${l}`]!.n;
    const pooled = ['fold', 'superfamily', 'family'].reduce((s, l) => s + r.metrics[`accuracy_${l}`]!.value * n(l), 0) / 150;
    expect(pooled).to.be.within(0.05, 0.3);
    expect(r.metrics['accuracy_fold']!.value).to.be.below(0.35);
    expect(r.metrics['accuracy_fold']!.ci95![0]).to.be.below(1 / 6);
  });

  it('items are per (level, fold) with the level metrics, and the means reproduce the metric', async () => {
    const r = await runOn(0);
    const fold = r.items.filter((i) => i.id.startsWith('fold/'));
    expect(fold.map((i) => i.id)).to.deep.equal(['fold/a.1', 'fold/a.2', 'fold/a.3', 'fold/a.4', 'fold/a.5', 'fold/a.6']);
    const total = fold.reduce((s, i) => s + i.n, 0);
    const acc = fold.reduce((s, i) => s + i.n * i.metrics['accuracy_fold']!, 0) / total;
    expect(acc).to.be.closeTo(r.metrics['accuracy_fold']!.value, 1e-12);
    expect(r.items).to.have.length(18);
  });
});

// Regression: with a small validation set every C can tie at 100% validation accuracy; the smallest-C
// tie rule then chose C = 1e-4, a probe so heavily penalised that, on compositions encoded without noise
// (near-constant background columns blown up by standardisation), fold-level test accuracy fell to 0.77.
// The tie now goes to the lower validation log-loss.
describe('fold task: validation ties are broken by log-loss (regression)', function () {
  this.timeout(60000);
  it('a noiseless composition code scores 1.0 although every C ties on validation accuracy', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'even.fa');
    writeFileSync(
      fasta,
      astralFasta(
        syntheticScop({
          folds: 6,
          superfamiliesPerFold: 4,
          familiesPerSuperfamily: 3,
          domainsPerFamily: 3,
          signal: 0.5,
          background: 'even',
          seed: 'fold-ka-0.5',
        }),
      ),
    );
    const model = await loadTestModel(writeTokenLookupModel(dir));
    try {
      const r = await task.run(testContext('fold', model, { dataPath: fasta, tier: 'full' }));
      const probe = r.protocol['probe'] as { C: number; validation: { C: number; valAccuracy: number; valLogLoss: number }[] };
      expect(probe.validation.filter((s) => s.valAccuracy === 1).length, 'the validation ties this test is about').to.be.greaterThan(1);
      const best = probe.validation.filter((s) => s.valAccuracy === 1).sort((a, b) => a.valLogLoss - b.valLogLoss)[0]!;
      expect(probe.C).to.equal(best.C);
      for (const level of ['fold', 'superfamily', 'family']) expect(r.metrics[`accuracy_${level}`]!.value, level).to.equal(1);
    } finally {
      await model.release();
    }
  });
});
