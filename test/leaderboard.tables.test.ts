import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import type { Leaderboard } from '../src/report/leaderboard.js';
import { tempDir } from './helpers/tmp.js';
import { DATA_B, writeRun } from './golden/scaling/runs.js';
import { causalC, maskedA } from './golden/scaling/leaderboard-fixtures.js';

// Runs whose results of a task cannot be ranked together are ranked in separate tables of that task,
// each saying what keeps it apart; the other tasks still rank every run together. Only two runs of one
// model id (and unreadable files) are refused.
async function leaderboard(...files: string[]): Promise<{ code: number; err: string; board: Leaderboard | null }> {
  const io = memoryIo();
  const out = join(tempDir(), 'lb.json');
  const code = await main(['leaderboard', ...files, '--out', out], io);
  return { code, err: io.err.join(''), board: code === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as Leaderboard) : null };
}

function tableIds(board: Leaderboard, task: string): string[][] {
  return board.tasks[task]!.tables.map((t) => t.ids);
}

describe('leaderboard: runs it cannot rank together are ranked in separate tables, not refused', () => {
  const dir = tempDir();
  const a = writeRun(dir, 'a', maskedA());

  it('different task versions: that task in two tables (why: the versions), the other task in one', async () => {
    const c = causalC();
    c.tasks['fitness']!.version = '2.0.0';
    const r = await leaderboard(a, writeRun(dir, 'c-version', c));
    expect(r.code, r.err).to.equal(0);
    expect(tableIds(r.board!, 'fitness')).to.deep.equal([['causal-c'], ['masked-a']]);
    expect(r.board!.tasks['fitness']!.tables.map((t) => t.version)).to.deep.equal(['2.0.0', '1.0.0']);
    expect(r.board!.tasks['fitness']!.tables[1]!.apart).to.deep.equal([{ table: 1, check: 'version', detail: 'version 2.0.0 vs 1.0.0' }]);
    expect(tableIds(r.board!, 'perplexity')).to.deep.equal([['causal-c', 'masked-a']]);
    const entry = r.board!.entries.find((e) => e.id === 'masked-a')!;
    expect(entry.tasks['fitness']).to.include({ table: 2, rank: 1 });
    expect(r.err).to.match(/fitness \(v1\.0\.0, smoke, table 2 of 2\) — spearman/);
    expect(r.err).to.match(/RANKED APART from table 1: version 2\.0\.0 vs 1\.0\.0/);
  });

  it('different data hashes', async () => {
    const c = causalC();
    (c.tasks['perplexity'] as { data: unknown }).data = [DATA_B];
    const r = await leaderboard(a, writeRun(dir, 'c-data', c));
    expect(r.code, r.err).to.equal(0);
    expect(tableIds(r.board!, 'perplexity')).to.deep.equal([['causal-c'], ['masked-a']]);
    expect(r.board!.tasks['perplexity']!.tables[1]!.apart[0]!.check).to.equal('data');
    expect(r.board!.tasks['perplexity']!.tables[1]!.apart[0]!.detail).to.match(
      /data files differ: data\/b\.csv \(sha256 [0-9a-f]{12}, 10 rows\) vs data\/a\.csv/,
    );
    expect(tableIds(r.board!, 'fitness')).to.deep.equal([['causal-c', 'masked-a']]);
  });

  it('different tiers or task options: every task apart for the tier, only the optioned task for an option', async () => {
    const tier = await leaderboard(a, writeRun(dir, 'c-tier', causalC({ tier: 'full' })));
    expect(tier.code, tier.err).to.equal(0);
    for (const task of ['fitness', 'perplexity']) {
      expect(tableIds(tier.board!, task)).to.have.length(2);
      expect(tier.board!.tasks[task]!.tables[1]!.apart[0]!.detail).to.match(/^tier (full vs smoke|smoke vs full)$/);
    }
    const opt = await leaderboard(a, writeRun(dir, 'c-opt', causalC({ options: { fitness: { scoring: 'wt-marginals' } } })));
    expect(opt.code, opt.err).to.equal(0);
    expect(tableIds(opt.board!, 'fitness')).to.deep.equal([['causal-c'], ['masked-a']]);
    expect(opt.board!.tasks['fitness']!.tables[1]!.apart[0]!.detail).to.equal('options {"scoring":"wt-marginals"} vs {}');
    expect(tableIds(opt.board!, 'perplexity')).to.deep.equal([['causal-c', 'masked-a']]);
  });

  it('a larger group of agreeing runs is table 1 whatever the ids', async () => {
    const c = causalC();
    c.tasks['fitness']!.version = '2.0.0';
    const b = writeRun(
      dir,
      'b',
      (() => {
        const x = maskedA();
        (x.model.card as { id: string }).id = 'masked-z';
        return x;
      })(),
    );
    const r = await leaderboard(a, b, writeRun(dir, 'c-version2', c));
    expect(tableIds(r.board!, 'fitness')).to.deep.equal([['masked-a', 'masked-z'], ['causal-c']]);
  });

  it('refuses two runs of one model id, and an invalid file (exit 2, one line)', async () => {
    const twice = await leaderboard(a, writeRun(dir, 'a2', maskedA()));
    expect(twice.code).to.equal(2);
    expect(twice.err).to.match(/two runs of model id "masked-a"/);
    expect(twice.err.trim().split('\n')).to.have.length(1);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, 'not json');
    const r = await leaderboard(a, bad);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/bad\.json: not valid JSON/);
  });

  it('runs that agree share one table per task with no reason to be apart', async () => {
    const r = await leaderboard(a, writeRun(dir, 'c-ok', causalC()));
    expect(r.code).to.equal(0);
    for (const task of ['fitness', 'perplexity']) {
      expect(r.board!.tasks[task]!.tables).to.have.length(1);
      expect(r.board!.tasks[task]!.tables[0]!.apart).to.deep.equal([]);
    }
    expect(r.err).to.not.match(/RANKED APART/);
  });
});
