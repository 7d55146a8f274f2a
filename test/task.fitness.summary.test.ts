import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { proteingymRound } from '../src/metrics/index.js';
import { DEPTHS, depthClass, proteingymByClass, proteingymDepthAverage, proteingymSummary } from '../tasks/fitness/aggregate.js';
import { loadPublished } from '../tasks/fitness/baselines.js';
import { readReference } from '../tasks/fitness/assays.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { FITNESS_DIR, GOLDEN, runFitness } from './golden/fitness/fixtures.js';

interface SummaryGolden {
  copy: { of: string; DMS_id: string; UniProt_ID: string; coarse_selection_type: string; taxon: string; MSA_Neff_L_category: string };
  assays: Record<
    string,
    {
      msaDepth: string;
      taxon: string;
      depthCounts: Record<string, number>;
      byDepth: Record<string, Record<string, number | null>>;
      rounded: Record<string, number | null>;
    }
  >;
  summary: Record<string, Record<string, number | null>>;
  depthUnrounded: Record<string, Record<string, number | null>>;
}

const SUMMARY_GOLDEN = JSON.parse(
  readFileSync(resolve(FITNESS_DIR, '../../test/golden/fitness/summary_golden.json'), 'utf8'),
) as SummaryGolden;
const TOL = 5e-4 + 1e-12; // ProteinGym's Summary files round to 3 decimals

