import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nanMean, proteingymAverage } from '../tasks/fitness/aggregate.js';
import { baselineSets, loadPublished, type RunAssay } from '../tasks/fitness/baselines.js';
import { FITNESS_DIR } from './golden/fitness/fixtures.js';

// ProteinGym's headline: mean per (UniProt_ID, selection type), then per selection type, then the
// mean (performance_DMS_benchmarks.py), NaN skipped as pandas does.
describe('fitness: aggregation over assays and baseline sets', () => {
  it('averages per (UniProt, selection type), then per selection type, then overall, skipping NaN, by hand', () => {
    const items = [
      { uniprot: 'P1', selectionType: 'Stability', value: 0.2 },
      { uniprot: 'P1', selectionType: 'Stability', value: 0.4 }, // P1/Stability = 0.3
      { uniprot: 'P2', selectionType: 'Stability', value: NaN }, // all NaN: the group is skipped
      { uniprot: 'P3', selectionType: 'Stability', value: 0.6 }, // Stability = (0.3 + 0.6) / 2 = 0.45
      { uniprot: 'P1', selectionType: 'Activity', value: 0.1 }, // the same protein, another type: its own group
      { uniprot: 'P4', selectionType: 'Activity', value: NaN },
      { uniprot: 'P4', selectionType: 'Activity', value: 0.5 }, // P4/Activity = 0.5; Activity = 0.3
    ];
    expect(proteingymAverage(items)).to.be.closeTo((0.45 + 0.3) / 2, 1e-15);
    expect(nanMean(items.map((i) => i.value))).to.be.closeTo((0.2 + 0.4 + 0.6 + 0.1 + 0.5) / 5, 1e-15);
    // here a mean over (protein, type) groups gives the same 0.375; a third selection type with one assay tells them apart
    expect(proteingymAverage([...items, { uniprot: 'P5', selectionType: 'Binding', value: 0.9 }])).to.be.closeTo((0.45 + 0.3 + 0.9) / 3, 1e-15);
    expect(proteingymAverage([{ uniprot: 'P', selectionType: 'S', value: NaN }])).to.be.NaN;
  });

  it('reproduces ProteinGym\'s own Summary table (Average_Spearman and per selection type) from its 217 per-assay values, for the 12 baselines', () => {
    const table = loadPublished(FITNESS_DIR);
    expect(table.assays.size).to.equal(217);
    const summary = JSON.parse(readFileSync(resolve(FITNESS_DIR, 'data/proteingym_reference.json'), 'utf8')).summary as Record<string, Record<string, number>>;
    expect(Object.keys(summary)).to.have.length(12);
    for (const model of table.models) {
      const rows = [...table.assays.values()].map((a) => ({ uniprot: a.uniprot, selectionType: a.selectionType, value: a.values[model]!.spearman }));
      // the summary is rounded to 3 decimals
      expect(proteingymAverage(rows), model).to.be.closeTo(summary[model]!['Average_Spearman']!, 5e-4 + 1e-12);
      for (const type of ['Activity', 'Binding', 'Expression', 'OrganismalFitness', 'Stability']) {
        expect(proteingymAverage(rows.filter((r) => r.selectionType === type)), `${model} ${type}`).to.be.closeTo(summary[model]![`Function_${type}`]!, 5e-4 + 1e-12);
      }
    }
  });

  describe('baseline sets', () => {
    const table = loadPublished(FITNESS_DIR);
    const bundled: RunAssay[] = [
      { id: 'A0A1I9GEU1_NEIME_Kennouche_2019', uniprot: 'A0A1I9GEU1_NEIME', selectionType: 'Activity', totalVariants: 922 },
      { id: 'BBC1_YEAST_Tsuboyama_2023_1TG0', uniprot: 'BBC1_YEAST', selectionType: 'Stability', totalVariants: 2069 },
      { id: 'BCHB_CHLTE_Tsuboyama_2023_2KRU', uniprot: 'BCHB_CHLTE', selectionType: 'Stability', totalVariants: 1572 },
      { id: 'BLAT_ECOLX_Stiffler_2015', uniprot: 'BLAT_ECOLX', selectionType: 'OrganismalFitness', totalVariants: 4996 },
      { id: 'DNJA1_HUMAN_Tsuboyama_2023_2LO1', uniprot: 'DNJA1_HUMAN', selectionType: 'Stability', totalVariants: 2264 },
      { id: 'R1AB_SARS2_Flynn_2022', uniprot: 'R1AB_SARS2', selectionType: 'OrganismalFitness', totalVariants: 5725 },
    ];

    it('gives the published per-assay values (as in ../shared/data/README.md) and aggregates them as the model\'s metrics', () => {
      const [same, published] = baselineSets(bundled, table, 'full');
      expect(same!.kind).to.equal('same-data');
      expect(same!.source).to.equal('ProteinGym v1.3 zero-shot substitutions, DMS-level tables (OATML-Markslab/ProteinGym @ bb685245)');
      expect(Object.keys(same!.scores).sort()).to.deep.equal([
        'esm2-150m', 'esm2-15b', 'esm2-35m', 'esm2-3b', 'esm2-650m', 'esm2-8m',
        'progen2-base', 'progen2-large', 'progen2-medium', 'progen2-small', 'progen2-xlarge', 'site-independent',
      ]);
      // Spearman values from the published table (../shared/data/README.md)
      expect(same!.items!['esm2-8m']!['BLAT_ECOLX_Stiffler_2015']!['spearman']).to.equal(0.399);
      expect(same!.items!['esm2-650m']!['BCHB_CHLTE_Tsuboyama_2023_2KRU']!['spearman']).to.equal(0.51);
      expect(same!.items!['progen2-small']!['R1AB_SARS2_Flynn_2022']!['spearman']).to.equal(0.242);
      expect(same!.items!['progen2-xlarge']!['A0A1I9GEU1_NEIME_Kennouche_2019']!['spearman']).to.equal(0.095);
      expect(same!.items!['site-independent']!['DNJA1_HUMAN_Tsuboyama_2023_2LO1']!['spearman']).to.equal(0.738);
      expect(same!.items!['esm2-8m']!['BLAT_ECOLX_Stiffler_2015']).to.have.keys('spearman', 'auc', 'mcc', 'ndcg', 'top_recall');
      // ESM-2 8M by hand: Activity -0.037; Stability (0.331 + 0.166 + 0.827) / 3; OrganismalFitness (0.399 - 0.009) / 2
      const byHand = (-0.037 + (0.331 + 0.166 + 0.827) / 3 + (0.399 - 0.009) / 2) / 3;
      expect(same!.scores['esm2-8m']!['spearman']).to.be.closeTo(byHand, 1e-12);
      expect(same!.scores['esm2-8m']!['spearman_mean']).to.be.closeTo((-0.037 + 0.331 + 0.166 + 0.399 + 0.827 - 0.009) / 6, 1e-12);
      expect(same!.description).to.include('same assays, same variants');
      expect(published!.kind).to.equal('published');
      expect(published!.scores['esm2-650m']!['spearman']).to.equal(0.414);
      expect(published!.scores['progen2-small']!['spearman']).to.equal(0.336);
    });

    it('says on the smoke tier that the published values are on the full assays, not the same variants', () => {
      const [same] = baselineSets(bundled, table, 'smoke');
      expect(same!.description).to.include('same assays, not the same variants');
    });

    it('leaves the aggregates null when an assay of the run is not in ProteinGym\'s tables, or has another variant count', () => {
      const run = [...bundled.slice(0, 2), { ...bundled[2]!, totalVariants: 1000 }, { id: 'MY_ASSAY', uniprot: 'X', selectionType: 'unknown', totalVariants: 50 }];
      const [same] = baselineSets(run, table, 'full');
      expect(same!.scores['esm2-8m']!['spearman']).to.equal(null);
      expect(Object.keys(same!.items!['esm2-8m']!)).to.have.members([bundled[0]!.id, bundled[1]!.id]);
      expect(same!.description).to.include('BCHB_CHLTE_Tsuboyama_2023_2KRU, MY_ASSAY');
      const sets = baselineSets([run[3]!], table, 'full');
      expect(sets.map((s) => s.kind)).to.deep.equal(['published']);
    });
  });
});
