import { expect } from 'chai';
import task from '../tasks/contacts/index.js';
import { cutK, CUTS, RANGE_BOUNDS, RANGES } from '../tasks/contacts/scoring.js';
import type { StructureEntry } from '../src/bio/index.js';
import type { TaskOutcome } from '../src/task/index.js';
import { testContext } from './helpers/context.js';
import { loadTestModel, randomTransformer } from './helpers/models.js';
import { bundledChains, contactsInRange, oracleModel, structureFolder } from './golden/contacts/fixtures.js';

// Known answers. The contact oracle (models/fixtures/contact-oracle.ts) answers each chain it knows with its
// true contact map, so every one of its top-k predictions in a range is a true contact until they run out:
// P@k = min(1, true contacts in the range / k), k from L = the observed residues (the default ESM convention). The
// chains evaluated: A040 (59 residues, 63 long-range contacts: P@L long = 1), A002 (103 residues, 8 unobserved: L = 95,
// 85 long-range contacts: 85/95) and A058 (106 residues), all evaluation chains of the bundled split, read through --data.
const EVAL_IDS = ['A040', 'A002', 'A058'];

// The task's ranges are the bands of src/bio (one definition); pinned here so that the counts below stay independent of it.
const BANDS = { short: [6, 12], medium: [12, 24], long: [24, Infinity] };

function expectOracle(out: TaskOutcome, chains: StructureEntry[], prefix: string): void {
  expect(out.items.map((i) => i.id)).to.deep.equal(EVAL_IDS);
  for (const item of out.items) {
    const e = chains.find((c) => c.id === item.id)!;
    expect(item.n).to.equal(e.length);
    expect(item.extra!['lengthForK']).to.equal(e.nObserved);
    for (const range of RANGES) {
      expect(RANGE_BOUNDS[range], range).to.deep.equal(BANDS[range]);
      const [lo, hi] = RANGE_BOUNDS[range];
      const C = contactsInRange(e, lo, hi);
      for (const cut of CUTS) {
        const k = cutK(e.nObserved, cut);
        expect(item.metrics[`${prefix}p_at_${cut}_${range}`], `${item.id} ${prefix}${cut} ${range}: ${C} contacts, k = ${k}`).to.be.closeTo(
          Math.min(1, C / k),
          1e-12,
        );
      }
    }
  }
}

describe('contacts: known-answer models', function () {
  this.timeout(120_000);
  let chains: StructureEntry[];
  let folder: string;
  let oracleChains: StructureEntry[];

  before(async () => {
    const b = await bundledChains();
    chains = EVAL_IDS.map((id) => b.eval.find((e) => e.id === id)!);
    // The oracle knows the training chains too, so the regression is fitted on true maps.
    oracleChains = [...b.train, ...chains];
    folder = structureFolder(EVAL_IDS);
  });

  it('the attention oracle scores P@k = min(1, contacts / k) in every range, through the regression and unsupervised', async () => {
    const model = await loadTestModel(oracleModel(oracleChains));
    const out = await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full' }));
    expectOracle(out, chains, '');
    expectOracle(out, chains, 'unsupervised_');
    const p = out.protocol as {
      source: string;
      regression: { features: number; nonZeroWeights: number; converged: boolean; trainingPairs: number };
    };
    expect(p.source).to.equal('regression');
    expect(p.regression.features).to.equal(1);
    expect(p.regression.nonZeroWeights).to.equal(1);
    expect(p.regression.converged).to.equal(true);
    // A040's 63 long-range contacts fill its top 59: P@L long = 1 exactly.
    expect(out.items.find((i) => i.id === 'A040')!.metrics['p_at_l_long']).to.equal(1);
    expect(out.items.find((i) => i.id === 'A002')!.metrics['p_at_l_long']).to.be.closeTo(85 / 95, 1e-12);
  });

  it("a model's own contacts output is used directly: no regression is fitted, and the oracle head scores min(1, contacts / k)", async () => {
    const model = await loadTestModel(oracleModel(oracleChains, { contacts: true, attentions: false }));
    const ctx = testContext('contacts', model, { dataPath: folder, tier: 'full' });
    const out = await task.run(ctx);
    expectOracle(out, chains, '');
    expect(out.protocol['source']).to.equal('contacts');
    expect(out.protocol['regression']).to.equal(null);
    expect(String(out.protocol['predictor'])).to.match(/no regression was fitted/);
    expect(Object.keys(out.metrics).some((m) => m.startsWith('unsupervised_'))).to.equal(false);
  });

  it('with both outputs, auto uses the contacts head and source=attentions the regression', async () => {
    const model = await loadTestModel(oracleModel(oracleChains, { contacts: true }));
    const auto = await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full' }));
    expect(auto.protocol['source']).to.equal('contacts');
    expectOracle(auto, chains, 'unsupervised_');
    const forced = await task.run(testContext('contacts', model, { dataPath: folder, tier: 'full', options: { source: 'attentions' } }));
    expect(forced.protocol['source']).to.equal('regression');
    expectOracle(forced, chains, '');
  });

  it('a random transformer scores near the long-range base rate of the evaluation chains (and far from the oracle)', async () => {
    const model = await loadTestModel(randomTransformer('mlm', { maxLength: 256 }));
    const out = await task.run(testContext('contacts', model, { tier: 'full' }));
    const base = (out.protocol['baseRates'] as Record<string, { meanPerProtein: number; pooled: number }>)['long']!;
    // Stated in the README: 21 evaluation chains, long-range base rate 1.58% pooled, 2.98% per protein.
    expect(base.pooled).to.be.closeTo(0.0158, 0.0001);
    expect(base.meanPerProtein).to.be.closeTo(0.0298, 0.0001);
    for (const m of ['p_at_l_long', 'unsupervised_p_at_l_long']) {
      expect(out.metrics[m]!.value, m).to.be.within(0.5 * base.meanPerProtein, 2 * base.meanPerProtein);
    }
    expect(out.metrics['p_at_l_long']!.n).to.equal(21);
  });
});
