import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import task from '../tasks/contacts/index.js';
import { loadUserStructures } from '../tasks/contacts/data.js';
import { chainPrecision, CUTS, RANGES, type Cut, type Range } from '../tasks/contacts/scoring.js';
import { contactPairs } from '../src/bio/contact-map.js';
import { MIN_SEPARATION, pairCount } from '../src/contacts/index.js';
import type { StructureEntry } from '../src/bio/index.js';
import { testContext } from './helpers/context.js';
import { loadTestModel } from './helpers/models.js';
import { oracleModel, structureFolder } from './golden/contacts/fixtures.js';

// ESM's contact evaluation (facebookresearch/esm @ 2b369911, examples/contact_prediction.ipynb: contacts_from_pdb,
// compute_precisions / evaluate_prediction), run unchanged by test/golden/contacts/make_esm_golden.py on five bundled
// chains, three of them with unobserved residues (A002: 95 of 103, A036: 74 of 90, A020: 154 of 171).
interface EsmGolden {
  esm: { commit: string; path: string; blob: string };
  chains: Record<
    string,
    {
      length: number;
      nObserved: number;
      observed: number[];
      ca: ([number, number, number] | null)[];
      contacts: [number, number][];
      esm: Record<'oracle' | 'ca', Record<string, number>>;
    }
  >;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./golden/contacts/golden_esm.json', import.meta.url), 'utf8')) as EsmGolden;
const IDS = Object.keys(GOLDEN.chains);
const ESM_KEY: Record<Cut, string> = { l: 'P@L', l2: 'P@L2', l5: 'P@L5' };
const metricOf = (range: Range, cut: Cut) => `p_at_${cut}_${range}`;

/** -(CA-CA distance) for every pair (i < j, j - i >= 6) in the task's pair order; NaN where a residue has no CA. */
function caHead(ca: EsmGolden['chains'][string]['ca']): Float64Array {
  const L = ca.length;
  const out = new Float64Array(pairCount(L));
  let p = 0;
  for (let i = 0; i + MIN_SEPARATION < L; i++) {
    for (let j = i + MIN_SEPARATION; j < L; j++, p++) {
      const a = ca[i];
      const b = ca[j];
      out[p] = a && b ? -Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2) : NaN;
    }
  }
  return out;
}

describe("contacts: the ESM convention gives the P@L of ESM's own compute_precisions", function () {
  this.timeout(180_000);
  let folder: string;
  let esm: StructureEntry[];
  let seqres: StructureEntry[];

  before(async () => {
    folder = structureFolder(IDS);
    esm = (await loadUserStructures(folder, 'esm')).entries;
    seqres = (await loadUserStructures(folder, 'seqres')).entries;
  });

  it("was made by ESM's notebook functions at the cited commit", () => {
    expect(GOLDEN.esm.commit).to.equal('2b369911bb5b4b0dda914521b9475cad1656b2ac');
    expect(GOLDEN.esm.path).to.equal('examples/contact_prediction.ipynb');
  });

  it("observes the residues with N, CA and C, and puts contacts where ESM's contacts_from_pdb does (virtual Cβ for every residue)", () => {
    for (const e of esm) {
      const g = GOLDEN.chains[e.id]!;
      expect(e.length, e.id).to.equal(g.length);
      expect(Array.from(e.observed), e.id).to.deep.equal(g.observed);
      expect(e.nObserved, e.id).to.equal(g.nObserved);
      expect(contactPairs(e.contacts, e.length, 6), e.id).to.deep.equal(g.contacts);
    }
    // the SEQRES convention (real CB atoms) is another map
    const a002 = seqres.find((e) => e.id === 'A002')!;
    expect(contactPairs(a002.contacts, a002.length, 6)).to.not.deep.equal(GOLDEN.chains['A002']!.contacts);
  });

  it('chainPrecision with L = observed residues equals compute_precisions on a fixed map without ties (-CA distance), every range and cut', () => {
    for (const e of esm) {
      const g = GOLDEN.chains[e.id]!;
      const p = chainPrecision(e, caHead(g.ca), undefined, e.nObserved);
      for (const range of RANGES) {
        for (const cut of CUTS) {
          const h = p.ranges[range].at[cut];
          expect(h.hits / h.k, `${e.id} ${range} ${cut}`).to.be.closeTo(g.esm.ca[`${range}_${ESM_KEY[cut]}`]!, 1e-12);
        }
      }
    }
  });

  it("the contact head of a model (the oracle), scored by the task with the default convention, gives compute_precisions' P@L, P@L/2, P@L/5", async () => {
    const model = await loadTestModel(oracleModel(esm, { contacts: true, attentions: false }));
    const out = await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full' }));
    expect(out.protocol['convention']).to.equal('esm');
    expect(out.items.map((i) => i.id)).to.deep.equal(IDS);
    for (const item of out.items) {
      const g = GOLDEN.chains[item.id]!;
      expect(item.extra!['lengthForK'], item.id).to.equal(g.nObserved);
      for (const range of RANGES) {
        for (const cut of CUTS)
          expect(item.metrics[metricOf(range, cut)], `${item.id} ${range} ${cut}`).to.be.closeTo(
            g.esm.oracle[`${range}_${ESM_KEY[cut]}`]!,
            1e-12,
          );
      }
    }
    // e.g. A002: 85 long-range contacts among 95 observed residues (the SEQRES convention: 84 / 103)
    expect(out.items.find((i) => i.id === 'A002')!.metrics['p_at_l_long']).to.be.closeTo(85 / 95, 1e-12);
    for (const set of out.baselines!) expect(set.protocol).to.deep.equal({ baseline: 'esm', run: 'esm', same: true });
  });

  it('convention=seqres keeps the 1.0.0 definition (L = SEQRES length, real CB), says so, and its published comparisons say protocol differs', async () => {
    const model = await loadTestModel(oracleModel(seqres, { contacts: true, attentions: false }));
    const out = await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full', options: { convention: 'seqres' } }));
    expect(out.protocol['convention']).to.equal('seqres');
    const a002 = out.items.find((i) => i.id === 'A002')!;
    expect(a002.extra!['lengthForK']).to.equal(103);
    expect(a002.metrics['p_at_l_long']).to.be.closeTo(84 / 103, 1e-12);
    expect(out.baselines!.length).to.equal(2);
    for (const set of out.baselines!) {
      expect(set.protocol).to.deep.equal({ baseline: 'esm', run: 'seqres', same: false });
      expect(set.description).to.include('protocol differs');
    }
  });

  it('refuses an unknown convention', async () => {
    const model = await loadTestModel(oracleModel(esm.slice(0, 1), { contacts: true, attentions: false }));
    let caught: unknown;
    try {
      await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full', options: { convention: 'casp' } }));
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.include('--option contacts.convention: must be esm or seqres, got "casp"');
  });
});
