import { expect } from 'chai';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import task from '../tasks/contacts/index.js';
import { loadBundled, publishedBaselines, readPublished } from '../tasks/contacts/data.js';
import { deriveSplit, formatSplitCsv } from '../tasks/contacts/split.js';
import { tempDir } from './helpers/tmp.js';
import { bundledChains, indexRows, TASK_DIR } from './golden/contacts/fixtures.js';

describe('contacts: bundled data, split and published points', () => {
  it('data/split.csv is the output of the written rule applied to data/index.csv', () => {
    const rows = indexRows().map((r) => ({
      id: r['shiftx2_id']!,
      pdbId: r['pdb_id']!,
      chain: r['chain']!,
      length: r['seqres_sequence']!.length,
    }));
    expect(readFileSync(join(TASK_DIR, 'data/split.csv'), 'utf8')).to.equal(formatSplitCsv(deriveSplit(rows)));
  });

  it('splits 41 chains into 20 training and 21 evaluation chains with matching lengths; 7 smoke chains, all evaluated', async () => {
    const b = await bundledChains();
    expect(b.train).to.have.length(20);
    expect(b.eval).to.have.length(21);
    expect(b.smoke.size).to.equal(7);
    const trainIds = new Set(b.train.map((e) => e.id));
    for (const e of b.eval) expect(trainIds.has(e.id)).to.equal(false);
    for (const id of b.smoke) expect(b.eval.some((e) => e.id === id)).to.equal(true);
    const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)]!;
    expect(Math.abs(median(b.train.map((e) => e.length)) - median(b.eval.map((e) => e.length)))).to.be.lessThan(15);
    // The longest chain (A069, 517 residues) is evaluated.
    expect(b.eval.some((e) => e.id === 'A069' && e.length === 517)).to.equal(true);
    expect(new Set(b.train.map((e) => e.sequence)).size).to.equal(20);
    for (const e of b.eval)
      expect(
        b.train.some((t) => t.sequence === e.sequence),
        e.id,
      ).to.equal(false);
  });

  it('describe() lists the files loadBundled reads, with the same hashes and rows', async () => {
    const b = await bundledChains();
    expect(b.files.map((f) => [f.file, f.sha256, f.rows])).to.deep.equal(task.describe().data.map((f) => [f.file, f.sha256, f.rows]));
  });

  it('refuses bundled structures that differ from data/structures.sha256', async () => {
    const copy = tempDir();
    cpSync(TASK_DIR, copy, { recursive: true });
    const f = join(copy, 'data/pdb/A040_1T8LB.pdbH.gz');
    const bytes = readFileSync(f);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(f, bytes);
    let err: Error | null = null;
    await loadBundled(copy).catch((e: Error) => (err = e));
    expect(err).to.have.property('code', 'E_DATA');
    expect(String((err as Error | null)?.message)).to.match(
      /A040_1T8LB\.pdbH\.gz: sha256 [0-9a-f]{64} does not match data\/structures\.sha256/,
    );
  });

  it('carries the published ESM-2 points as two published baseline sets (fractions, CAMEO first, then CASP14)', () => {
    const sets = publishedBaselines(readPublished(TASK_DIR));
    expect(sets.map((s) => s.kind)).to.deep.equal(['published', 'published']);
    for (const s of sets) {
      expect(s.description).to.match(/^published, different proteins/);
      expect(Object.keys(s.scores)).to.deep.equal(['esm2-8m', 'esm2-35m', 'esm2-150m', 'esm2-650m', 'esm2-3b', 'esm2-15b']);
      expect(s.source).to.match(/Lin et al\. 2023/);
    }
    // As published (top-L long-range precision, %): CAMEO 15.7 ... 51.7, CASP14 9.8 ... 37.0.
    expect(sets[0]!.description).to.match(/CAMEO/);
    expect(Object.values(sets[0]!.scores).map((m) => m['p_at_l_long'])).to.deep.equal([0.157, 0.284, 0.401, 0.476, 0.499, 0.517]);
    expect(Object.values(sets[1]!.scores).map((m) => m['p_at_l_long'])).to.deep.equal([0.098, 0.164, 0.268, 0.325, 0.34, 0.37]);
  });
});
