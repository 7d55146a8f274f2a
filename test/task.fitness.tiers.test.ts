import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { mutantString, readAssay, subsetAssay, type Assay } from '../tasks/fitness/assays.js';
import { SMOKE_VARIANTS, smokeSubset } from '../tasks/fitness/tiers.js';
import { spearman } from '../src/metrics/index.js';
import { Rng } from '../src/util/rng.js';
import { FITNESS_DIR } from './golden/fitness/fixtures.js';

const IDS = [
  'A0A1I9GEU1_NEIME_Kennouche_2019',
  'BBC1_YEAST_Tsuboyama_2023_1TG0',
  'BCHB_CHLTE_Tsuboyama_2023_2KRU',
  'BLAT_ECOLX_Stiffler_2015',
  'DNJA1_HUMAN_Tsuboyama_2023_2LO1',
  'R1AB_SARS2_Flynn_2022',
];

// The smoke subset is part of what a smoke result means: pinned, so a change to it is a visible,
// versioned change (bump the task version), not a silent shift of every smoke number.
const PINNED: Record<string, string> = {
  A0A1I9GEU1_NEIME_Kennouche_2019: 'b78270a0b39f172c',
  BBC1_YEAST_Tsuboyama_2023_1TG0: '4e182cacd5c07fe0',
  BCHB_CHLTE_Tsuboyama_2023_2KRU: 'db86059c70fba953',
  BLAT_ECOLX_Stiffler_2015: '191d4156d61b3b63',
  DNJA1_HUMAN_Tsuboyama_2023_2LO1: '6fa38b0a8dda4391',
  R1AB_SARS2_Flynn_2022: '5192c27341300c5b',
};

describe('fitness: smoke tier subset', function () {
  this.timeout(30000);
  const assays: Assay[] = [];
  before(async () => {
    for (const id of IDS) assays.push(await readAssay(resolve(FITNESS_DIR, `data/dms/${id}.csv.gz`), id, null));
  });

  it(`takes ${SMOKE_VARIANTS} distinct variants per assay in file order, the same every time (pinned)`, () => {
    for (const a of assays) {
      const s = smokeSubset(a);
      expect(s).to.have.length(SMOKE_VARIANTS);
      expect(new Set(s).size).to.equal(SMOKE_VARIANTS);
      expect(s).to.deep.equal([...s].sort((x, y) => x - y));
      expect(smokeSubset(a)).to.deep.equal(s);
      const h = createHash('sha256')
        .update(s.map((v) => mutantString(a, v)).join('\n'))
        .digest('hex')
        .slice(0, 16);
      expect(h, a.id).to.equal(PINNED[a.id]);
    }
  });

  it('keeps all variants of a small assay', () => {
    const small = subsetAssay(
      assays[0]!,
      Array.from({ length: 120 }, (_, i) => i),
    );
    expect(smokeSubset(small)).to.deep.equal(Array.from({ length: 120 }, (_, i) => i));
  });

  it('is stratified: each DMS_score decile and the share of multi-mutants as in the full assay (within one variant per stratum)', () => {
    for (const a of assays) {
      const s = smokeSubset(a);
      const order = Array.from({ length: a.n }, (_, i) => i).sort((x, y) => a.dmsScore[x]! - a.dmsScore[y]! || x - y);
      const decile = new Map(order.map((v, r) => [v, Math.floor((r * 10) / a.n)]));
      const counts = new Array(10).fill(0);
      for (const v of s) counts[decile.get(v)!]++;
      for (const c of counts) expect(c, `${a.id} decile counts ${counts}`).to.be.within(30 - 3, 30 + 3);
      const multi = (v: number) => a.offsets[v + 1]! - a.offsets[v]! > 1;
      let all = 0;
      for (let v = 0; v < a.n; v++) if (multi(v)) all++;
      expect(s.filter(multi).length, a.id).to.be.closeTo((all * SMOKE_VARIANTS) / a.n, 3);
    }
  });

  it('tracks the full assay: a noisy-oracle score has a smoke Spearman within 0.08 of its full Spearman on every assay', () => {
    const rng = new Rng('fitness-tier-test');
    for (const a of assays) {
      let sd = 0;
      const mean = a.dmsScore.reduce((s, x) => s + x, 0) / a.n;
      for (const x of a.dmsScore) sd += (x - mean) ** 2;
      sd = Math.sqrt(sd / a.n);
      const oracle = Float64Array.from(a.dmsScore, (x) => x + 1.2 * sd * rng.normal());
      const full = spearman(a.dmsScore, oracle);
      const s = smokeSubset(a);
      const smoke = spearman(
        s.map((v) => a.dmsScore[v]!),
        s.map((v) => oracle[v]!),
      );
      expect(full, a.id).to.be.within(0.3, 0.8);
      expect(Math.abs(smoke - full), `${a.id}: smoke ${smoke} vs full ${full}`).to.be.below(0.08);
    }
  });
});
