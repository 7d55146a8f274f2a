import { expect } from 'chai';
import { appendFileSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from '../src/util/errors.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { GOLDEN, runFitness } from './golden/fitness/fixtures.js';
import { userDir } from './golden/fitness/user-data.js';

// `--data fitness=DIR`: every ProteinGym CSV in DIR, with DMS_substitutions.csv or without it (the
// wild type rebuilt from the mutants). Checked against the golden values of the bundled assays, which
// the same model (the known-answer model of test/golden/fitness) scores on the same rows.
describe('fitness: user assays (--data fitness=DIR)', function () {
  this.timeout(60000);
  const m = siteIndependentModel('mlm', { maxLength: GOLDEN.model.maxLength, seed: GOLDEN.model.seed, scale: GOLDEN.model.scale });
  const ids = ['A0A1I9GEU1_NEIME_Kennouche_2019', 'BCHB_CHLTE_Tsuboyama_2023_2KRU'] as const;
  const spec = { [ids[0]]: 'all', [ids[1]]: 'all' } as const;

  const expectGolden = (items: { id: string; metrics: Record<string, number | null> }[]) => {
    expect(items.map((i) => i.id)).to.deep.equal([...ids]);
    for (const it of items)
      for (const [k, v] of Object.entries(GOLDEN.assays[it.id]!.metrics)) expect(it.metrics[k], `${it.id} ${k}`).to.be.closeTo(v, 1e-9);
  };

  it('scores every CSV of the folder with its DMS_substitutions.csv row, as the bundled assays are scored', async () => {
    const { dir } = userDir(spec, { upstream: true }); // ProteinGym's own bytes
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expectGolden(outcome.items);
    expect(outcome.protocol['wildTypes']).to.deep.equal({ fromReference: 2, reconstructed: 0 });
    expect(outcome.protocol['groupingFallback']).to.deep.equal([]);
    expect(outcome.data.map((d) => d.file)).to.include.members([join(dir, 'DMS_substitutions.csv'), join(dir, `${ids[0]}.csv`)]);
    expect(outcome.data.find((d) => d.file === join(dir, `${ids[0]}.csv`))!.rows).to.equal(922);
    // ProteinGym's own assays with their full variant counts: same-data baselines, aggregated
    const same = outcome.baselines!.find((b) => b.kind === 'same-data')!;
    expect(Object.keys(same.items!['esm2-8m']!)).to.have.members([...ids]);
    expect(same.scores['esm2-8m']!['spearman']).to.be.closeTo((-0.037 + 0.166) / 2, 1e-12); // two selection types, one assay each
  });

  it("reads wild types, ids and classes from the bundled copy of ProteinGym's reference file when the folder has none", async () => {
    const { dir } = userDir(spec, { reference: false, upstream: true }); // ProteinGym's files, no DMS_substitutions.csv
    const run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expectGolden(run.outcome.items);
    expect(run.outcome.protocol['wildTypes']).to.deep.equal({ fromReference: 2, reconstructed: 0 });
    expect(run.outcome.protocol['groupingFallback']).to.deep.equal([]);
    expect(run.outcome.protocol['data']).to.deep.equal({
      source: 'user',
      path: dir,
      reference: 'data/DMS_substitutions.csv',
      referenceSource: 'bundled',
    });
    expect(run.outcome.data[0]).to.deep.include({ file: 'data/DMS_substitutions.csv', rows: 217 });
    expect(
      run.outcome.items.map((i) => [i.extra!['wildType'], i.extra!['referenceFile'], i.extra!['taxon'], i.extra!['msaDepth']]),
    ).to.deep.equal([
      ['reference', 'data/DMS_substitutions.csv', 'Prokaryote', 'Medium'],
      ['reference', 'data/DMS_substitutions.csv', 'Prokaryote', 'Medium'],
    ]);
    expect(run.ctx.warnings.join('\n')).to.not.include('no UniProt_ID');
    // the reference's grouping: two selection types (Activity, Stability), one assay each, same as with the folder's own file
    const same = run.outcome.baselines!.find((b) => b.kind === 'same-data')!;
    expect(same.scores['esm2-8m']!['spearman']).to.be.closeTo((-0.037 + 0.166) / 2, 1e-12);
  });

  it('rebuilds the wild type from the mutants of an assay no reference file lists (gzipped files too), each such assay its own group', async () => {
    const { dir } = userDir(spec, { reference: false, gzip: true });
    // under names ProteinGym's reference file does not list, so nothing gives their wild types
    for (const id of ids) renameSync(join(dir, `${id}.csv.gz`), join(dir, `MY_${id}.csv.gz`));
    const run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expectGolden(run.outcome.items.map((i) => ({ ...i, id: i.id.replace(/^MY_/, '') })));
    expect(run.outcome.protocol['wildTypes']).to.deep.equal({ fromReference: 0, reconstructed: 2 });
    expect(run.outcome.protocol['groupingFallback']).to.deep.equal(ids.map((id) => `MY_${id}`));
    expect(run.outcome.items.map((i) => i.extra!['referenceFile'])).to.deep.equal([null, null]);
    expect(run.ctx.warnings.join('\n')).to.include('no UniProt_ID / coarse_selection_type');
    // two groups of type "unknown": the ProteinGym average is then the plain mean
    expect(run.outcome.metrics['spearman']!.value).to.be.closeTo(run.outcome.metrics['spearman_mean']!.value, 1e-15);
  });

  it('mixes the two: a listed assay from the bundled reference, an unlisted one reconstructed', async () => {
    const { dir } = userDir(spec, { reference: false });
    renameSync(join(dir, `${ids[1]}.csv`), join(dir, `MY_${ids[1]}.csv`));
    const run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(run.outcome.protocol['wildTypes']).to.deep.equal({ fromReference: 1, reconstructed: 1 });
    expect(run.outcome.items.map((i) => [i.id, i.extra!['wildType']])).to.deep.equal([
      [ids[0], 'reference'],
      [`MY_${ids[1]}`, 'reconstructed'],
    ]);
    expect(run.outcome.protocol['groupingFallback']).to.deep.equal([`MY_${ids[1]}`]);
  });

  it("gives no same-data aggregate when the user's assay differs from ProteinGym's (another variant count)", async () => {
    const { dir } = userDir({ [ids[1]]: 200 });
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(outcome.items[0]!.n).to.equal(200);
    expect(outcome.metrics['spearman']!.ci95).to.equal(null); // one assay: no interval
    // ProteinGym's 217-assay averages only, one set per scoring protocol (ESM-2, ProGen2, site-independent)
    expect(outcome.baselines!.map((b) => b.kind)).to.deep.equal(['published', 'published', 'published']);
    expect(outcome.baselines!.map((b) => b.protocol!.baseline)).to.deep.equal([
      'masked-marginals',
      'progen2-proteingym',
      'site-independent-msa',
    ]);
  });

  it('does not call a modified copy same data: same DMS_id and variant count, one DMS_score changed', async () => {
    // A0A1I9GEU1: ProteinGym's bytes; BCHB_CHLTE: every row, one score edited (same id, same 1,572 variants)
    const { dir } = userDir({ [ids[0]]: 'all' }, { upstream: true });
    const { dir: other } = userDir(
      { [ids[1]]: 'all' },
      { edit: (_, lines) => lines.map((l, i) => (i === 1 ? l.replace(/,([^,]+),([01])$/, ',1234.5,$2') : l)) },
    );
    copyFileSync(join(other, `${ids[1]}.csv`), join(dir, `${ids[1]}.csv`));
    const ref = readFileSync(join(other, 'DMS_substitutions.csv'), 'utf8').split('\n')[1]!;
    appendFileSync(join(dir, 'DMS_substitutions.csv'), `${ref}\n`);
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(outcome.items.map((i) => i.id)).to.deep.equal([...ids]);
    expect(outcome.items[1]!.n).to.equal(1572);
    // the modified copy is not in the same-data set, and nothing claims the same assays and variants
    expect(Object.keys(outcome.baselines!.find((b) => b.kind === 'same-data')!.items!['esm2-8m']!)).to.deep.equal([ids[0]]);
    expect(JSON.stringify(outcome.protocol['baselines'])).to.not.include('same assays and variants');
    expect(outcome.items[0]!.extra!['proteingym']).to.equal('same-data');
    expect(outcome.items[1]!.extra!['proteingym']).to.equal('different-data');
    expect(outcome.items[1]!.extra!['proteingymReason']).to.include('modified copy');
    const same = outcome.baselines!.find((b) => b.kind === 'same-data')!;
    expect(Object.keys(same.items!['esm2-8m']!)).to.deep.equal([ids[0]]);
    expect(same.scores['esm2-8m']!['spearman']).to.equal(null);
    expect(same.description).to.not.include('same assays, same variants');
    expect(same.description).to.include(`Not covered (not verified to be ProteinGym's data): ${ids[1]}`);
    const p = outcome.protocol['baselines'] as Record<string, unknown>;
    expect(p['sameData']).to.deep.equal([ids[0]]);
    expect(p['differentData']).to.deep.equal([ids[1]]);
    expect(p['summary']).to.not.include('same assays and variants');
    expect(p['summary']).to.include(`${ids[1]} (the CSV's sha256`);
  });

  it('labels a ProteinGym assay whose file it cannot verify "same-assay (unverified)", never same data', async () => {
    // NPC1_HUMAN_Erwood_2022_RPE1 has 63 variants in ProteinGym's tables, and no sha256 here: a file of that
    // name with 63 (made-up) variants has the id and the count, not necessarily the content.
    const id = 'NPC1_HUMAN_Erwood_2022_RPE1';
    const dir = tempDir();
    const wt = 'MKTAYIAKQRQISFVKSHFS';
    const aa = 'ACDEFGHIKLMNPQRSTVWY';
    const lines = ['mutant,mutated_sequence,DMS_score,DMS_score_bin'];
    for (let v = 0; v < 63; v++) {
      const pos = v % wt.length;
      const mt = aa.replace(wt[pos]!, '')[Math.floor(v / wt.length)]!;
      lines.push(`${wt[pos]}${pos + 1}${mt},${wt.slice(0, pos)}${mt}${wt.slice(pos + 1)},${((v * 37) % 63) / 10},${v % 2}`);
    }
    writeFileSync(join(dir, `${id}.csv`), `${lines.join('\n')}\n`);
    // ProteinGym's reference file (bundled) knows NPC1's real wild type, so the made-up file is refused against it ...
    let caught: unknown;
    try {
      await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(BenchError);
    expect((caught as Error).message).to.equal(
      `${join(dir, `${id}.csv`)}:2: mutant "M1A" applied to the wild type (target_seq of ${id} in data/DMS_substitutions.csv) does not give mutated_sequence (mutated_sequence has 20 residues, the wild type 1278)`,
    );
    // ... and read with a reference file of the folder's own that gives the made-up wild type
    writeFileSync(join(dir, 'DMS_substitutions.csv'), `DMS_id,target_seq\n${id},${wt}\n`);
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    // the unverified set and ProteinGym's averages, each split by scoring protocol (ESM-2, ProGen2, site-independent)
    expect(outcome.baselines!.map((b) => b.kind)).to.deep.equal([
      'published',
      'published',
      'published',
      'published',
      'published',
      'published',
    ]);
    expect(outcome.items[0]!.extra!['proteingym']).to.equal('same-assay (unverified)');
    const unverified = outcome.baselines![0]!;
    expect(unverified.description).to.include(`same-assay (unverified): ${id}`);
    expect(unverified.scores['esm2-8m']!['spearman']).to.be.a('number');
    const p = outcome.protocol['baselines'] as Record<string, unknown>;
    expect(p['sameData']).to.deep.equal([]);
    expect(p['sameAssayUnverified']).to.deep.equal([id]);
    expect(p['summary']).to.include('no same-data baseline');
    expect(p['summary']).to.include(`same-assay (unverified), published values for orientation only: ${id}`);
  });

  it('claims no published values on the same data for an assay ProteinGym does not have', async () => {
    const { dir } = userDir({ [ids[1]]: 'all' }, { reference: false });
    renameSync(join(dir, `${ids[1]}.csv`), join(dir, 'MY_ASSAY.csv'));
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(JSON.stringify(outcome.protocol['baselines'])).to.not.include('same assays and variants');
    expect(outcome.items[0]!.extra!['proteingym']).to.equal('not-in-proteingym');
    const p = outcome.protocol['baselines'] as Record<string, unknown>;
    expect(p['notInProteinGym']).to.deep.equal(['MY_ASSAY']);
    expect(p['summary']).to.not.include('same assays and variants');
    expect(p['summary']).to.include('no same-data baseline');
    // ProteinGym's 217-assay averages only, one set per scoring protocol (ESM-2, ProGen2, site-independent)
    expect(outcome.baselines!.map((b) => b.kind)).to.deep.equal(['published', 'published', 'published']);
    expect(outcome.baselines!.map((b) => b.protocol!.baseline)).to.deep.equal([
      'masked-marginals',
      'progen2-proteingym',
      'site-independent-msa',
    ]);
  });

  it('rejects a file, a missing folder, and a folder without assay CSVs', async () => {
    const model = await loadTestModel(m.path);
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const cases: [string, RegExp][] = [
      [join(dir, 'notes.txt'), /must be a folder of ProteinGym assay CSVs/],
      [join(dir, 'absent'), /not found/],
      [dir, /no assay CSV files/],
    ];
    for (const [path, message] of cases) {
      let caught: unknown;
      try {
        await runFitness(model, { dataPath: path });
      } catch (e) {
        caught = e;
      }
      expect(caught, path).to.be.instanceOf(BenchError);
      expect((caught as Error).message).to.match(message);
    }
    rmSync(join(dir, 'notes.txt'));
  });
});
