import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { tempDir } from './helpers/tmp.js';
import { DATA_B, items, syntheticRun, writeRun } from './golden/scaling/runs.js';
import { gateRun } from './golden/scaling/gate-fixtures.js';

async function gate(a: string, b: string, ...more: string[]): Promise<{ code: number; err: string }> {
  const io = memoryIo();
  const code = await main(['gate', '--baseline', a, '--current', b, ...more], io);
  return { code, err: io.err.join('') };
}

describe('gate: unusable input exits 2 with one line', () => {
  const dir = tempDir();
  const a = writeRun(dir, 'a', gateRun('m'));

  it('different data files of a task', async () => {
    const other = gateRun('m');
    (other.tasks['fitness'] as { data: unknown }).data = [DATA_B];
    const r = await gate(a, writeRun(dir, 'data', other));
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^bench: gate: task fitness: data files differ: data\/a\.csv .* vs data\/b\.csv/);
    expect(r.err.trim().split('\n')).to.have.length(1);
  });

  it('different task versions', async () => {
    const other = gateRun('m');
    other.tasks['perplexity']!.version = '2.0.0';
    const r = await gate(a, writeRun(dir, 'version', other));
    // A stale baseline (bumped task version) has its own exit code, so CI can refresh it (examples/ci/).
    expect(r.code).to.equal(4);
    expect(r.err).to.match(
      /^bench: gate: task perplexity: baseline is from task version 1\.0\.0 \(.*\), this run from version 2\.0\.0 \(.*\): refresh it/,
    );
    expect(r.err.trim().split('\n')).to.have.length(1);
  });

  it('no shared items', async () => {
    const other = syntheticRun({
      id: 'm',
      objective: 'clm',
      params: 1e6,
      trainTokens: 1e9,
      tasks: {
        fitness: {
          headline: 'spearman',
          directions: { spearman: true },
          items: items(3, () => ({ spearman: 0.3 })).map((i) => ({ ...i, id: `other-${i.id}` })),
        },
      },
    });
    const r = await gate(a, writeRun(dir, 'noshared', other));
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/task fitness: the runs share no items/);
  });

  it('an invalid or missing run file, a bad config', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1}');
    expect((await gate(a, bad)).err).to.match(/not a valid plmbench run/);
    expect((await gate(a, join(dir, 'absent.json'))).code).to.equal(2);
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ schemaVersion: 1, source: 'x', default: { tolerance: -1 }, metrics: {} }));
    const r = await gate(a, a, '--config', cfg);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/invalid gate config/);
  });

  it('a metric whose direction nobody records, unless the config gives it', async () => {
    const mk = () =>
      syntheticRun({
        id: 'm',
        objective: 'clm',
        params: 1e6,
        trainTokens: 1e9,
        tasks: { 'my-task': { headline: 'score', directions: { score: undefined }, items: items(5, (i) => ({ score: i })) } },
      });
    const x = writeRun(dir, 'nodir', mk());
    const r = await gate(x, x);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/my-task\.score: direction unknown/);
    const cfg = join(dir, 'dir.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        schemaVersion: 1,
        source: 'test',
        default: { tolerance: 0.01 },
        metrics: { 'my-task.score': { tolerance: 0.1, higherIsBetter: true } },
      }),
    );
    expect((await gate(x, x, '--config', cfg)).code).to.equal(0);
  });

  it('missing flags are usage errors', async () => {
    const io = memoryIo();
    expect(await main(['gate', '--baseline', a], io)).to.equal(2);
    expect(io.err.join('')).to.match(/--current: required/);
  });
});
