import { expect } from 'chai';
import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CacheStore } from '../src/cache/store.js';
import { newMeter } from '../src/model/runner.js';
import { randomTransformer, loadTestModel } from './helpers/models.js';
import { loadModel } from '../src/model/model.js';
import { tempDir } from './helpers/tmp.js';

function shardFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe('forward cache', () => {
  const seqs = ['MKTAYIAKQR', 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIF', 'GSHMLEDPV', 'MKV'];
  const spec = (reducer = 'test.mean-logit.v1') => ({
    outputs: ['logits' as const],
    reducer,
    reduce: (o: { length: number; outputs: { logits?: { data: Float32Array; dims: number[] } } }) => {
      const V = o.outputs.logits!.dims[1]!;
      let s = 0;
      for (let i = 0; i < o.length * V; i++) s += o.outputs.logits!.data[i]!;
      return Float64Array.of(s / (o.length * V), o.length);
    },
  });

  it('a rerun does no forward pass; an interrupted run resumes where it stopped', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const path = randomTransformer('mlm', {}, dir);
    // First run: only half of the sequences (as if interrupted after the first batches).
    let model = await loadTestModel(path, { maxTokens: 64 }, new CacheStore(cacheDir));
    const m1 = newMeter();
    const first = await model.metered(m1).forward(
      seqs.slice(0, 2).map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    await model.release();
    expect([m1.forwardPasses, m1.cached]).to.deep.equal([2, 0]);
    // A new process: the cache is read back from disk.
    model = await loadTestModel(path, { maxTokens: 64 }, new CacheStore(cacheDir));
    const m2 = newMeter();
    const all = await model.metered(m2).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    expect([m2.forwardPasses, m2.cached]).to.deep.equal([4, 2]);
    expect(Array.from(all[0]!)).to.deep.equal(Array.from(first[0]!));
    const m3 = newMeter();
    await model.metered(m3).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    expect([m3.forwardPasses, m3.cached, m3.batches]).to.deep.equal([4, 4, 0]);
    // A different reducer id is a different entry.
    const m4 = newMeter();
    await model.metered(m4).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec('test.other.v1'),
    );
    expect(m4.cached).to.equal(0);
    await model.release();
  });

  it('cuts off a torn last record and keeps the good ones', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const path = randomTransformer('clm', {}, dir);
    const store = new CacheStore(cacheDir);
    let model = await loadTestModel(path, {}, store);
    await model.forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    await model.release();
    store.close(); // sealed: a cut-short record there is damage, not a write in progress
    const [file] = shardFiles(cacheDir);
    const size = statSync(file!).size;
    appendFileSync(file!, Buffer.alloc(20, 7)); // a half-written record
    model = await loadTestModel(path, {}, new CacheStore(cacheDir));
    const m = newMeter();
    await model.metered(m).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    expect(m.cached).to.equal(4);
    await model.release();
    expect(statSync(file!).size).to.equal(size);
  });

  it('keys by model: another model never sees these entries', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const a = randomTransformer('mlm', { seed: 1 }, dir);
    const b = randomTransformer('mlm', { seed: 2 }, dir);
    let model = await loadTestModel(a, {}, new CacheStore(cacheDir));
    await model.forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    await model.release();
    model = await loadTestModel(b, {}, new CacheStore(cacheDir));
    const m = newMeter();
    await model.metered(m).forward(
      seqs.map((s) => ({ tokens: model.encode(s) })),
      spec(),
    );
    expect(m.cached).to.equal(0);
    await model.release();
  });

  // Regression: the key once ignored the card, so fixing a card (I/O map, vocabulary, length) and
  // rerunning served the old card's results under the new card.
  it('keys by the card fields that change outputs: a fixed card is a cache miss', async () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const path = randomTransformer('mlm', { maxLength: 128 }, dir);
    const run = async (cardFlags: Record<string, unknown>) => {
      const model = await loadModel(path, { ep: 'cpu', cache: new CacheStore(cacheDir), cardFlags });
      const m = newMeter();
      await model.metered(m).forward(
        seqs.map((s) => ({ tokens: model.encode(s) })),
        spec(),
      );
      await model.release();
      return m.cached;
    };
    expect(await run({})).to.equal(0);
    expect(await run({})).to.equal(4);
    expect(await run({ maxLength: 100 })).to.equal(0);
    expect(await run({ id: 'renamed' })).to.equal(4); // the id does not change what is computed
  });
});
