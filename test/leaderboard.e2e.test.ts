import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { schemaErrors } from '../src/util/schema.js';
import { randomTransformer, siteIndependentModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

describe('leaderboard: end to end from real runs of fixture models', function () {
  this.timeout(120000);
  const dir = tempDir();

  it('bench all on three models, then bench leaderboard: valid, ranked by perplexity (lower first)', async () => {
    const models = [
      randomTransformer('clm', { layers: 1, dim: 16, heads: 2, seed: 11 }, join(dir, 'a')),
      randomTransformer('clm', { layers: 1, dim: 16, heads: 2, seed: 12, weightScale: 3 }, join(dir, 'b')),
      siteIndependentModel('clm', { dir: join(dir, 'c'), maxLength: 128 }).path,
    ];
    const outs: string[] = [];
    for (const [i, m] of models.entries()) {
      const out = join(dir, `run${i}.json`);
      const io = memoryIo();
      expect(
        await main(
          ['all', '--model', m, '--tasks', 'perplexity', '--tier', 'smoke', '--ep', 'cpu', '--no-cache', '--quiet', '--out', out],
          io,
        ),
        io.err.join(''),
      ).to.equal(0);
      outs.push(out);
    }
    const lb = join(dir, 'leaderboard.json');
    const io = memoryIo();
    expect(await main(['leaderboard', ...outs, '--out', lb], io)).to.equal(0);
    const board = JSON.parse(readFileSync(lb, 'utf8')) as {
      tasks: Record<string, { tables: { rankings: { metric: string; order: { id: string; value: number; rank: number }[] }[] }[] }>;
      entries: { id: string; compute: { flops: number | null; reason?: string }; nOverNopt: number | null }[];
    };
    expect(schemaErrors('leaderboard', board)).to.deep.equal([]);
    const order = board.tasks['perplexity']!.tables[0]!.rankings[0]!.order;
    expect(order).to.have.length(3);
    for (let i = 1; i < order.length; i++) {
      // rank groups first (an entry of a later group is never listed above one of an earlier group), values within a group
      expect(order[i]!.rank).to.be.at.least(order[i - 1]!.rank);
      if (order[i]!.rank === order[i - 1]!.rank) expect(order[i]!.value).to.be.at.least(order[i - 1]!.value);
    }
    const [rand1, rand2, site] = [
      board.entries.find((e) => e.id === 'rand-clm-11')!,
      board.entries.find((e) => e.id === 'rand-clm-12')!,
      board.entries.find((e) => e.id.startsWith('site-independent'))!,
    ];
    for (const e of [rand1, rand2])
      expect(e.compute.flops).to.equal(6 * 1e6 * (e as unknown as { model: { card: { params: number } } }).model.card.params);
    expect(site.compute.flops).to.equal(null); // no params on its card and no non-embedding tensors in its graph
    expect(site.nOverNopt).to.equal(null);
    expect(io.err.join('')).to.match(
      /perplexity \(v[\d.]+, smoke\) — perplexity \(lower is better; entries sharing a rank have overlapping 95% intervals/,
    );
  });
});
