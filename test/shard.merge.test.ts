import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import '../src/cli/extra-commands.js';
import { memoryIo } from '../src/cli/io.js';
import { parseShard } from '../src/model/shard-plan.js';
import { randomTransformer } from './helpers/models.js';
import { expectUserError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

/**
 * What may differ between two runs of one command: ids, times, and timings (costs' and protocols'
 * `...Seconds`, peak memory). Also, by design: the merge finds contacts' fitted regression in the
 * item cache of the shard that ran contacts, and says so (`regression.fromCache`).
 */
function stable(text: string): unknown {
  const run = JSON.parse(text, (k, v) =>
    ['createdAt', 'runId', 'timings', 'peakRssMiB'].includes(k) || /seconds$/i.test(k) ? undefined : v,
  );
  delete run.tasks?.contacts?.protocol?.regression?.fromCache;
  return run;
}

/** Paths where two JSON values differ (for a readable failure). */
function differences(x: unknown, y: unknown, path = ''): string[] {
  if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) {
    return JSON.stringify(x) === JSON.stringify(y)
      ? []
      : [`${path}: ${JSON.stringify(x)?.slice(0, 80)} vs ${JSON.stringify(y)?.slice(0, 80)}`];
  }
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].flatMap((k) => differences((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`));
}

async function bench(argv: string[]): Promise<{ code: number; err: string }> {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, err: io.err.join('') };
}

describe('sharded runs: bench all --shard i/n, bench merge', function () {
  this.timeout(600000);
  const dir = tempDir();
  const n = 3;
  let model = '';
  let common: string[] = [];
  const partials: string[] = [];
  let single = '';
  let merged = '';
  let mergeErr = '';

  before(async () => {
    model = randomTransformer('mlm', {}, dir);
    // perplexity and fold are split by batches; contacts runs whole on one shard (its features are cached per chain).
    common = ['all', '--model', model, '--tier', 'smoke', '--tasks', 'perplexity,fold,contacts', '--seed', '3', '--quiet'];
    single = join(dir, 'single.json');
    const s = await bench([...common, '--cache-dir', join(dir, 'single-cache'), '--out', single]);
    expect(s.code, s.err).to.equal(0);
    for (let i = 0; i < n; i++) {
      const out = join(dir, `partial-${i}.json`);
      const r = await bench([...common, '--cache-dir', join(dir, 'cache'), '--shard', `${i}/${n}`, '--out', out]);
      expect(r.code, r.err).to.equal(0);
      partials.push(out);
    }
    merged = join(dir, 'merged.json');
    const io = memoryIo();
    const code = await main(['merge', ...partials, '--out', merged], io);
    mergeErr = io.err.join('');
    expect(code, mergeErr).to.equal(0);
  });

  it('the merged run equals the single-process run but for ids, timestamps and timings (costs included)', () => {
    const a = readFileSync(single, 'utf8');
    const b = readFileSync(merged, 'utf8');
    expect(differences(stable(a), stable(b)), 'single vs merged').to.deep.equal([]);
    expect(stable(b)).to.deep.equal(stable(a));
    const tasks = JSON.parse(b).tasks as Record<string, { status: string; cost: { forwardPasses: number; batches: number } }>;
    expect(JSON.parse(b).tasks.contacts.protocol.regression.fromCache).to.equal(true);
    for (const t of ['perplexity', 'fold', 'contacts']) {
      expect(tasks[t]!.status, t).to.equal('ok');
      expect(tasks[t]!.cost.forwardPasses, t).to.be.greaterThan(0);
    }
    expect(mergeErr).to.match(
      /merged 3 shard\(s\) in [\d.]+ s; tokens per shard \d+, \d+, \d+ \(max\/mean [\d.]+\); every forward pass came from the shards/,
    );
  });

  it("the shards split each split task's batches without overlap and cover the single run's batches", () => {
    const ps = partials.map((p) => JSON.parse(readFileSync(p, 'utf8')));
    const run = JSON.parse(readFileSync(single, 'utf8'));
    for (const t of ['perplexity', 'fold']) {
      const ids = ps.flatMap((p) => p.work.tasks[t].covered as string[]);
      expect(new Set(ids).size, t).to.equal(ids.length);
      expect(ids.length, t).to.equal(run.tasks[t].cost.batches);
      expect(
        ps.every((p) => p.work.tasks[t].batches > 0),
        `${t}: every shard has work`,
      ).to.equal(true);
    }
    const owners = ps.map((p) => p.work.tasks.contacts.owner);
    expect(new Set(owners).size).to.equal(1);
    expect(ps.filter((p) => p.work.tasks.contacts.batches > 0).map((p) => p.shard.index)).to.deep.equal([owners[0]]);
    // Every shard plans the same split, so every shard records the same loads.
    for (const p of ps) expect(p.work.splitTokensPerShard).to.deep.equal(ps[0].work.splitTokensPerShard);
    expect(ps.map((p) => p.partial)).to.deep.equal([true, true, true]);
  });

  it('bench plan tallies the tokens each shard computes, without computing them', async () => {
    const io = memoryIo();
    const args = common.filter((a) => a !== 'all' && a !== '--quiet');
    expect(await main(['plan', ...args, '--shards', String(n), '--throughput', '1000', '--json'], io), io.err.join('')).to.equal(0);
    const plan = JSON.parse(io.out.join(''));
    const ps = partials.map((p) => JSON.parse(readFileSync(p, 'utf8')));
    const shardTokens = ps.map((p) => Object.values(p.work.tasks as Record<string, { tokens: number }>).reduce((s, r) => s + r.tokens, 0));
    expect(plan.perShard.map((s: { tokens: number }) => s.tokens)).to.deep.equal(shardTokens);
    const run = JSON.parse(readFileSync(single, 'utf8'));
    for (const t of plan.tasks) expect(t.passes, t.task).to.equal(run.tasks[t.task].cost.forwardPasses - run.tasks[t.task].cost.cached);
    expect(plan.perShard[0].seconds).to.equal(Math.round(shardTokens[0]! / 1000));
  });

  it("bench plan says that a merge-time task's passes are counted on stand-in outputs, and only then", async () => {
    const text = async (argv: string[]) => {
      const io = memoryIo();
      expect(await main(['plan', ...argv, '--tier', 'smoke', '--shards', '2', '--throughput', '1000'], io), io.err.join('')).to.equal(0);
      return io.out.join('');
    };
    const sampled = await text(['--model', 'models/plm-clm-mini.onnx', '--tasks', 'generation,perplexity']);
    expect(sampled).to.match(/^generation +merge /m);
    expect(sampled).to.include('  (generation: counted on stand-in outputs;');
    expect(await text(['--model', model, '--tasks', 'perplexity,fold'])).to.not.include('stand-in');
  });

  it('merges shards that had nothing to compute (contacts runs whole on one shard; the others still leave a cache folder)', async () => {
    const only = ['all', '--model', model, '--tier', 'smoke', '--tasks', 'contacts', '--seed', '3', '--quiet'];
    const cache = join(dir, 'cache-contacts');
    const parts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = join(dir, `contacts-partial-${i}.json`);
      const r = await bench([...only, '--cache-dir', cache, '--shard', `${i}/2`, '--out', out]);
      expect(r.code, r.err).to.equal(0);
      parts.push(out);
    }
    const idle = parts.map((p) => JSON.parse(readFileSync(p, 'utf8')) as { work: { tasks: { contacts: { tokens: number } } } });
    expect(idle.map((p) => p.work.tasks.contacts.tokens).filter((t) => t === 0)).to.have.length(1);
    const r = await bench(['merge', ...parts, '--out', join(dir, 'contacts-merged.json')]);
    expect(r.code, r.err).to.equal(0);
  });

  describe('refusals: exit 2, one line, nothing written', () => {
    const forged = (k: number, edit: (p: Record<string, unknown>) => void): string => {
      const p = JSON.parse(readFileSync(partials[k]!, 'utf8'));
      edit(p);
      const f = join(dir, `forged-${k}-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(f, JSON.stringify(p));
      return f;
    };
    const out = () => join(dir, 'refused', 'run.json');

    it('a missing shard', async () => {
      await expectUserError(['merge', partials[0]!, partials[2]!, '--out', out()], /shard\(s\) 1\/3 missing/, dir);
    });
    it('a shard given twice', async () => {
      await expectUserError(
        ['merge', partials[0]!, partials[1]!, partials[1]!, partials[2]!, '--out', out()],
        /shard 1\/3 given twice/,
        dir,
      );
    });
    it('overlapping shards', async () => {
      const other = JSON.parse(readFileSync(partials[0]!, 'utf8')).work.tasks.fold.covered[0];
      const f = forged(1, (p) => (p['work'] as { tasks: Record<string, { covered: string[] }> }).tasks['fold']!.covered.push(other));
      await expectUserError(
        ['merge', partials[0]!, f, partials[2]!, '--out', out()],
        /overlaps .*both computed batch [0-9a-f]{16} of task fold/,
      );
    });
    const differing: [string, RegExp, (p: Record<string, any>) => void][] = [
      ['model', /model differs/, (p) => (p.model.sha256 = '0'.repeat(64))],
      ['data', /data differs/, (p) => (p.data = { fold: 'f'.repeat(64) })],
      ['tier', /tier differs/, (p) => (p.tier = 'full')],
      ['seed', /seed differs/, (p) => (p.seed = 4)],
      ['options', /options differs/, (p) => (p.command.options.options = { fold: { split: 'superfamily' } })],
      ['harness version', /harness version differs/, (p) => (p.harness.version = '9.9.9')],
      ['shard count', /shard count differs/, (p) => (p.shard.count = 4)],
    ];
    for (const [what, pattern, edit] of differing) {
      it(`shards that differ in ${what}`, async () => {
        await expectUserError(['merge', partials[0]!, forged(1, edit), partials[2]!, '--out', out()], pattern);
      });
    }
    it('shards made by another harness than the merge', async () => {
      const fs = [0, 1, 2].map((k) => forged(k, (p) => ((p['harness'] as { commit: string }).commit = 'f'.repeat(40))));
      await expectUserError(['merge', ...fs, '--out', out()], /made by another plmbench/);
    });
    it('a file that is not a partial run', async () => {
      await expectUserError(['merge', single, '--out', out()], /single\.json: not a partial run/, dir);
    });
    it('--shard that is not I/N, and --shard with --no-cache', async () => {
      expect(parseShard('2/3')).to.deep.equal({ index: 2, count: 3 });
      for (const bad of ['3/3', '1', '-1/2', 'a/b', '0/0']) expect(parseShard(bad), bad).to.equal(null);
      await expectUserError([...common, '--shard', '3/3'], /--shard: must be I\/N with 0 <= I < N, got "3\/3"/, dir);
      await expectUserError([...common, '--shard', '0/2', '--no-cache'], /--shard and --no-cache conflict/, dir);
    });
  });
});
