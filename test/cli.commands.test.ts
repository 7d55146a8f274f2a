import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { validateRun } from '../src/report/run-result.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

describe('CLI commands', () => {
  it('list shows every task with needs, version and data hashes (text and --json)', async () => {
    const io = memoryIo();
    expect(await main(['list'], io)).to.equal(0);
    expect(io.out.join('')).to.match(/perplexity\s+\d+\.\d+\.\d+\s+logits/);
    const j = memoryIo();
    expect(await main(['list', '--json'], j)).to.equal(0);
    const tasks = JSON.parse(j.out.join('')) as { name: string; data: { sha256: string }[] }[];
    const p = tasks.find((t) => t.name === 'perplexity')!;
    expect(p.data[0]!.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('--json prints the same result that is written to --out', async () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const io = memoryIo();
    expect(
      await main(
        [
          'run',
          'perplexity',
          '--model',
          randomTransformer('clm', {}, dir),
          '--tier',
          'smoke',
          '--no-cache',
          '--json',
          '--quiet',
          '--out',
          out,
        ],
        io,
      ),
    ).to.equal(0);
    expect(io.out.join('')).to.equal(readFileSync(out, 'utf8'));
    expect(io.err.join('')).to.equal('');
    validateRun(JSON.parse(io.out.join('')), 'stdout');
  });

  it('--tasks-dir adds a user plugin; a task whose needs the model lacks is skipped with the reason', async () => {
    const dir = tempDir();
    const plugins = join(dir, 'plugins');
    mkdirSync(join(plugins, 'needs-contacts'), { recursive: true });
    writeFileSync(
      join(plugins, 'needs-contacts', 'index.ts'),
      `export default { name: 'needs-contacts', version: '0.1.0', needs: ['contacts'],
        describe: () => ({ title: 't', headline: 'x', metrics: [{ name: 'x', higherIsBetter: true, description: 'd' }], data: [], tiers: { smoke: 's', full: 'f' } }),
        run: async () => { throw new Error('must not run'); } };\n`,
    );
    const out = join(dir, 'r.json');
    const io = memoryIo();
    expect(
      await main(
        [
          'run',
          'needs-contacts',
          '--model',
          randomTransformer('mlm', {}, dir),
          '--tasks-dir',
          plugins,
          '--no-cache',
          '--quiet',
          '--out',
          out,
        ],
        io,
      ),
    ).to.equal(0);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.tasks['needs-contacts']).to.deep.equal({ version: '0.1.0', status: 'skipped', reason: 'the model lacks a "contacts" output' });
  });

  it('a plugin that breaks the interface is refused by name', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p', 'broken'), { recursive: true });
    writeFileSync(
      join(dir, 'p', 'broken', 'index.ts'),
      `export default { name: 'broken', version: '1', needs: ['logits'], describe: () => ({}) };\n`,
    );
    const io = memoryIo();
    expect(
      await main(['run', 'broken', '--model', randomTransformer('mlm', {}, dir), '--tasks-dir', join(dir, 'p'), '--no-cache'], io),
    ).to.equal(2);
    expect(io.err.join('')).to.match(/broken\/index\.ts: run must be a function/);
  });

  it('an internal error in a task fails that task, writes the result, and exits 3', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'p', 'buggy'), { recursive: true });
    writeFileSync(
      join(dir, 'p', 'buggy', 'index.ts'),
      `export default { name: 'buggy', version: '1', needs: ['logits'],
        describe: () => ({ title: 't', headline: 'x', metrics: [{ name: 'x', higherIsBetter: true, description: 'd' }], data: [], tiers: { smoke: 's', full: 'f' } }),
        run: async () => { const o: any = undefined; return o.boom; } };\n`,
    );
    const out = join(dir, 'r.json');
    const io = memoryIo();
    const code = await main(
      [
        'run',
        'buggy',
        'perplexity',
        '--model',
        randomTransformer('clm', {}, dir),
        '--tasks-dir',
        join(dir, 'p'),
        '--tier',
        'smoke',
        '--no-cache',
        '--out',
        out,
      ],
      io,
    );
    expect(code).to.equal(3);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.tasks.buggy.status).to.equal('failed');
    expect(r.tasks.buggy.code).to.equal('E_INTERNAL');
    expect(r.tasks.perplexity.status).to.equal('ok');
  });

  it('--help and usage', async () => {
    const io = memoryIo();
    expect(await main(['--help'], io)).to.equal(0);
    expect(io.out.join('')).to.match(/usage: bench <command>/);
    const h = memoryIo();
    expect(await main(['all', '--help'], h)).to.equal(0);
    expect(h.out.join('')).to.match(/--max-tokens N/);
  });
});