// ProteinGym's Summary columns beyond the headline: MSA depth class, taxon, mutation depth
// (proteingym/performance_DMS_benchmarks.py @ bb685245, main with --performance_by_depth).
describe("fitness: ProteinGym's breakdowns (MSA depth, taxon, mutation depth)", function () {
  this.timeout(120000);

  it('groups by hand: MSA depth / taxon per (UniProt, class) then per class; depth per (UniProt, selection type) then over groups', () => {
    const byClass = proteingymByClass([
      { uniprot: 'P1', cls: 'Low', value: 0.2 },
      { uniprot: 'P1', cls: 'Low', value: 0.4 }, // P1/Low = 0.3
      { uniprot: 'P2', cls: 'Low', value: 0.9 }, // Low = (0.3 + 0.9) / 2
      { uniprot: 'P3', cls: 'High', value: NaN },
      { uniprot: 'P4', cls: null, value: 0.5 }, // no class: left out, as pandas' groupby drops NaN keys
    ]);
    expect([...byClass.keys()].sort()).to.deep.equal(['High', 'Low']);
    expect(byClass.get('Low')).to.be.closeTo(0.6, 1e-15);
    expect(byClass.get('High')).to.be.NaN;
    // depth: (P1, Stability) = 0.3, (P1, Binding) = 0.1, (P2, Stability) = 0.8: mean over the three groups, not per type
    const depth = proteingymDepthAverage([
      { uniprot: 'P1', selectionType: 'Stability', value: 0.2 },
      { uniprot: 'P1', selectionType: 'Stability', value: 0.4 },
      { uniprot: 'P1', selectionType: 'Binding', value: 0.1 },
      { uniprot: 'P2', selectionType: 'Stability', value: 0.8 },
    ]);
    expect(depth).to.be.closeTo((0.3 + 0.1 + 0.8) / 3, 1e-15);
    expect([1, 2, 3, 4, 5, 9].map(depthClass)).to.deep.equal(['1', '2', '3', '4', '5+', '5+']);
  });

  it("reproduces the MSA depth and taxon columns of ProteinGym's published Summary from its 217 per-assay values, for the 12 baselines", () => {
    const table = loadPublished(FITNESS_DIR);
    const ref = readReference(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv'), 'DMS_substitutions.csv');
    const summary = (
      JSON.parse(readFileSync(resolve(FITNESS_DIR, 'data/proteingym_reference.json'), 'utf8')) as {
        summary: Record<string, Record<string, number>>;
      }
    ).summary;
    expect(table.assays.size).to.equal(217);
    const columns = [
      'Low_MSA_depth',
      'Medium_MSA_depth',
      'High_MSA_depth',
      'Taxa_Human',
      'Taxa_Other_Eukaryote',
      'Taxa_Prokaryote',
      'Taxa_Virus',
      'Average',
    ];
    for (const model of table.models) {
      const items = [...table.assays.entries()].map(([id, a]) => {
        const row = ref.rows.get(id)!;
        return {
          uniprot: a.uniprot,
          selectionType: a.selectionType,
          msaDepth: row.msaDepth,
          taxon: row.taxon,
          value: a.values[model]!.spearman,
          // no per-depth values are published per assay: the Depth_ columns cannot be checked from them
          byDepth: { '1': NaN, '2': NaN, '3': NaN, '4': NaN, '5+': NaN },
        };
      });
      const got = proteingymSummary(items);
      for (const c of columns) {
        const want = summary[model]![c === 'Average' ? 'Average_Spearman' : c]!;
        expect(want, `${model} ${c}`).to.be.a('number');
        expect(got[c], `${model} ${c}`).to.be.closeTo(want, TOL);
      }
    }
  });

  it("equals ProteinGym's own main() on the known-answer model's scores: per-assay depth metrics, and every Summary column", async () => {
    const g = SUMMARY_GOLDEN;
    // the folder main() was given: the six bundled assays (ProteinGym's bytes) and a relabelled copy, with a
    // reference file of their seven rows (see make_summary_golden.py for why the copy)
    const dir = tempDir('plmbench-fitness-summary-');
    const refText = readFileSync(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv'), 'utf8');
    const records = parse(refText) as string[][];
    const header = records[0]!;
    const col = (name: string) => header.indexOf(name);
    const bundledIds = Object.keys(g.assays).filter((id) => id !== g.copy.DMS_id);
    const rows = bundledIds.map((id) => records.find((r) => r[col('DMS_id')] === id)!);
    const copy = [...rows.find((r) => r[col('DMS_id')] === g.copy.of)!];
    for (const k of ['DMS_id', 'UniProt_ID', 'coarse_selection_type', 'taxon', 'MSA_Neff_L_category'] as const) copy[col(k)] = g.copy[k];
    copy[col('DMS_filename')] = `${g.copy.DMS_id}.csv`;
    const quote = (r: string[]) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',');
    writeFileSync(join(dir, 'DMS_substitutions.csv'), `${[header, ...rows, copy].map(quote).join('\n')}\n`);
    for (const id of bundledIds)
      writeFileSync(join(dir, `${id}.csv`), gunzipSync(readFileSync(resolve(FITNESS_DIR, `data/dms/${id}.csv.gz`))));
    writeFileSync(join(dir, `${g.copy.DMS_id}.csv`), gunzipSync(readFileSync(resolve(FITNESS_DIR, `data/dms/${g.copy.of}.csv.gz`))));

    const m = siteIndependentModel('mlm', { maxLength: GOLDEN.model.maxLength, seed: GOLDEN.model.seed, scale: GOLDEN.model.scale });
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(outcome.items.map((i) => i.id).sort()).to.deep.equal(Object.keys(g.assays).sort());
    for (const item of outcome.items) {
      const want = g.assays[item.id]!;
      expect([item.extra!['msaDepth'], item.extra!['taxon']], item.id).to.deep.equal([want.msaDepth, want.taxon]);
      // main()'s DMS-level values (rounded to 3 decimals) from the task's per-assay metrics
      for (const [k, v] of Object.entries(want.rounded)) expect(proteingymRound(item.metrics[k]!), `${item.id} ${k}`).to.equal(v);
      const byDepth = item.extra!['byDepth'] as Record<string, Record<string, number | null>>;
      for (const d of DEPTHS) {
        for (const [k, v] of Object.entries(want.byDepth[d]!)) {
          if (v === null) expect(byDepth[d]![k], `${item.id} depth ${d} ${k}`).to.equal(null);
          else expect(byDepth[d]![k], `${item.id} depth ${d} ${k}`).to.be.closeTo(v, 1e-9);
        }
      }
    }
    expect(SUMMARY_GOLDEN.assays[g.copy.DMS_id]!.msaDepth).to.equal('Low'); // main() capitalised "low"
    const columns = (outcome.extra!['proteingymSummary'] as { columns: Record<string, Record<string, number | null>> }).columns;
    for (const [metric, want] of Object.entries(g.summary)) {
      for (const [c, v] of Object.entries(want)) {
        const got = columns[metric]![c] ?? null;
        if (v === null) expect(got, `${metric} ${c}`).to.equal(null);
        else expect(got, `${metric} ${c}`).to.be.closeTo(v, TOL);
      }
      for (const [c, v] of Object.entries(g.depthUnrounded[metric]!)) {
        if (v === null) expect(columns[metric]![c], `${metric} ${c}`).to.equal(null);
        else expect(columns[metric]![c], `${metric} ${c} unrounded`).to.be.closeTo(v, 1e-12);
      }
    }
    // the headline aggregate is the Summary's Average column
    expect(outcome.metrics['spearman']!.value).to.equal(columns['spearman']!['Average']);
  });
});
