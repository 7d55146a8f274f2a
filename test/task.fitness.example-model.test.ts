import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { packageRoot } from '../src/util/paths.js';
import { loadTestModel, randomTransformer } from './helpers/models.js';
import { distinctPositionCount, getOptimalWindow, runFitness, subs } from './golden/fitness/fixtures.js';
import { userDir } from './golden/fitness/user-data.js';

// The bundled example models (models/plm-mlm-mini.onnx, plm-clm-mini.onnx) when they exist, else random 2-layer
// transformers: the task's scores must equal a direct computation from the model's logits,
// run here through onnxruntime one sequence at a time, without the harness's runner.
const EXAMPLE = resolve(packageRoot, 'models/plm-mlm-mini.onnx');

const EXAMPLE_CLM = resolve(packageRoot, 'models/plm-clm-mini.onnx');

// ESM alphabet, written out from README.md's model contract: <cls>=0 <pad>=1 <eos>=2 <unk>=3, residues from 4, <mask>=32
const ESM_LETTERS = 'LAGVSERTIDPKQNFYMHWCXBUZO';
const esmId = (c: string) => 4 + ESM_LETTERS.indexOf(c);

describe('fitness: scores of the example models equal a direct computation from their logits', function () {
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
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]),
      };
      if (session.inputNames.includes('attention_mask'))
        feeds['attention_mask'] = new ort.Tensor('int64', new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]);
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

  it('causal-llr on the example causal model (or a random causal transformer): the mean of the N-to-C and C-to-N log-likelihood ratios, from its logits, to 1e-5', async () => {
    const path = existsSync(EXAMPLE_CLM) ? EXAMPLE_CLM : randomTransformer('clm', { maxLength: 128, seed: 7 });
    const model = await loadTestModel(path);
    expect(model.vocab.name).to.equal('progen2');
    const maxResidues = model.maxLength - 2;
    const { dir, assays } = userDir({ A0A1I9GEU1_NEIME_Kennouche_2019: 12, DNJA1_HUMAN_Tsuboyama_2023_2LO1: 12 });
    const run = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true', strategy: 'causal-llr' } });
    // progen2 ids, written out from README.md's model contract: '1' = 3, '2' = 4, letters A..Z without J from 5
    const pid = (c: string) => 5 + 'ABCDEFGHIKLMNOPQRSTUVWXYZ'.indexOf(c);
    const session = await ort.InferenceSession.create(path);
    const logLik = async (tokens: number[]) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]),
      };
      if (session.inputNames.includes('attention_mask'))
        feeds['attention_mask'] = new ort.Tensor('int64', new BigInt64Array(tokens.length).fill(1n), [1, tokens.length]);
      const logits = (await session.run(feeds))['logits']!;
      const V = logits.dims[2]!;
      const d = logits.data as Float32Array;
      let s = 0;
      for (let j = 1; j < tokens.length; j++) {
        const row = Array.from(d.subarray((j - 1) * V, j * V), Number);
        const max = Math.max(...row);
        s += row[tokens[j]!]! - max - Math.log(row.reduce((z, x) => z + Math.exp(x - max), 0));
      }
      return s;
    };
    const both = async (seq: string) =>
      (await logLik([3, ...Array.from(seq, pid), 4])) + (await logLik([4, ...Array.from([...seq].reverse().join(''), pid), 3]));
    let windowed = 0;
    for (const a of assays) {
      for (const r of [a.rows[0]!, a.rows[5]!, a.rows[11]!]) {
        const ss = subs(r.mutant);
        const L = a.wt.length;
        const [s, e] =
          L <= maxResidues ? [0, L] : getOptimalWindow(Math.floor(ss.reduce((t, [p]) => t + p, 0) / ss.length), L, maxResidues);
        if (e - s < L) windowed++;
        const expected = ((await both(r.mutated.slice(s, e))) - (await both(a.wt.slice(s, e)))) / 2;
        expect(run.scores.get(a.id)!.get(r.mutant), `${a.id} ${r.mutant}`).to.be.closeTo(expected, 1e-5);
      }
    }
    if (model.maxLength < 163) expect(windowed).to.equal(3);
    await session.release();
  });
});
