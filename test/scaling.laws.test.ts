import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { frontierPositions, loadScalingLaws, nOpt, dOpt, trainingCompute } from '../src/scaling/index.js';
import { schemaErrors } from '../src/util/schema.js';

interface Golden {
  N: number;
  D: number;
  C: number;
  frontier: Record<'mlm' | 'clm', { nOpt: number; dOpt: number; nRatio: number; dRatio: number }>;
}
const golden = JSON.parse(readFileSync(new URL('./golden/scaling/frontier.json', import.meta.url), 'utf8')) as Record<string, Golden>;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('scaling: compute-optimal laws (Cheng et al. 2024)', () => {
  const laws = loadScalingLaws();

  it('the data file is valid, has its source, and names the paper', () => {
    const raw = JSON.parse(readFileSync(new URL('../results/baselines/scaling-laws.json', import.meta.url), 'utf8')) as unknown;
    expect(schemaErrors('scaling-laws', raw)).to.deep.equal([]);
    expect(laws.source).to.match(/Training Compute-Optimal Protein Language Models/);
    expect(laws.file).to.equal('results/baselines/scaling-laws.json');
  });

  it('reproduces the paper\'s flagship models: N / N_opt within 5% of 1 at their compute', () => {
    for (const o of ['mlm', 'clm'] as const) {
      for (const c of laws.laws[o].checks) expect(rel(nOpt(laws.laws[o], c.flops), c.params)).to.be.below(0.05, `${o} ${c.model}`);
    }
  });

  it('is self-consistent: 6 N_opt D_opt within 10% of C from 1e18 to 1e24 FLOPs', () => {
    for (const o of ['mlm', 'clm'] as const) {
      for (let e = 18; e <= 24; e++) {
        const C = 10 ** e;
        expect(rel(6 * nOpt(laws.laws[o], C) * dOpt(laws.laws[o], C), C)).to.be.below(0.1, `${o} at 1e${e}`);
      }
    }
  });

  it('ESM-2 650M (N = 651,000,320, D = 1e12): C = 3.906e21, N/N_opt = 0.185 < 1 under the masked law (numpy golden)', () => {
    const g = golden['esm2_650m']!;
    const compute = trainingCompute({ params: 651000320, trainTokens: 1e12 }, 1);
    expect(compute.flops).to.equal(3.90600192e21);
    expect(compute.flopsSource).to.equal('6ND');
    const f = frontierPositions(laws, compute, 'mlm');
    const mlm = f.find((x) => x.objective === 'mlm')!;
    expect(mlm.primary).to.equal(true);
    expect(rel(mlm.nOpt, g.frontier.mlm.nOpt)).to.be.below(1e-12);
    expect(rel(mlm.nRatio, g.frontier.mlm.nRatio)).to.be.below(1e-12);
    expect(rel(mlm.dRatio!, g.frontier.mlm.dRatio)).to.be.below(1e-12);
    expect(mlm.nRatio).to.be.closeTo(0.185, 0.001);
    expect(mlm.nRatio).to.be.below(1);
    const clm = f.find((x) => x.objective === 'clm')!;
    expect(clm.primary).to.equal(false);
    expect(rel(clm.nRatio, g.frontier.clm.nRatio)).to.be.below(1e-12);
  });

  it('the paper\'s 10.7B masked model at 1.72e22 FLOPs sits on the frontier: N/N_opt = 0.961', () => {
    const g = golden['mlm_10_7b']!;
    const compute = trainingCompute({ params: 1.07e10, trainFlops: 1.72e22 }, 1);
    expect(compute.tokensSource).to.equal('trainFlops/(6N)');
    expect(rel(compute.tokens!, g.D)).to.be.below(1e-12);
    const mlm = frontierPositions(laws, compute, 'mlm').find((x) => x.primary)!;
    expect(mlm.objective).to.equal('mlm');
    expect(rel(mlm.nRatio, g.frontier.mlm.nRatio)).to.be.below(1e-12);
    expect(mlm.nRatio).to.be.closeTo(1, 0.05);
    expect(rel(mlm.dRatio!, g.frontier.mlm.dRatio)).to.be.below(1e-12);
  });

  it('the 7.2B causal model at 1.15e22 FLOPs: N/N_opt within 2% of 1 under the causal law', () => {
    const g = golden['clm_7_2b']!;
    const clm = frontierPositions(laws, trainingCompute({ params: 7.2e9, trainFlops: 1.15e22 }, 1), 'clm').find((x) => x.primary)!;
    expect(rel(clm.nRatio, g.frontier.clm.nRatio)).to.be.below(1e-12);
    expect(clm.nRatio).to.be.closeTo(1, 0.02);
  });
});
