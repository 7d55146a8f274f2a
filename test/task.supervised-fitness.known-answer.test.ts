import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import task from '../tasks/supervised-fitness/index.js';
import { crossValidatedRidge, denseRidgeLearner, EMBEDDING_ALPHAS } from '../tasks/supervised-fitness/cv.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { Rng } from '../src/util/rng.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';
import { letterValue, syntheticFoldAssay } from './helpers/supervised-data.js';

const SCHEMES = ['random', 'modulo', 'contiguous'];

describe('supervised-fitness: known answers', function () {
  this.timeout(120000);

  describe('cross-validated ridge on fixed embeddings', () => {
    const n = 600;
    const d = 16;
    const rng = new Rng('supervised-ka');
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const folds = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 5));

    it('embeddings that encode the score (one column = score + small noise, the rest noise): Spearman near 1', () => {
      const x = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = j === 3 ? 2 * y[i]! + 0.05 * rng.normal() : rng.normal();
      const r = crossValidatedRidge(denseRidgeLearner({ data: x, rows: n, cols: d }), y, folds, EMBEDDING_ALPHAS);
      expect(r.spearman).to.be.above(0.99);
      expect(r.folds).to.have.length(5);
      for (const f of r.folds) expect(f.validation).to.not.equal(f.test);
    });

    it('random embeddings: Spearman near 0 (|rho| < 0.15 with 600 rows, sd about 0.04)', () => {
      const x = Float64Array.from({ length: n * d }, () => rng.normal());
      const r = crossValidatedRidge(denseRidgeLearner({ data: x, rows: n, cols: d }), y, folds, EMBEDDING_ALPHAS);
      expect(Math.abs(r.spearman)).to.be.below(0.15);
    });

    it('the test fold never takes part in choosing its penalty: scrambling its scores leaves its chosen alpha and validation scores unchanged', () => {
      const x = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = j === 0 ? y[i]! + rng.normal() : rng.normal();
      const a = crossValidatedRidge(denseRidgeLearner({ data: x, rows: n, cols: d }), y, folds, EMBEDDING_ALPHAS);
      // Scramble the scores of fold 2: the penalty chosen for test fold 2 (validation fold 3, training 0, 1, 4) is unchanged.
      const y2 = Float64Array.from(y, (v, i) => (folds[i] === 2 ? -v * 100 + 7 : v));
      const b = crossValidatedRidge(denseRidgeLearner({ data: x, rows: n, cols: d }), y2, folds, EMBEDDING_ALPHAS);
      const fold2 = (r: typeof a) => r.folds.find((f) => f.test === 2)!;
      expect(fold2(b).alpha).to.equal(fold2(a).alpha);
      expect(fold2(b).scores).to.deep.equal(fold2(a).scores);
    });
  });

  describe('through the task: a token-lookup model (hidden state = one-hot of the token, mean = composition)', () => {
    async function runOn(score: Parameters<typeof syntheticFoldAssay>[2], options: Record<string, string> = {}, maxLength?: number) {
      const dir = tempDir();
      const data = join(dir, 'assays');
      mkdirSync(data);
      const a = syntheticFoldAssay(30, 'supervised-ka-assay', score);
      writeFileSync(join(data, 'SYNTH_Test_2024.csv'), a.csv);
      const model = await loadTestModel(writeTokenLookupModel(dir, { objective: 'mlm', ...(maxLength ? { maxLength } : {}) }));
      try {
        const ctx = testContext('supervised-fitness', model, { dataPath: data, tier: 'full', options });
        await task.check!(ctx);
        return { r: await task.run(ctx), rows: a.rows };
      } finally {
        await model.release();
      }
    }

    it('a score that is a function of the substituted letters (linear in the composition): Spearman near 1 in every scheme', async () => {
      const { r, rows } = await runOn((wt, mt) => letterValue(mt) - letterValue(wt));
      expect(r.items).to.have.length(1);
      expect(r.items[0]!.n).to.equal(rows);
      for (const s of SCHEMES) expect(r.metrics[`spearman_${s}`]!.value, s).to.be.above(0.99);
      expect(r.protocol['embedding']).to.equal('mean');
      expect(r.protocol['forwardRequests']).to.equal(rows);
      // Published ProteinGym values are for ProteinGym's assays only.
      const pub = r.extra!['published'] as { comparable: boolean; perAssay: Record<string, Record<string, unknown>> };
      expect(pub.comparable).to.equal(false);
      expect(pub.perAssay['SYNTH_Test_2024']).to.deep.equal({ random: null, modulo: null, contiguous: null });
    });

    it('a score independent of the sequence: Spearman near 0 on random folds, for the model and the one-hot control', async () => {
      const { r } = await runOn((_wt, _mt, _p, rng) => rng.normal());
      expect(Math.abs(r.metrics['spearman_random']!.value)).to.be.below(0.15);
      const control = (r.extra!['onehotControl'] as { metrics: Record<string, { value: number }> }).metrics;
      expect(Math.abs(control['spearman_random']!.value)).to.be.below(0.15);
    });

    it('mutated-position embeddings (the one-hot of the new letter) encode a score of the new letter, also through windows', async () => {
      // maxLength 20: the 30-residue wild type is read through a window centred on each substitution.
      const { r } = await runOn((_wt, mt) => letterValue(mt), { embedding: 'mutated-position' }, 20);
      for (const s of SCHEMES) expect(r.metrics[`spearman_${s}`]!.value, s).to.be.above(0.99);
      expect(r.protocol['embedding']).to.equal('mutated-position');
      expect(r.protocol['variantsWindowed']).to.equal(30 * 19);
    });

    it('the one-hot control learns per-position effects: near 1 on random folds, not on contiguous folds', async () => {
      const effect = Array.from({ length: 30 }, (_, p) => Math.sin(p * 1.7) * 3);
      const { r } = await runOn((_wt, _mt, p, rng) => effect[p]! + 0.1 * rng.normal());
      const control = (r.extra!['onehotControl'] as { metrics: Record<string, { value: number }> }).metrics;
      expect(control['spearman_random']!.value).to.be.above(0.9);
      expect(control['spearman_contiguous']!.value).to.be.below(0.6);
    });
  });
});
