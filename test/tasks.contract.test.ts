import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTaskFolders, loadTask } from '../src/task/registry.js';
import { sha256 } from '../src/util/hash.js';
import { runBench } from '../src/cli/commands/run.js';
import { normalizeRunOptions } from '../src/cli/options.js';
import { memoryIo } from '../src/cli/io.js';
import { validateRun } from '../src/report/run-result.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

// One test that holds every task folder to the plugin contract: shape, bundled data hashes, README,
// and a smoke run on tiny fixture models that yields a schema-valid result with no failed task.
describe('task plugin contract', () => {
  const folders = listTaskFolders();

  it('finds the task folders', () => {
    expect(folders.size).to.be.greaterThan(0);
  });

  for (const [name, folder] of folders) {
    describe(`tasks/${name}`, () => {
      it('exports a well-formed plugin with metric and tier descriptions', async () => {
        const t = await loadTask(name, folder);
        const info = t.module.describe();
        expect(info.metrics.map((m) => m.name)).to.include(info.headline);
        expect(info.tiers.smoke).to.be.a('string').and.not.empty;
        expect(info.tiers.full).to.be.a('string').and.not.empty;
      });

      it('has a README naming its metric, data provenance and version history', () => {
        const readme = join(folder.dir, 'README.md');
        expect(existsSync(readme), `${readme} missing`).to.equal(true);
        const text = readFileSync(readme, 'utf8').toLowerCase();
        for (const word of ['metric', 'provenance', 'version']) expect(text, `README lacks "${word}"`).to.include(word);
      });

      it('ships the data files describe() lists, with the hashes it states', async () => {
        const t = await loadTask(name, folder);
        for (const f of t.module.describe().data) {
          const p = join(folder.dir, f.file);
          expect(existsSync(p), `${p} missing`).to.equal(true);
          expect(sha256(readFileSync(p)), `${f.file} hash`).to.equal(f.sha256);
          expect(f.rows).to.be.greaterThan(0);
        }
      });
    });
  }

  for (const layout of ['mlm', 'clm'] as const) {
    it(`smoke-runs every task on a tiny ${layout} fixture into a schema-valid result`, async () => {
      const dir = tempDir();
      const model = randomTransformer(layout, { maxLength: 256 }, dir);
      const out = join(dir, 'run.json');
      const io = memoryIo();
      const code = await runBench(normalizeRunOptions({ model, tier: 'smoke', out, 'no-cache': true, quiet: true }), io);
      expect(code, io.err.join('')).to.equal(0);
      const run = JSON.parse(readFileSync(out, 'utf8')) as { tasks: Record<string, { status: string; reason?: string }> };
      validateRun(run, out);
      for (const [task, r] of Object.entries(run.tasks)) {
        expect(r.status, `${task}: ${r.reason ?? ''}`).to.not.equal('failed');
        if (r.status === 'skipped') expect(r.reason, `${task} skipped without a reason`).to.be.a('string').and.not.empty;
      }
      expect(Object.keys(run.tasks)).to.have.members([...folders.keys()]);
    });
  }
});
