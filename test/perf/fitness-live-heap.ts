/**
 * What the fitness task holds while it runs, against the number of assays: the largest live JS heap plus array
 * buffers (typed arrays' backing stores, where the assays' columns live), sampled after a forced GC every 200 ms,
 * and the process's peak RSS. Folders as in fitness-rss.ts (copies of the six bundled assays under new names);
 * the known-answer model of test/golden/fitness (logits from a table, no transformer), so the figures are the
 * task's own memory, not the runtime's.
 *
 *   node --expose-gc --import tsx test/perf/fitness-live-heap.ts N
 *
 * One count per process (peak RSS is per process); prints one JSON line.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/util/paths.js';
import { loadTestModel, siteIndependentModel } from '../helpers/models.js';
import { GOLDEN, runFitness } from '../golden/fitness/fixtures.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const n = Number(process.argv[2]);
if (!Number.isInteger(n) || n < 1) throw new Error('usage: fitness-live-heap.ts N (assays)');
const DMS = join(packageRoot, 'tasks/fitness/data/dms');
const files = readdirSync(DMS)
  .filter((f) => f.endsWith('.csv.gz'))
  .sort();
const dir = mkdtempSync(join(tmpdir(), 'plmbench-fitness-heap-'));
mkdirSync(dir, { recursive: true });
let variants = 0;
for (let k = 0; k < n; k++) {
  const bytes = gunzipSync(readFileSync(join(DMS, files[k % files.length]!)));
  variants += bytes.toString('utf8').trimEnd().split('\n').length - 1;
  writeFileSync(join(dir, `COPY${String(k).padStart(3, '0')}_${files[k % files.length]!.replace(/\.gz$/, '')}`), bytes);
}
const m = siteIndependentModel('mlm', { maxLength: GOLDEN.model.maxLength, seed: GOLDEN.model.seed, scale: GOLDEN.model.scale });
const model = await loadTestModel(m.path);
const live = () => {
  gc();
  const u = process.memoryUsage();
  return (u.heapUsed + u.arrayBuffers) / 1048576;
};
const before = live();
let maxLive = before;
const timer = setInterval(() => (maxLive = Math.max(maxLive, live())), 200);
const { outcome } = await runFitness(model, { dataPath: dir, tier: 'full' });
clearInterval(timer);
const r1 = (x: number) => Math.round(x * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    assays: outcome.items.length,
    variants,
    liveBeforeMiB: r1(before),
    maxLiveMiB: r1(maxLive),
    liveAfterMiB: r1(live()),
    peakRssMiB: r1(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
rmSync(dir, { recursive: true, force: true });
