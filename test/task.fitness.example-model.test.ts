import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { packageRoot } from '../src/util/paths.js';
import { loadTestModel, randomTransformer } from './helpers/models.js';
import { distinctPositionCount, getOptimalWindow, runFitness, subs } from './golden/fitness/fixtures.js';
import { userDir } from './golden/fitness/user-data.js';

// The bundled masked example model (models/plm-mlm-mini.onnx) when it exists, else a random 2-layer
// masked transformer: masked-marginal scores must equal a direct computation from the model's logits,
// run here through onnxruntime one sequence at a time, without the harness's runner.
const EXAMPLE = resolve(packageRoot, 'models/plm-mlm-mini.onnx');

// ESM alphabet, written out from DESIGN.md: <cls>=0 <pad>=1 <eos>=2 <unk>=3, residues from 4, <mask>=32
const ESM_LETTERS = 'LAGVSERTIDPKQNFYMHWCXBUZO';
const esmId = (c: string) => 4 + ESM_LETTERS.indexOf(c);

describe('fitness: masked-marginals on the example masked model equal a direct computation from its logits', function () {
  this.timeout(60000);

  it(`scores variants (single and multiple, inside and outside a window) as log p(mut) - log p(wt) at the masked site, to 1e-6`, async () => {
    const path = existsSync(EXAMPLE) ? EXAMPLE : randomTransformer('mlm', { maxLength: 128, seed: 7 });
    const model = await loadTestModel(path);
    const maxLength = model.maxLength;
    expect(model.vocab.name).to.equal('esm');
    // A0A1I9GEU1 (161 residues: windowed when maxLength < 163) and BBC1 (64 residues, multi-mutants)
    const { dir, assays } = userDir({ A0A1I9GEU1_NEIME_Kennouche_2019: 60, BBC1_YEAST_Tsuboyama_2023_1TG0: 60 });
    const run = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true' } });

    // cost: one forward pass per distinct mutated position of each assay
    const distinct = assays.reduce((s, a) => s + distinctPositionCount(a.rows.map((r) => r.mutant)), 0);
    expect(run.meter.forwardPasses).to.equal(distinct);
    for (const item of run.outcome.items) {
      const a = assays.find((x) => x.id === item.id)!;
      expect(item.extra!['forwardPasses']).to.equal(distinctPositionCount(a.rows.map((r) => r.mutant)));
    }

    const session = await ort.InferenceSession.create(path);
    const logProbsAt = async (tokens: number[], t: number): Promise<Float64Array> => {
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]) };
      if (session.inputNames.includes('attention_mask')) feeds['attention_mask'] = new ort.Tensor('int64', new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]);
      const out = await session.run(feeds);
      const logits = out['logits']!;
      const V = logits.dims[2]!;
      const row = Array.from((logits.data as Float32Array).subarray(t * V, (t + 1) * V), Number);
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      return Float64Array.from(row, (x) => x - lse);
    };
    let checked = 0;
    let windowed = 0;
    let multi = 0;
    for (const a of assays) {
      const tokens = [0, ...Array.from(a.wt, esmId), 2];
      const picks = [a.rows[0]!, a.rows[17]!, a.rows[45]!, ...a.rows.filter((r) => r.mutant.includes(':')).slice(0, 2)];
      for (const r of picks) {
        let expected = 0;
        for (const [p, wt, mt] of subs(r.mutant)) {
          const t = 1 + p;
          const [s, e] = tokens.length > maxLength ? getOptimalWindow(t, tokens.length, maxLength) : [0, tokens.length];
          if (tokens.length > maxLength) windowed++;
          const masked = tokens.slice(s, e);
          masked[t - s] = 32; // <mask>
          const lp = await logProbsAt(masked, t - s);
          expected += lp[esmId(mt)]! - lp[esmId(wt)]!;
        }
        if (r.mutant.includes(':')) multi++;
        expect(run.scores.get(a.id)!.get(r.mutant), `${a.id} ${r.mutant}`).to.be.closeTo(expected, 1e-6);
        checked++;
      }
    }
    expect(checked).to.be.at.least(8);
    expect(multi).to.be.at.least(2);
    if (maxLength < 163) expect(windowed).to.be.greaterThan(0);
    await session.release();
  });
});
