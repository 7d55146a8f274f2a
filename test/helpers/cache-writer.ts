// One writer of a shared cache, run as its own process by test/cache.integrity.test.ts:
// argv: model path, cache dir, sequences (comma-separated). Prints its meter and values as JSON.
import { CacheStore } from '../../src/cache/store.js';
import { loadModel } from '../../src/model/model.js';
import { newMeter } from '../../src/model/runner.js';
import { meanLogitSpec } from './cache-spec.js';

const [path, cacheDir, seqs] = process.argv.slice(2) as [string, string, string];
const cache = new CacheStore(cacheDir);
const model = await loadModel(path, { ep: 'cpu', cache, batch: { maxBatch: 1 } });
const meter = newMeter();
const out = await model.metered(meter).forward(
  seqs.split(',').map((s) => ({ tokens: model.encode(s) })),
  meanLogitSpec(),
);
await model.release();
cache.close();
process.stdout.write(JSON.stringify({ meter, values: out.map((v) => Array.from(v)) }));
