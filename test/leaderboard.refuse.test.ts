import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { tempDir } from './helpers/tmp.js';
import { DATA_B, writeRun } from './golden/scaling/runs.js';
import { causalC, maskedA } from './golden/scaling/leaderboard-fixtures.js';

async function leaderboard(...files: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = memoryIo();
  const code = await main(['leaderboard', ...files, '--out', join(tempDir(), 'lb.json'), '--quiet'], io);
  return { code, err: io.err.join(''), out: io.out.join('') };
}

describe('leaderboard: refuses runs it cannot rank together (exit 2, one line)', () => {
  const dir = tempDir();
  const a = writeRun(dir, 'a', maskedA());

  it('different task versions: names the task, the runs and the versions', async () => {
    const c = causalC();
    c.tasks['fitness']!.version = '2.0.0';
    const r = await leaderboard(a, writeRun(dir, 'c-version', c));
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^bench: leaderboard: task fitness: version 1\.0\.0 vs 2\.0\.0 \(.*a\.json and .*c-version\.json\)/);
    expect(r.err.trim().split('\n')).to.have.length(1);
  });

  it('different data hashes', async () => {
    const c = causalC();
    (c.tasks['perplexity'] as { data: unknown }).data = [DATA_B];
    const r = await leaderboard(a, writeRun(dir, 'c-data', c));
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/task perplexity: data files differ: data\/a\.csv \(sha256 [0-9a-f]{12}, 10 rows\) vs data\/b\.csv/);
  });

  it('different tiers or task options', async () => {
    expect((await leaderboard(a, writeRun(dir, 'c-tier', causalC({ tier: 'full' })))).err).to.match(/tier smoke vs full/);
    expect((await leaderboard(a, writeRun(dir, 'c-opt', causalC({ options: { fitness: { scoring: 'wt-marginals' } } })))).err).to.match(/task fitness: options \{\} vs \{"scoring":"wt-marginals"\}/);
  });

  it('two runs of one model id, an invalid file', async () => {
    expect((await leaderboard(a, writeRun(dir, 'a2', maskedA()))).err).to.match(/two runs of model id "masked-a"/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, 'not json');
    const r = await leaderboard(a, bad);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/bad\.json: not valid JSON/);
  });

  it('accepts the same runs when they agree', async () => {
    expect((await leaderboard(a, writeRun(dir, 'c-ok', causalC()))).code).to.equal(0);
  });
});
