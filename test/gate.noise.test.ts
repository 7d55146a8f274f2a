import { expect } from 'chai';
import { gateRuns } from '../src/report/gate.js';
import { loadGateConfig } from '../src/report/gate-config.js';
import { Rng } from '../src/util/rng.js';
import { baseValues, gateRun, N_ASSAYS, N_SEQS, zeroMeanNoise } from './golden/scaling/gate-fixtures.js';

const config = loadGateConfig();
const file = (run: ReturnType<typeof gateRun>, path: string) => ({ path, sha256: '', run });

function perturbed(seed: string, shift = 0) {
  const v = baseValues();
  const fs = zeroMeanNoise(N_ASSAYS, 0.05, `${seed}/spearman`);
  const fa = zeroMeanNoise(N_ASSAYS, 0.03, `${seed}/auc`);
  const pp = zeroMeanNoise(N_SEQS, 0.5, `${seed}/ppl`);
  const nl = zeroMeanNoise(N_SEQS, 0.05, `${seed}/nll`);
  return {
    fit: v.fit.map((x, i) => ({ spearman: x.spearman + fs[i]! + shift, auc: x.auc + fa[i]! })),
    ppl: v.ppl.map((x, i) => ({ perplexity: x.perplexity + pp[i]!, nll: x.nll + nl[i]! })),
  };
}

describe('gate: not fooled by a change within noise', () => {
  it('per-item noise of mean zero (sd 0.05 on Spearman, 0.5 on perplexity) passes, for 20 different noise draws', () => {
    for (let s = 0; s < 20; s++) {
      const r = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', perturbed(`noise-${s}`)), 'b'), { config, seed: s });
      expect(r.passed, `draw ${s}: ${r.regressions.join(', ')}`).to.equal(true);
      const row = r.rows.find((x) => x.metric === 'spearman')!;
      expect(Math.abs(row.diff!)).to.be.below(1e-12); // the noise has mean zero exactly
      expect(row.ci95![0]).to.be.below(0);
      expect(row.ci95![1]).to.be.above(0);
    }
  });

  it('the same noise on top of a real 0.05 drop is still caught', () => {
    const r = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', perturbed('noise-0', -0.05)), 'b'), { config, seed: 0 });
    const row = r.rows.find((x) => x.metric === 'spearman')!;
    expect(row.diff).to.be.closeTo(-0.05, 1e-12);
    expect(row.status).to.equal('regression');
  });
});

describe('gate: noise that is mean zero in distribution, not in the sample', () => {
  it('passes every draw, though some draws have a point estimate below -tolerance (a point-estimate gate would fail them)', () => {
    let belowTolerance = 0;
    for (let s = 0; s < 20; s++) {
      const v = baseValues();
      const r0 = new Rng(`raw-noise-${s}`);
      const noisy = { ...v, fit: v.fit.map((x) => ({ ...x, spearman: x.spearman + 0.06 * r0.normal() })) };
      const r = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', noisy), 'b'), { config, seed: s });
      const row = r.rows.find((x) => x.metric === 'spearman')!;
      if (row.diff! < -row.tolerance!) belowTolerance++;
      expect(row.status, `draw ${s}: diff ${row.diff} [${row.ci95}]`).to.not.equal('regression');
    }
    expect(belowTolerance).to.be.greaterThan(0);
  });
});
