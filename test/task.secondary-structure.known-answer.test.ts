import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import task from '../tasks/secondary-structure/index.js';
import { roleOf } from '../tasks/secondary-structure/data.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { AMINO_ACIDS, netsurfpCsv, type SyntheticSsProtein } from '../models/fixtures/synthetic-probe-data.js';
import { Rng } from '../src/util/rng.js';
import { loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';

const Q8 = 'HGIEBTSC';
const to3 = (s8: string) => ('HGI'.includes(s8) ? 'H' : 'EB'.includes(s8) ? 'E' : 'C');

/**
 * Synthetic proteins whose 8-state label is a function of the amino acid (`Q8[index % 8]`, 3-state by the
 * DSSP reduction), except at masked residues (mask 0), which get a wrong label: a task that trained or
 * scored on them would fall short of 1.0. Some proteins exceed the model's length, so windows are used.
 */
function labelledByResidue(seed: string, n: number): SyntheticSsProtein[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, k) => {
    const len = k % 7 === 0 ? 90 + rng.int(60) : 20 + rng.int(40);
    let seq = '';
    let s8 = '';
    const mask: number[] = [];
    for (let i = 0; i < len; i++) {
      const a = rng.int(20);
      seq += AMINO_ACIDS[a];
      const m = rng.next() < 0.8 ? 1 : 0;
      mask.push(m);
      s8 += Q8[(a + (m ? 0 : 3)) % 8];
    }
    return { sequence: seq, dssp8: s8, dssp3: [...s8].map(to3).join(''), mask };
  });
}

describe('secondary-structure task: known answers through a token-lookup model', function () {
  this.timeout(60000);

  async function run(proteins: SyntheticSsProtein[], objective: 'mlm' | 'clm' = 'mlm') {
    const dir = tempDir();
    const csv = join(dir, 'ss.csv');
    writeFileSync(csv, netsurfpCsv(proteins));
    const model = await loadTestModel(writeTokenLookupModel(dir, { objective, maxLength: 64 }));
    try {
      const ctx = testContext('secondary-structure', model, { dataPath: csv, tier: 'full' });
      await task.check!(ctx);
      return await task.run(ctx);
    } finally {
      await model.release();
    }
  }

  it('labels that are a function of the residue: q3 = q8 = 1.0, masked residues ignored, windows used', async () => {
    const proteins = labelledByResidue('ss-ka', 70);
    for (const objective of ['mlm', 'clm'] as const) {
      const r = await run(proteins, objective);
      expect(r.metrics['q3']!.value, objective).to.equal(1);
      expect(r.metrics['q8']!.value, objective).to.equal(1);
      const test = proteins.map((p, i) => ({ p, i })).filter(({ p }) => roleOf(p.sequence) === 'test');
      expect(r.items.map((it) => it.id)).to.deep.equal(test.map(({ i }) => `cb513-${String(i + 1).padStart(3, '0')}`));
      expect(r.items.map((it) => it.n)).to.deep.equal(test.map(({ p }) => p.mask.reduce((a, b) => a + b, 0)));
      expect(r.metrics['q3']!.n).to.equal(test.length);
      expect(r.protocol['sequencesWindowed']).to.be.greaterThan(0);
    }
  });

  it('labels independent of the residue: q3 near the majority rate, q8 near its majority rate', async () => {
    const rng = new Rng('ss-noise');
    const proteins = labelledByResidue('ss-noise', 70).map((p) => {
      // H with probability 0.5, E 0.3, C 0.2, whatever the residue (8-state: H, E, C only).
      const s8 = [...p.sequence]
        .map(() => {
          const u = rng.next();
          return u < 0.5 ? 'H' : u < 0.8 ? 'E' : 'C';
        })
        .join('');
      return { ...p, dssp8: s8, dssp3: s8 };
    });
    const r = await run(proteins);
    const chance = r.protocol['chance'] as Record<'q3' | 'q8', { majority: number; majorityClass: string; uniform: number }>;
    expect(chance.q3.majorityClass).to.equal('H');
    expect(chance.q3.uniform).to.be.closeTo(1 / 3, 1e-12);
    // The best any predictor can do is always answering H: about 0.5 of ~1,300 test residues (sd 0.014).
    expect(r.metrics['q3']!.value).to.be.within(0.42, 0.56);
    expect(Math.abs(r.metrics['q3']!.value - chance.q3.majority)).to.be.below(0.06);
    expect(chance.q8.uniform).to.equal(1 / 8);
    expect(chance.q8.majorityClass).to.equal('H');
    expect(Math.abs(r.metrics['q8']!.value - chance.q8.majority)).to.be.below(0.06);
  });
});
