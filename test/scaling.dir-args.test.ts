import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { gateRun } from './golden/scaling/gate-fixtures.js';

// A folder where a file is expected is a user error: one line `bench: <path>: <problem>`, exit 2, no stack.
describe('scaling/gate/leaderboard/baseline: a directory given for a file is one line and exit 2', () => {
  const dir = tempDir();
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const run = writeRun(dir, 'run', gateRun('m'));

  async function bench(...argv: string[]): Promise<{ code: number; err: string }> {
    const io = memoryIo(dir);
    const code = await main(argv, io);
    return { code, err: io.err.join('') };
  }
  function oneLine(r: { code: number; err: string }, path: string): void {
    expect(r.code, r.err).to.equal(2);
    expect(r.err.trim().split('\n'), r.err).to.have.length(1);
    expect(r.err).to.not.match(/internal error|EISDIR|\n\s+at /);
    expect(r.err.startsWith(`bench: ${path}: `), r.err).to.equal(true);
    expect(r.err).to.match(/not a file|directory/);
  }

  it('gate --baseline <dir>', async () => {
    oneLine(await bench('gate', '--baseline', folder, '--current', run), folder);
  });
  it('gate --current <dir>', async () => {
    oneLine(await bench('gate', '--baseline', run, '--current', folder), folder);
  });
  it('gate --config <dir>', async () => {
    oneLine(await bench('gate', '--baseline', run, '--current', run, '--config', folder), folder);
  });
  it('leaderboard <dir>', async () => {
    oneLine(await bench('leaderboard', run, folder, '--quiet'), folder);
  });
  it('leaderboard --registry <dir>', async () => {
    oneLine(await bench('leaderboard', run, '--registry', folder, '--quiet'), folder);
  });
  it('baseline add <dir>', async () => {
    oneLine(await bench('baseline', 'add', folder, '--registry', join(dir, 'reg.json')), folder);
  });
  it('baseline list --registry <dir>', async () => {
    oneLine(await bench('baseline', 'list', '--registry', folder), folder);
  });
});
