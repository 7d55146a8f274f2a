import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { schemaErrors } from '../src/util/schema.js';
import { tempDir } from './helpers/tmp.js';
import { items, syntheticRun, writeRun } from './golden/scaling/runs.js';

const fitness = (base: number, version = '1.0.0') => ({
  fitness: { version, headline: 'spearman', directions: { spearman: true }, items: items(8, (i) => ({ spearman: base + 0.01 * i })) },
});

describe('scaling: bench baseline add / list / remove, and registered runs in matched compute', () => {
  const dir = tempDir();
  const store = join(dir, 'registered.json');
  const run = (args: string[]) => {
    const io = memoryIo(dir);
    return main(['baseline', ...args, '--registry', store], io).then((code) => ({ code, out: io.out.join(''), err: io.err.join('') }));
  };

  it("registers a run of a registry model with the registry's compute, and lists it", async () => {
    writeRun(dir, 'esm8', syntheticRun({ id: 'esm2-8m', objective: 'mlm', params: 7.5e6, trainTokens: 1e12, tasks: fitness(0.2) }));
    writeRun(dir, 'esm35', syntheticRun({ id: 'esm2-35m', objective: 'mlm', params: 3.3e7, trainTokens: 1e12, tasks: fitness(0.3) }));
    expect((await run(['add', 'esm8.json'])).code).to.equal(0);
    const r = await run(['add', 'esm35.json']);
    expect(r.err).to.match(/registered esm2-35m \(esm2, mlm, C = 2\.009e20 FLOPs from the registry/);
    const saved = JSON.parse(readFileSync(store, 'utf8')) as { runs: { id: string }[] };
    expect(schemaErrors('baseline-runs', saved)).to.deep.equal([]);
    expect(saved.runs.map((x) => x.id)).to.deep.equal(['esm2-35m', 'esm2-8m']);
    expect((await run(['list'])).out).to.match(/2 registered baseline run\(s\)[\s\S]*esm2-8m\s+esm2\s+mlm\s+4\.501e19\s+registry/);
  });

  it('refuses a duplicate without --replace, an unknown id without --family, a family of the other objective', async () => {
    expect((await run(['add', 'esm8.json'])).err).to.match(/already registered.*--replace/);
    expect((await run(['add', 'esm8.json', '--replace'])).code).to.equal(0);
    writeRun(dir, 'mine', syntheticRun({ id: 'my-mlm', objective: 'mlm', params: 1e6, trainTokens: 1e9, tasks: fitness(0.1) }));
    expect((await run(['add', 'mine.json'])).err).to.match(/not a registry model .* give --family/);
    expect((await run(['add', 'mine.json', '--family', 'progen2'])).err).to.match(/a clm family/);
    const ok = await run(['add', 'mine.json', '--family', 'my-family']);
    expect(ok.err).to.match(/registered my-mlm \(my-family, mlm, C = 6\.000e15 FLOPs from the card/);
    expect((await run(['remove', 'my-mlm'])).code).to.equal(0);
    expect((await run(['remove', 'my-mlm'])).err).to.match(/no registered baseline "my-mlm"/);
  });

  it('the leaderboard uses registered runs as same-data baselines when task version and data match', async () => {
    writeRun(dir, 'model', syntheticRun({ id: 'new-model', objective: 'mlm', params: 2e7, trainTokens: 1e12 * 0.5, tasks: fitness(0.28) }));
    const io = memoryIo(dir);
    expect(await main(['leaderboard', 'model.json', '--registry', store, '--quiet'], io)).to.equal(0);
    const board = JSON.parse(io.out.join('')) as {
      curves: Record<string, { points: { id: string }[] }>;
      entries: { matchedCompute: { comparisons: { family: string; origin: string; kind: string; interval: string; curveId: string }[] } }[];
    };
    const c = board.entries[0]!.matchedCompute.comparisons.find((x) => x.family === 'esm2')!;
    expect(c).to.include({ origin: 'registered', kind: 'same-data', interval: 'paired-bootstrap-items' });
    expect(board.curves[c.curveId]!.points.map((p) => p.id)).to.deep.equal(['esm2-8m', 'esm2-35m']); // curves stored once per leaderboard
  });

  it('a registered run of another task version is not same-data: the leaderboard says why', async () => {
    writeRun(
      dir,
      'model2',
      syntheticRun({ id: 'new-model', objective: 'mlm', params: 2e7, trainTokens: 5e11, tasks: fitness(0.28, '2.0.0') }),
    );
    const io = memoryIo(dir);
    expect(await main(['leaderboard', 'model2.json', '--registry', store, '--quiet'], io)).to.equal(0);
    const board = JSON.parse(io.out.join('')) as {
      entries: { matchedCompute: { notes: string[]; comparisons: { family: string; origin: string }[] } }[];
    };
    expect(board.entries[0]!.matchedCompute.notes.join('\n')).to.match(/esm2-8m has fitness version 1\.0\.0, this run 2\.0\.0/);
    expect(board.entries[0]!.matchedCompute.comparisons.find((x) => x.family === 'esm2')!.origin).to.equal('registry');
  });
});
