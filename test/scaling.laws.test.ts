import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { frontierPositions, lawSpread, loadLawSets, loadScalingLaws, nOpt, dOpt, trainingCompute } from '../src/scaling/index.js';
import { BenchError } from '../src/util/errors.js';
import { schemaErrors } from '../src/util/schema.js';

type Ratios = Record<'mlm' | 'clm', { nOpt: number; dOpt: number; nRatio: number; dRatio: number }>;
interface Golden {
  N: number;
  D: number;
  C: number;
  frontier: Record<string, Ratios>;
}
const golden = JSON.parse(readFileSync(new URL('./golden/scaling/frontier.json', import.meta.url), 'utf8')) as Record<string, Golden> & {
  nOptSpread_1e18_1e21: Record<'mlm' | 'clm', number>;
};
const released = JSON.parse(readFileSync(new URL('./golden/scaling/released_laws.json', import.meta.url), 'utf8')) as Record<
  'mlm' | 'clm',
  {
    nFitPkl: [number, number];
    dFitNotebook: [number, number];
    flopsRange: [number, number];
    paramsRange: [number, number];
    flopsRangeAll: [number, number];
  }
>;

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const RELEASED = 'cheng2024-released';
const PAPER = 'cheng2024-paper-exponents';

describe('scaling: compute-optimal laws (Cheng et al. 2024), more than one, each with its source', () => {
  const sets = loadLawSets();
  const laws = loadScalingLaws();

  it("the data file is valid; the default is the authors' released fits, and says why", () => {
    const raw = JSON.parse(readFileSync(new URL('../results/baselines/scaling-laws.json', import.meta.url), 'utf8')) as unknown;
    expect(schemaErrors('scaling-laws', raw)).to.deep.equal([]);
    expect(sets.sets.map((s) => s.id)).to.deep.equal([RELEASED, PAPER]);
    expect(sets.default).to.equal(RELEASED);
    expect(laws.id).to.equal(RELEASED);
    expect(sets.defaultReason)
      .to.match(/re-derived/)
      .and.match(/circular/);
    expect(laws.file).to.equal('results/baselines/scaling-laws.json');
    for (const s of sets.sets) {
      expect(s.source).to.match(/Training Compute-Optimal Protein Language Models|Cheng et al\. 2024/);
      for (const o of ['mlm', 'clm'] as const) expect(s.laws[o].source.length, `${s.id} ${o}`).to.be.above(10);
    }
    // The released set names the files and the commit; the other says its prefactors are unsourced.
    expect(sets.sets[0]!.source)
      .to.match(/law_weights\/CLM_app3_law\.pkl/)
      .and.match(/12acfa0b1324b50e832f757e956bd26753aa5619/)
      .and.match(/scaling_law_fit_example\.ipynb/);
    expect(sets.sets[1]!.provenance).to.match(/^UNSOURCED PREFACTORS/);
  });

  it("the released coefficients are the authors' files: N from law_weights/*.pkl, D from the notebook fit re-run on their logs (released_laws.py)", () => {
    const r = loadScalingLaws(RELEASED).laws;
    for (const o of ['mlm', 'clm'] as const) {
      expect(r[o].A).to.equal(released[o].nFitPkl[0]);
      expect(r[o].a).to.equal(released[o].nFitPkl[1]);
      expect(r[o].B).to.equal(released[o].dFitNotebook[0]);
      expect(r[o].b).to.equal(released[o].dFitNotebook[1]);
    }
    // As the issue quotes them: CLM N = 3.31e-3 C^0.556, D = 130 C^0.426; MLM N = 1.365e-7 C^0.760, D = 6.15e5 C^0.256.
    expect(r.clm.A).to.be.closeTo(3.31e-3, 0.005e-3);
    expect(r.clm.a).to.be.closeTo(0.556, 0.0005);
    expect(r.clm.B).to.be.closeTo(130, 0.5);
    expect(r.clm.b).to.be.closeTo(0.426, 0.0005);
    expect(r.mlm.A).to.be.closeTo(1.365e-7, 0.0005e-7);
    expect(r.mlm.a).to.be.closeTo(0.76, 0.0005);
    expect(r.mlm.B).to.be.closeTo(6.15e5, 0.005e5);
    expect(r.mlm.b).to.be.closeTo(0.256, 0.0005);
  });

  it('fitted ranges come from the fitted points and leave the flagship models out', () => {
    for (const s of sets.sets) {
      for (const o of ['mlm', 'clm'] as const) {
        const fr = s.laws[o].fittedRange;
        expect(fr.flops).to.deep.equal(released[o].flopsRange);
        expect(fr.params).to.deep.equal(released[o].paramsRange);
        for (const c of s.laws[o].checks) {
          expect(c.flops, `${s.id} ${o} ${c.model}`).to.be.above(fr.flops[1]);
          expect(c.params).to.be.above(fr.params[1]);
        }
      }
    }
    // The authors' MLM fit itself includes the 10.7B run (1.706e22 FLOPs); the range here does not.
    expect(released.mlm.flopsRangeAll[1]).to.be.closeTo(1.706e22, 0.001e22);
    expect(loadScalingLaws().laws.mlm.fittedRange.flops[1]).to.be.below(1e22);
  });

  it('--law selects a set; an unknown id is a usage error that lists the known ones', () => {
    expect(loadScalingLaws(PAPER).id).to.equal(PAPER);
    expect(() => loadScalingLaws('chinchilla')).to.throw(
      BenchError,
      /--law: unknown scaling law "chinchilla" \(known: cheng2024-released, cheng2024-paper-exponents\)/,
    );
    expect(() => loadScalingLaws('x', "the card's scalingLaw")).to.throw(BenchError, /the card's scalingLaw: unknown/);
  });

  it('N_opt of the two sets differs by up to 12.7% (MLM) and 9.0% (CLM) over 1e18..1e21 FLOPs (numpy golden)', () => {
    for (const o of ['mlm', 'clm'] as const) {
      let worst = 0;
      for (let i = 0; i <= 300; i++) {
        const C = 10 ** (18 + (3 * i) / 300);
        worst = Math.max(worst, Math.abs(nOpt(sets.sets[0]!.laws[o], C) / nOpt(sets.sets[1]!.laws[o], C) - 1));
      }
      expect(rel(worst, golden.nOptSpread_1e18_1e21[o])).to.be.below(1e-9);
    }
    expect(golden.nOptSpread_1e18_1e21.mlm).to.be.closeTo(0.1266, 0.0001);
    expect(golden.nOptSpread_1e18_1e21.clm).to.be.closeTo(0.0898, 0.0001);
  });

  it('each set is roughly self-consistent: 6 N_opt D_opt within 25% of C from 1e18 to 1e22 FLOPs (the released N and D fits are independent: CLM 1.24 C at 1e18)', () => {
    for (const s of sets.sets) {
      for (const o of ['mlm', 'clm'] as const) {
        for (let e = 18; e <= 22; e++) {
          const C = 10 ** e;
          expect(rel(6 * nOpt(s.laws[o], C) * dOpt(s.laws[o], C), C)).to.be.below(0.25, `${s.id} ${o} at 1e${e}`);
        }
      }
    }
  });

  it('the flagships: the released CLM law does not reproduce the 7.2B model (N_opt = 6.13e9, N/N_opt = 1.175); the unsourced prefactors do, by construction', () => {
    const g = golden['clm_7_2b']!;
    const compute = trainingCompute({ params: 7.2e9, trainFlops: 1.15e22 }, 1);
    for (const id of [RELEASED, PAPER]) {
      const clm = frontierPositions(loadScalingLaws(id), compute, 'clm').find((x) => x.primary)!;
      expect(rel(clm.nRatio, g.frontier[id]!.clm.nRatio)).to.be.below(1e-12);
    }
    expect(g.frontier[RELEASED]!.clm.nRatio).to.be.closeTo(1.175, 0.001);
    expect(g.frontier[RELEASED]!.clm.nOpt).to.be.closeTo(6.13e9, 0.01e9);
    expect(g.frontier[PAPER]!.clm.nRatio).to.be.closeTo(1, 0.02);
    // The 10.7B masked model is one of the points the released MLM law was fitted on: N/N_opt = 0.9995.
    const m = golden['mlm_10_7b']!;
    const mlm = frontierPositions(loadScalingLaws(RELEASED), trainingCompute({ params: 1.07e10, trainFlops: 1.72e22 }, 1), 'mlm').find(
      (x) => x.primary,
    )!;
    expect(rel(mlm.nRatio, m.frontier[RELEASED]!.mlm.nRatio)).to.be.below(1e-12);
    expect(rel(mlm.dRatio!, m.frontier[RELEASED]!.mlm.dRatio)).to.be.below(1e-12);
    expect(mlm.nRatio).to.be.closeTo(0.9995, 0.0001);
  });

  it('ESM-2 650M (N = 651,000,320, D = 1e12): C = 3.906e21, N/N_opt 0.185..0.188 < 1 under both masked laws (numpy golden), and the spread says so', () => {
    const g = golden['esm2_650m']!;
    const compute = trainingCompute({ params: 651000320, trainTokens: 1e12 }, 1);
    expect(compute.flops).to.equal(3.90600192e21);
    expect(compute.flopsSource).to.equal('6ND');
    for (const id of [RELEASED, PAPER]) {
      const f = frontierPositions(loadScalingLaws(id), compute, 'mlm');
      const mlm = f.find((x) => x.objective === 'mlm')!;
      expect(mlm.primary).to.equal(true);
      expect(rel(mlm.nOpt, g.frontier[id]!.mlm.nOpt)).to.be.below(1e-12);
      expect(rel(mlm.nRatio, g.frontier[id]!.mlm.nRatio)).to.be.below(1e-12);
      expect(rel(mlm.dRatio!, g.frontier[id]!.mlm.dRatio)).to.be.below(1e-12);
      expect(mlm.nRatio).to.be.below(1);
      const clm = f.find((x) => x.objective === 'clm')!;
      expect(rel(clm.nRatio, g.frontier[id]!.clm.nRatio)).to.be.below(1e-12);
    }
    const spread = lawSpread(sets, compute, 'mlm');
    const mlm = spread.find((s) => s.objective === 'mlm')!;
    expect(mlm.primary).to.equal(true);
    expect(mlm.byLaw.map((b) => b.law)).to.deep.equal([RELEASED, PAPER]);
    const ratios = [g.frontier[RELEASED]!.mlm.nRatio, g.frontier[PAPER]!.mlm.nRatio];
    expect(rel(mlm.nRatioMin, Math.min(...ratios))).to.be.below(1e-12);
    expect(rel(mlm.nRatioMax, Math.max(...ratios))).to.be.below(1e-12);
    expect(rel(mlm.factor, Math.max(...ratios) / Math.min(...ratios))).to.be.below(1e-12);
    expect(spread.find((s) => s.objective === 'clm')!.factor).to.be.closeTo(0.1936 / 0.1711, 0.001);
  });
});
