import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { nanMean, proteingymAverage, proteingymMean } from '../tasks/fitness/aggregate.js';
import {
  baselineProtocol,
  baselineSets as splitSets,
  loadPublished,
  matchAssay,
  type PublishedTable,
  type RunAssay,
} from '../tasks/fitness/baselines.js';
import type { BaselineSet, Tier } from '../src/task/index.js';

/**
 * The sets as they were before the split by scoring protocol: the ESM-2, ProGen2 and site-independent sets of one
 * kind and source merged back (the split itself is tested below), for a run scored with masked-marginals.
 */
function baselineSets(run: readonly RunAssay[], table: PublishedTable, tier: Tier): BaselineSet[] {
  const core = (d: string) => d.slice(d.indexOf(': ') + 2, d.lastIndexOf(' Scored with '));
  const out: BaselineSet[] = [];
  for (const set of splitSets(run, table, tier, 'masked-marginals')) {
    const prev = out.find((o) => o.kind === set.kind && o.source === set.source && core(o.description) === core(set.description));
    if (prev) {
      Object.assign(prev.scores, set.scores);
      if (set.items) Object.assign(prev.items!, set.items);
    } else out.push({ ...set, scores: { ...set.scores }, ...(set.items ? { items: { ...set.items } } : {}) });
  }
  return out;
}
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
    expect(proteingymAverage([...items, { uniprot: 'P5', selectionType: 'Binding', value: 0.9 }])).to.be.closeTo(
      (0.45 + 0.3 + 0.9) / 3,
      1e-15,
    );
    expect(proteingymAverage([{ uniprot: 'P', selectionType: 'S', value: NaN }])).to.be.NaN;
  });

  it("reproduces ProteinGym's own Summary table (Average_Spearman and per selection type) from its 217 per-assay values, for the 12 baselines", () => {
    const table = loadPublished(FITNESS_DIR);
    expect(table.assays.size).to.equal(217);
    const summary = JSON.parse(readFileSync(resolve(FITNESS_DIR, 'data/proteingym_reference.json'), 'utf8')).summary as Record<
      string,
      Record<string, number>
    >;
    expect(Object.keys(summary)).to.have.length(12);
    for (const model of table.models) {
      const rows = [...table.assays.values()].map((a) => ({
        uniprot: a.uniprot,
        selectionType: a.selectionType,
        value: a.values[model]!.spearman,
      }));
      // the summary is rounded to 3 decimals
      expect(proteingymAverage(rows), model).to.be.closeTo(summary[model]!['Average_Spearman']!, 5e-4 + 1e-12);
      for (const type of ['Activity', 'Binding', 'Expression', 'OrganismalFitness', 'Stability']) {
        expect(proteingymAverage(rows.filter((r) => r.selectionType === type)), `${model} ${type}`).to.be.closeTo(
          summary[model]![`Function_${type}`]!,
          5e-4 + 1e-12,
        );
      }
    }
  });

  describe('baseline sets', () => {
    const table = loadPublished(FITNESS_DIR);
    // contentSha256: the sha256 of ProteinGym's CSV (the bundled .csv.gz decompressed), as the build recorded it
    const bundled: RunAssay[] = [
      {
        id: 'A0A1I9GEU1_NEIME_Kennouche_2019',
        uniprot: 'A0A1I9GEU1_NEIME',
        selectionType: 'Activity',
        totalVariants: 922,
        contentSha256: '45792071e6411a7a44362ed7e797c1f03ec5e5bb3dc8d45f4a7945faefc04fb0',
      },
      {
        id: 'BBC1_YEAST_Tsuboyama_2023_1TG0',
        uniprot: 'BBC1_YEAST',
        selectionType: 'Stability',
        totalVariants: 2069,
        contentSha256: 'd258240a3ab7088f5ac331abf661611369d9a6a06cf7778ab4ae285b824cfdab',
      },
      {
        id: 'BCHB_CHLTE_Tsuboyama_2023_2KRU',
        uniprot: 'BCHB_CHLTE',
        selectionType: 'Stability',
        totalVariants: 1572,
        contentSha256: 'cf2d37654afffa925fdc56e019bd04e362b7c1c2218fe0d169dd77ccf356af9d',
      },
      {
        id: 'BLAT_ECOLX_Stiffler_2015',
        uniprot: 'BLAT_ECOLX',
        selectionType: 'OrganismalFitness',
        totalVariants: 4996,
        contentSha256: '82835aeecc2001c742434457102e02b5aaf38673274aaba00ac85e07bcd94f35',
      },
      {
        id: 'DNJA1_HUMAN_Tsuboyama_2023_2LO1',
        uniprot: 'DNJA1_HUMAN',
        selectionType: 'Stability',
        totalVariants: 2264,
        contentSha256: '15003de1e5af995bd284b0e4f02a4546f46211774727b4c9b988ee1f982bebe7',
      },
      {
        id: 'R1AB_SARS2_Flynn_2022',
        uniprot: 'R1AB_SARS2',
        selectionType: 'OrganismalFitness',
        totalVariants: 5725,
        contentSha256: '90712f085f6b379bab16adc9fb4a7b35f8b44d98993c9c096bd08248e26a53f7',
      },
    ];

    it("gives the published per-assay values (as in $PLMBENCH_SOURCE_DATA/README.md) and aggregates them as the model's metrics", () => {
      const [same, published] = baselineSets(bundled, table, 'full');
      expect(same!.kind).to.equal('same-data');
      expect(same!.source).to.equal('ProteinGym v1.3 zero-shot substitutions, DMS-level tables (OATML-Markslab/ProteinGym @ bb685245)');
      expect(Object.keys(same!.scores).sort()).to.deep.equal([
        'esm2-150m',
        'esm2-15b',
        'esm2-35m',
        'esm2-3b',
        'esm2-650m',
        'esm2-8m',
        'progen2-base',
        'progen2-large',
        'progen2-medium',
        'progen2-small',
        'progen2-xlarge',
        'site-independent',
      ]);
      // Spearman values from the published table ($PLMBENCH_SOURCE_DATA/README.md)
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

    it("leaves the aggregates null when an assay of the run is not in ProteinGym's tables, or has another variant count", () => {
      const run = [
        ...bundled.slice(0, 2),
        { ...bundled[2]!, totalVariants: 1000 },
        { id: 'MY_ASSAY', uniprot: 'X', selectionType: 'unknown', totalVariants: 50, contentSha256: null },
      ];
      const [same] = baselineSets(run, table, 'full');
      expect(same!.scores['esm2-8m']!['spearman']).to.equal(null);
      expect(Object.keys(same!.items!['esm2-8m']!)).to.have.members([bundled[0]!.id, bundled[1]!.id]);
      expect(same!.description).to.include('BCHB_CHLTE_Tsuboyama_2023_2KRU, MY_ASSAY');
      const sets = baselineSets([run[3]!], table, 'full');
      expect(sets.map((s) => s.kind)).to.deep.equal(['published']);
    });

    it("knows the sha256 of ProteinGym's file for the six bundled assays (the build's record), and no other", () => {
      expect([...table.upstreamSha256.keys()].sort()).to.deep.equal(bundled.map((a) => a.id).sort());
      for (const a of bundled) expect(table.upstreamSha256.get(a.id)).to.equal(a.contentSha256);
    });

    it('a modified copy (same DMS_id and variant count, another content sha256) is not the same data', () => {
      const run = bundled.map((a, i) => (i === 2 ? { ...a, contentSha256: 'f'.repeat(64) } : a));
      expect(matchAssay(run[2]!, table).match).to.equal('different-data');
      const [same] = baselineSets(run, table, 'full');
      expect(same!.kind).to.equal('same-data');
      expect(Object.keys(same!.items!['esm2-8m']!)).to.not.include('BCHB_CHLTE_Tsuboyama_2023_2KRU');
      expect(Object.keys(same!.items!['esm2-8m']!)).to.have.length(5);
      expect(same!.scores['esm2-8m']!['spearman']).to.equal(null);
      expect(same!.description).to.include("BCHB_CHLTE_Tsuboyama_2023_2KRU: the CSV's sha256");
      const p = baselineProtocol(run, table, 'full');
      expect(p['differentData']).to.deep.equal(['BCHB_CHLTE_Tsuboyama_2023_2KRU']);
      expect(p['sameData']).to.have.length(5);
      expect(p['summary']).to.not.include('same 6 assays and variants');
      expect(p['summary']).to.include('same-data (content verified by sha256) for 5 of the 6 assays');
    });

    it('a ProteinGym assay without a known sha256 is "same-assay (unverified)": a published set for orientation, never same data', () => {
      // NPC1_HUMAN_Erwood_2022_RPE1: 63 variants in ProteinGym's tables; its file is not bundled, so no sha256 is known
      const npc1: RunAssay = {
        id: 'NPC1_HUMAN_Erwood_2022_RPE1',
        uniprot: 'NPC1_HUMAN',
        selectionType: 'OrganismalFitness',
        totalVariants: 63,
        contentSha256: '0'.repeat(64),
      };
      expect(table.assays.get(npc1.id)!.numberMutants).to.equal(63);
      expect(matchAssay(npc1, table).match).to.equal('same-assay (unverified)');
      // alone: no same-data set; a published set on this assay, labelled unverified
      const alone = baselineSets([npc1], table, 'full');
      expect(alone.map((s) => s.kind)).to.deep.equal(['published', 'published']);
      expect(alone[0]!.description).to.include('same-assay (unverified): NPC1_HUMAN_Erwood_2022_RPE1');
      expect(alone[0]!.scores['esm2-8m']!['spearman']).to.equal(table.assays.get(npc1.id)!.values['esm2-8m']!.spearman);
      // with the six verified assays: the same-data set holds only the verified ones (aggregates null);
      // the unverified set aggregates all seven, as the model's metrics are
      const mixed = baselineSets([...bundled, npc1], table, 'full');
      expect(mixed.map((s) => s.kind)).to.deep.equal(['same-data', 'published', 'published']);
      expect(Object.keys(mixed[0]!.items!['esm2-8m']!)).to.have.members(bundled.map((a) => a.id));
      expect(mixed[0]!.scores['esm2-8m']!['spearman']).to.equal(null);
      const all = [...bundled, npc1].map((a) => table.assays.get(a.id)!.values['esm2-8m']!.spearman);
      expect(mixed[1]!.scores['esm2-8m']!['spearman_mean']).to.be.closeTo(all.reduce((x, y) => x + y, 0) / 7, 1e-12);
      expect(mixed[1]!.description).to.include('Verified by sha256: A0A1I9GEU1_NEIME_Kennouche_2019');
      const p = baselineProtocol([...bundled, npc1], table, 'full');
      expect(p['sameAssayUnverified']).to.deep.equal([npc1.id]);
      expect(p['summary']).to.include('same-assay (unverified), published values for orientation only: NPC1_HUMAN_Erwood_2022_RPE1');
    });

    it('splits every set by the scoring protocol of its baselines, with protocol {baseline, run, same}', () => {
      const masked = splitSets(bundled, table, 'full', 'masked-marginals');
      expect(masked.map((x) => [x.kind, x.protocol!.baseline, x.protocol!.same])).to.deep.equal([
        ['same-data', 'masked-marginals', true],
        ['same-data', 'progen2-proteingym', false],
        ['same-data', 'site-independent-msa', false],
        ['published', 'masked-marginals', true],
        ['published', 'progen2-proteingym', false],
        ['published', 'site-independent-msa', false],
      ]);
      for (const x of masked) expect(x.protocol!.run).to.equal('masked-marginals');
      expect(Object.keys(masked[0]!.scores).sort()).to.deep.equal(['esm2-150m', 'esm2-15b', 'esm2-35m', 'esm2-3b', 'esm2-650m', 'esm2-8m']);
      expect(Object.keys(masked[0]!.items!).sort()).to.deep.equal(Object.keys(masked[0]!.scores).sort());
      expect(Object.keys(masked[1]!.scores).sort()).to.deep.equal([
        'progen2-base',
        'progen2-large',
        'progen2-medium',
        'progen2-small',
        'progen2-xlarge',
      ]);
      expect(Object.keys(masked[2]!.scores)).to.deep.equal(['site-independent']);
      expect(masked[1]!.description).to.include('protocol differs');
      // a causal run: same protocol as ProGen2's numbers only with progen2-proteingym
      const pg = splitSets(bundled, table, 'full', 'progen2-proteingym');
      expect(pg.filter((x) => x.protocol!.same).map((x) => x.protocol!.baseline)).to.deep.equal([
        'progen2-proteingym',
        'progen2-proteingym',
      ]);
      const llr = splitSets(bundled, table, 'full', 'causal-llr');
      expect(llr.every((x) => !x.protocol!.same)).to.equal(true);
      expect(llr[1]!.protocol).to.deep.equal({ baseline: 'progen2-proteingym', run: 'causal-llr', same: false });
    });

    it('rounds every per-assay value to 3 decimals before averaging, as ProteinGym (numpy round: half to even)', () => {
      const items = [
        { uniprot: 'P1', selectionType: 'S', value: 0.12349 }, // 0.123
        { uniprot: 'P2', selectionType: 'S', value: 0.0625 }, // 62.5 -> 62 (half to even): 0.062
        { uniprot: 'P3', selectionType: 'T', value: -0.2004 }, // -0.2
      ];
      expect(proteingymAverage(items)).to.be.closeTo(((0.123 + 0.062) / 2 + -0.2) / 2, 1e-15);
      expect(proteingymMean(items.map((i) => i.value))).to.be.closeTo((0.123 + 0.062 - 0.2) / 3, 1e-15);
      expect(proteingymMean([0.0635])).to.equal(0.064); // 63.5 -> 64 (even)
      expect(proteingymMean([0.0005, NaN])).to.equal(0); // 0.5 -> 0 (even), NaN skipped
    });

    it('protocol.baselines says what the sets hold: same assays and variants on the full tier only when every assay is verified', () => {
      expect(baselineProtocol(bundled, table, 'full')['summary']).to.equal(
        'same-data: published ProteinGym values on the same 6 assays and variants (content verified by sha256)',
      );
      expect(baselineProtocol(bundled, table, 'smoke')['summary']).to.include('same assays, not the same variants');
      const mine: RunAssay = { id: 'MY_ASSAY', uniprot: 'X', selectionType: 'unknown', totalVariants: 50, contentSha256: null };
      const p = baselineProtocol([mine], table, 'full');
      expect(p['notInProteinGym']).to.deep.equal(['MY_ASSAY']);
      expect(p['summary']).to.not.include('same assays and variants');
      expect(p['summary']).to.include("MY_ASSAY (DMS_id absent from ProteinGym's tables)");
    });
  });
});
