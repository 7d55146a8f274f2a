import { expect } from 'chai';
import fs, { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { CacheStore, encodeRecords, scanSegment } from '../src/cache/store.js';
import { pruneCache, verifyCache } from '../src/cache/maintenance.js';
import { newMeter } from '../src/model/runner.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import '../src/cli/extra-commands.js';
import { loadTestModel, randomTransformer } from './helpers/models.js';
import { meanLogitSpec } from './helpers/cache-spec.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);

function segments(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(seg|open)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function recordsIn(dir: string): number {
  return segments(dir).reduce((n, f) => n + scanSegment(readFileSync(f)).records.length, 0);
}

/** Runs the forward pass over `seqs` with a fresh store on `cacheDir` (a new process, as far as the cache knows). */
async function pass(path: string, cacheDir: string, seqs: string[], batch = {}) {
  const warnings: string[] = [];
  const store = new CacheStore(cacheDir, (m) => warnings.push(m));
  const model = await loadTestModel(path, batch, store);
  const meter = newMeter();
  const values = (
    await model.metered(meter).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      meanLogitSpec(),
    )
  ).map((v) => Array.from(v));
  await model.release();
  store.close();
  return { meter, values, warnings };
}

describe('cache integrity (issue 19, item 1)', () => {
  const seqs = ['MKTAYIAKQR', 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIF', 'GSHMLEDPV', 'MKV'];

  // Offsets inside the second record of a segment of 4 records, each 44 + 16 + 16 bytes (float64 x 2).
  const RECORD = 44 + 16 + 16;
  const damages: [string, (b: Buffer) => void][] = [
    ['values halved', (b) => b.writeDoubleLE(b.readDoubleLE(RECORD + 44) / 2, RECORD + 44)],
    ['one bit of a value flipped', (b) => void (b[RECORD + 50]! ^= 0x01)],
    ['one bit of the key flipped', (b) => void (b[RECORD + 20]! ^= 0x10)],
    ['dtype changed', (b) => void (b[RECORD + 4] = 1)],
    ['count changed', (b) => b.writeUInt32LE(1, RECORD + 8)],
    ['count made huge', (b) => b.writeUInt32LE(0xffffff, RECORD + 8)],
    ['values made NaN', (b) => b.writeDoubleLE(NaN, RECORD + 44)],
    ['magic damaged', (b) => void (b[RECORD] = 0)],
  ];

  it('a damaged record is dropped, recomputed, counted as cacheRepaired with one warning, and repaired on disk', async () => {
    const dir = tempDir();
    const path = randomTransformer('mlm', {}, dir);
    const clean = await pass(path, join(dir, 'clean'), seqs, { maxBatch: 4, maxTokens: 4096 });
    const [seg] = segments(join(dir, 'clean'));
    expect(segments(join(dir, 'clean'))).to.have.length(1);
    const bytes = readFileSync(seg!);
    expect(bytes.length).to.equal(4 * RECORD);
    for (const [what, damage] of damages) {
      const cacheDir = join(dir, what.replace(/\W/g, '-'));
      const target = join(cacheDir, seg!.slice(join(dir, 'clean').length));
      mkdirSync(join(target, '..'), { recursive: true });
      const bad = Buffer.from(bytes);
      damage(bad);
      writeFileSync(target, bad);
      const r = await pass(path, cacheDir, seqs);
      expect(r.values, what).to.deep.equal(clean.values);
      expect(r.meter.cached, what).to.equal(3);
      expect(r.meter.cacheRepaired, what).to.equal(1);
      expect(r.warnings, what).to.have.length(1);
      expect(r.warnings[0], what).to.match(/1 damaged record\(s\) dropped/);
      // The sealed segment was rewritten without the bad record; the recomputed one is in this run's segment.
      const again = await pass(path, cacheDir, seqs);
      expect([again.meter.cached, again.meter.cacheRepaired, again.warnings.length], what).to.deep.equal([4, undefined, 0]);
      expect(verifyCache(cacheDir).damaged, what).to.equal(0);
    }
  });

  it('every single-bit flip of a record is detected, and never yields a wrong value', () => {
    const key = 'ab'.repeat(32);
    const other = 'cd'.repeat(32);
    const buf = encodeRecords([
      { key, value: Float64Array.of(1.5, -2.25) },
      { key: other, value: Float32Array.of(3, 4, 5) },
    ]);
    const first = 44 + 16 + 16;
    for (let bit = 0; bit < first * 8; bit++) {
      const b = Buffer.from(buf);
      b[bit >> 3]! ^= 1 << (bit & 7);
      const scan = scanSegment(b);
      expect(scan.damaged, `bit ${bit}`).to.be.greaterThan(0);
      expect(
        scan.records.map((r) => r.key),
        `bit ${bit}`,
      ).to.deep.equal([other]);
      expect(Array.from(scan.records[0]!.value)).to.deep.equal([3, 4, 5]);
    }
  });

  it('values that are not finite are never stored', () => {
    const dir = tempDir();
    const a = new CacheStore(dir);
    a.shard('ns', 'f'.repeat(64)).putMany([
      { key: '1'.repeat(64), value: Float64Array.of(1, NaN) },
      { key: '2'.repeat(64), value: Float32Array.of(Infinity) },
      { key: '3'.repeat(64), value: Float32Array.of(7) },
    ]);
    a.close();
    const b = new CacheStore(dir).shard('ns', 'f'.repeat(64));
    expect([b.get('1'.repeat(64)), b.get('2'.repeat(64)), Array.from(b.get('3'.repeat(64)) ?? [])]).to.deep.equal([
      undefined,
      undefined,
      [7],
    ]);
  });

  it('reads open every file read-only; a cache that cannot be written is used read-only with one warning', async () => {
    const dir = tempDir();
    const path = randomTransformer('clm', {}, dir);
    const cacheDir = join(dir, 'cache');
    const first = await pass(path, cacheDir, seqs.slice(0, 2));
    const opens: { path: string; flags: string }[] = [];
    const original = fs.openSync;
    fs.openSync = ((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
      opens.push({ path: String(p), flags: String(flags ?? 'r') });
      // As for an unprivileged user whose cache is readable but not writable.
      if (String(p).startsWith(cacheDir) && String(flags) !== 'r')
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return original(p, flags ?? 'r', mode);
    }) as typeof fs.openSync;
    syncBuiltinESMExports();
    let r: Awaited<ReturnType<typeof pass>>;
    try {
      r = await pass(path, cacheDir, seqs);
    } finally {
      fs.openSync = original;
      syncBuiltinESMExports();
    }
    const cacheOpens = opens.filter((o) => o.path.startsWith(cacheDir));
    expect(cacheOpens.filter((o) => o.flags === 'r').length).to.be.greaterThan(0);
    expect(cacheOpens.filter((o) => o.flags !== 'r').map((o) => o.flags)).to.deep.equal(['ax']); // one attempt to write, refused
    expect(r.values.slice(0, 2)).to.deep.equal(first.values);
    expect([r.meter.cached, r.meter.forwardPasses]).to.deep.equal([2, 4]);
    expect(r.warnings).to.have.length(1);
    expect(r.warnings[0]).to.match(/not writable \(EACCES\); this run's results are not cached/);
  });

  // "No forward pass done twice" under concurrency: a pass that any writer published before another
  // writer starts a batch is served from the cache, not recomputed; each writer stores a key at most
  // once; so the records on disk never exceed the keys plus the passes computed at the same moment.
  it('a pass another writer has published is not recomputed, and each writer stores a key once', async () => {
    const dir = tempDir();
    const path = randomTransformer('mlm', {}, dir);
    const cacheDir = join(dir, 'cache');
    const many = Array.from({ length: 16 }, (_, i) => seqs[i % 4]!.slice(0, 3 + i) + 'ACDEFGHIK'.slice(0, i % 9));
    const solo = await pass(path, join(dir, 'solo'), many, { maxBatch: 1 });
    // Writer B opens its store before A has written anything, then reads what A published since.
    const storeB = new CacheStore(cacheDir);
    const modelB = await loadTestModel(path, { maxBatch: 1 }, storeB);
    const a = await pass(path, cacheDir, many.slice(0, 8), { maxBatch: 1 });
    expect(a.meter.cached).to.equal(0);
    const mB = newMeter();
    const valuesB = (
      await modelB.metered(mB).forward(
        many.map((s) => ({ tokens: modelB.encode(s) })),
        meanLogitSpec(),
      )
    ).map((v) => Array.from(v));
    await modelB.release();
    storeB.close();
    expect(valuesB).to.deep.equal(solo.values);
    expect(mB.cached).to.equal(8);
    expect(recordsIn(cacheDir)).to.equal(16);
    // Two writers at the same time, in one process: each takes the batches in its own order.
    const both = join(dir, 'both');
    const [x, y] = await Promise.all([pass(path, both, many, { maxBatch: 1 }), pass(path, both, many, { maxBatch: 1 })]);
    expect(x.values).to.deep.equal(solo.values);
    expect(y.values).to.deep.equal(solo.values);
    const computed = 32 - x.meter.cached - y.meter.cached;
    expect(recordsIn(both)).to.equal(computed);
    expect(computed).to.be.lessThan(32); // not every pass twice, as writers in lockstep would do
    for (const f of segments(both)) {
      const keys = scanSegment(readFileSync(f)).records.map((r) => r.key);
      expect(new Set(keys).size).to.equal(keys.length);
    }
  });

  it('three concurrent processes share one cache without multiplying it', async function () {
    this.timeout(180000);
    const dir = tempDir();
    const path = randomTransformer('mlm', {}, dir);
    const cacheDir = join(dir, 'cache');
    const many = Array.from(
      { length: 60 },
      (_, i) => 'MKTAYIAKQRQISFVKSHFSRQ'.slice(i % 7, 8 + (i % 13)) + 'ACDEFGHIKLMNPQRSTVWY'.slice(0, i % 20),
    );
    const keys = new Set(many).size;
    const child = () =>
      run(process.execPath, ['--import', 'tsx', 'test/helpers/cache-writer.ts', path, cacheDir, many.join(',')], { maxBuffer: 1 << 24 });
    const outs = (await Promise.all([child(), child(), child()])).map(
      (o) => JSON.parse(o.stdout) as { meter: { cached: number }; values: number[][] },
    );
    expect(outs[1]!.values).to.deep.equal(outs[0]!.values);
    expect(outs[2]!.values).to.deep.equal(outs[0]!.values);
    const s = verifyCache(cacheDir);
    expect(s.keys).to.equal(keys);
    expect(s.damaged).to.equal(0);
    expect(s.records).to.be.lessThan(2 * keys); // the old cache held ~3x the keys after three runs
    const computed = outs.reduce((n, o) => n + (60 - o.meter.cached), 0);
    expect(s.records).to.be.at.most(computed);
  });

  it('bench cache verify finds damage (exit 1); prune compacts, drops it and old-format files (then verify exits 0)', async () => {
    const dir = tempDir();
    const path = randomTransformer('mlm', {}, dir);
    const cacheDir = join(dir, 'cache');
    await pass(path, cacheDir, seqs.slice(0, 2), { maxBatch: 1 });
    await pass(path, cacheDir, seqs, { maxBatch: 1 });
    const segs = segments(cacheDir);
    expect(segs).to.have.length(2);
    const b = readFileSync(segs[0]!);
    b[50]! ^= 4;
    writeFileSync(segs[0]!, b);
    mkdirSync(join(cacheDir, '0123456789abcdef'), { recursive: true });
    writeFileSync(join(cacheDir, '0123456789abcdef', `${'a'.repeat(32)}.log`), 'old format');
    let io = memoryIo();
    expect(await main(['cache', 'verify', '--cache-dir', cacheDir], io)).to.equal(1);
    expect(io.out.join('')).to.match(/1 damaged, 1 old-format file/);
    io = memoryIo();
    expect(await main(['cache', 'prune', '--cache-dir', cacheDir], io), io.err.join('')).to.equal(0);
    expect(segments(cacheDir)).to.have.length(1);
    const after = verifyCache(cacheDir);
    expect([after.records, after.keys, after.damaged, after.duplicates, after.legacyFiles]).to.deep.equal([3, 3, 0, 0, 0]); // the damaged one is gone (the next run recomputes it)
    io = memoryIo();
    expect(await main(['cache', 'verify', '--cache-dir', cacheDir], io)).to.equal(0);
    expect(pruneCache(cacheDir).removedFiles).to.equal(0); // already compact
    io = memoryIo();
    expect(await main(['cache', 'frobnicate'], io)).to.equal(2);
  });
});
