import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { stableStringify } from '../src/util/json.js';
import { schemaErrors } from '../src/util/schema.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';

describe('leaderboard: deterministic bytes', () => {
  it('the same runs in any order give the same file: sorted keys, no timestamps, schema-valid', async () => {
    const dir = tempDir();
    for (const [n, r] of [
      ['a', maskedA()],
      ['b', maskedB()],
      ['c', causalC()],
    ] as const)
      writeRun(dir, n, r);
    const out1 = join(dir, 'lb1.json');
    const out2 = join(dir, 'lb2.json');
    const io = memoryIo(dir);
    expect(await main(['leaderboard', 'a.json', 'b.json', 'c.json', '--out', out1], io)).to.equal(0);
    expect(await main(['leaderboard', 'c.json', 'a.json', 'b.json', '--out', out2, '--quiet'], memoryIo(dir))).to.equal(0);
    const t1 = readFileSync(out1, 'utf8');
    expect(readFileSync(out2, 'utf8')).to.equal(t1);
    const parsed = JSON.parse(t1) as unknown;
    expect(stableStringify(parsed, 2) + '\n').to.equal(t1);
    expect(schemaErrors('leaderboard', parsed)).to.deep.equal([]);
    expect(t1).to.not.match(/createdAt|startedAt/);
    expect(io.err.join('')).to.match(
      /fitness \(v1\.0\.0, smoke\) — spearman \(higher is better; entries sharing a rank have overlapping 95% intervals/,
    );
  });

  it('without --out the JSON goes to stdout', async () => {
    const dir = tempDir();
    writeRun(dir, 'a', maskedA());
    const io = memoryIo(dir);
    expect(await main(['leaderboard', 'a.json', '--quiet'], io)).to.equal(0);
    expect((JSON.parse(io.out.join('')) as { kind: string }).kind).to.equal('plmbench-leaderboard');
  });
});
