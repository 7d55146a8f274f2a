import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
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
    for (const it of items) for (const [k, v] of Object.entries(GOLDEN.assays[it.id]!.metrics)) expect(it.metrics[k], `${it.id} ${k}`).to.be.closeTo(v, 1e-9);
  };

  it('scores every CSV of the folder with its DMS_substitutions.csv row, as the bundled assays are scored', async () => {
    const { dir } = userDir(spec);
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

  it('rebuilds the wild type from the mutants when there is no DMS_substitutions.csv (gzipped files too), each assay its own group', async () => {
    const { dir } = userDir(spec, { reference: false, gzip: true });
    const run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expectGolden(run.outcome.items);
    expect(run.outcome.protocol['wildTypes']).to.deep.equal({ fromReference: 0, reconstructed: 2 });
    expect(run.outcome.protocol['groupingFallback']).to.deep.equal([...ids]);
    expect(run.ctx.warnings.join('\n')).to.include('no UniProt_ID / coarse_selection_type');
    // two groups of type "unknown": the ProteinGym average is then the plain mean
    expect(run.outcome.metrics['spearman']!.value).to.be.closeTo(run.outcome.metrics['spearman_mean']!.value, 1e-15);
  });

  it('gives no same-data aggregate when the user\'s assay differs from ProteinGym\'s (another variant count)', async () => {
    const { dir } = userDir({ [ids[1]]: 200 });
    const { outcome } = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    expect(outcome.items[0]!.n).to.equal(200);
    expect(outcome.metrics['spearman']!.ci95).to.equal(null); // one assay: no interval
    expect(outcome.baselines!.map((b) => b.kind)).to.deep.equal(['published']);
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
