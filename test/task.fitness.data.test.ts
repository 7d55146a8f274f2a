import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readAssay, readReference, referenceFor } from '../tasks/fitness/assays.js';
import { loadPublished, matchAssay } from '../tasks/fitness/baselines.js';
import { FITNESS_DIR } from './golden/fitness/fixtures.js';

// The bundled data is what build_data.py says it is: the upstream bytes inside each gzip, the
// reference rows consistent with the assays, and ProteinGym's published variant counts equal to ours
// (so the published values are same-data on the full tier).
describe('fitness: bundled data', function () {
  this.timeout(30000);
  const reference = JSON.parse(readFileSync(resolve(FITNESS_DIR, 'data/proteingym_reference.json'), 'utf8')) as {
    source: { files: { path: string; sha256: string; rows: number }[] };
  };
  const ref = readReference(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv'), 'DMS_substitutions.csv');
  const bundledRows = () => [...ref.rows.values()].filter((r) => existsSync(resolve(FITNESS_DIR, `data/dms/${r.dmsId}.csv.gz`)));

  it("bundles ProteinGym's whole reference file, bytes unchanged: a row for each of the 217 assays of its published tables", () => {
    const recorded = reference.source.files.find((f) => f.path === 'proteingym_reference/reference_files/DMS_substitutions.csv')!;
    const bytes = readFileSync(resolve(FITNESS_DIR, 'data/DMS_substitutions.csv'));
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal(recorded.sha256);
    expect(ref.count).to.equal(217);
    expect(recorded.rows).to.equal(217);
    const published = loadPublished(FITNESS_DIR);
    expect([...ref.rows.keys()].sort()).to.deep.equal([...published.assays.keys()].sort());
    for (const [id, p] of published.assays) {
      const row = ref.rows.get(id)!;
      expect([row.uniprot, row.selectionType, row.totalMutants], id).to.deep.equal([p.uniprot, p.selectionType, p.numberMutants]);
      expect(['Low', 'Medium', 'High'], id).to.include(row.msaDepth);
      expect(['Human', 'Eukaryote', 'Prokaryote', 'Virus'], id).to.include(row.taxon);
    }
  });

  it('holds the upstream CSV bytes, unchanged, inside each .csv.gz', () => {
    const assays = reference.source.files.filter((f) => f.path.startsWith('dms/'));
    expect(assays).to.have.length(6);
    for (const f of assays) {
      const bytes = gunzipSync(readFileSync(resolve(FITNESS_DIR, 'data', `${f.path}.gz`)));
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).to.equal(f.sha256);
    }
  });

  it('reads each assay against its reference row: counts, lengths, binarisation cutoff, published variant counts', async () => {
    const published = loadPublished(FITNESS_DIR);
    expect(bundledRows()).to.have.length(6);
    for (const row of bundledRows()) {
      const a = await readAssay(resolve(FITNESS_DIR, `data/dms/${row.dmsId}.csv.gz`), row.dmsId, referenceFor(ref.rows, row.dmsId));
      expect(a.totalVariants, row.dmsId).to.equal(row.totalMutants);
      expect(a.wildType).to.equal(row.targetSeq);
      expect(a.binCutoffMismatches, `${row.dmsId}: DMS_score_bin vs DMS_score >= cutoff`).to.equal(0);
      const p = published.assays.get(row.dmsId)!;
      expect(p.numberMutants).to.equal(a.totalVariants);
      expect(p.uniprot).to.equal(a.uniprot);
      expect(p.selectionType).to.equal(a.selectionType);
    }
  });

  it("reads the content sha256 of each bundled assay (decompressed) as the build recorded for ProteinGym's file: same data", async () => {
    const published = loadPublished(FITNESS_DIR);
    for (const row of bundledRows()) {
      const a = await readAssay(resolve(FITNESS_DIR, `data/dms/${row.dmsId}.csv.gz`), row.dmsId, referenceFor(ref.rows, row.dmsId));
      const recorded = reference.source.files.find((f) => f.path === `dms/${row.dmsId}.csv`)!.sha256;
      expect(a.contentSha256, row.dmsId).to.equal(recorded);
      expect(a.file.sha256, row.dmsId).to.not.equal(recorded); // the .csv.gz file's own hash is another thing
      expect(matchAssay(a, published).match, row.dmsId).to.equal('same-data');
    }
  });
});
