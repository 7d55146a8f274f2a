/**
 * Peak RSS of `bench run fitness` against the number of assays, on ProteinGym-sized folders made of the six real
 * bundled assays (ProteinGym's bytes, decompressed) copied under new names until the folder holds N assays.
 *
 *   node --import tsx test/perf/fitness-rss.ts [--counts 12,54,217] [--bench bin/bench.js] [--model models/plm-mlm-mini.onnx] [--out FILE.json]
 *
 * Each count runs in its own process (`bench run fitness --tier full`, a fresh cache folder per run, so the first
 * copy of each assay computes its forward passes and the later copies, with the same wild type, are served from the
 * cache: the run's time goes to reading, checking and scoring the assays, which is what grows with N). The copies
 * are not listed in ProteinGym's reference file, so their wild types are reconstructed from the mutants.
 * `--bench` points at another checkout's bin/bench.js to measure other code on the same folders.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../src/util/paths.js';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '12,54,217' },
    bench: { type: 'string', default: join(packageRoot, 'bin', 'bench.js') },
    model: { type: 'string', default: join(packageRoot, 'models', 'plm-mlm-mini.onnx') },
    out: { type: 'string' },
  },
});
const DMS = join(packageRoot, 'tasks/fitness/data/dms');
const IDS = readdirSync(DMS)
  .filter((f) => f.endsWith('.csv.gz'))
  .map((f) => f.slice(0, -'.csv.gz'.length))
  .sort();
const work = mkdtempSync(join(tmpdir(), 'plmbench-fitness-rss-'));
const bytes = IDS.map((id) => gunzipSync(readFileSync(join(DMS, `${id}.csv.gz`))));

function folder(n: number): { dir: string; variants: number } {
  const dir = join(work, `assays-${n}`);
  mkdirSync(dir, { recursive: true });
  let variants = 0;
  for (let k = 0; k < n; k++) {
    const i = k % IDS.length;
    writeFileSync(join(dir, `${IDS[i]}_copy${String(Math.floor(k / IDS.length)).padStart(3, '0')}.csv`), bytes[i]!);
    variants += bytes[i]!.toString('utf8').trimEnd().split('\n').length - 1;
  }
  return { dir, variants };
}

const rows: Record<string, unknown>[] = [];
for (const n of values.counts.split(',').map(Number)) {
  const { dir, variants } = folder(n);
  const out = join(work, `run-${n}.json`);
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      resolve(values.bench),
      'run',
      'fitness',
      '--model',
      resolve(values.model),
      '--tier',
      'full',
      '--ep',
      'cpu',
      '--cache-dir',
      join(work, `cache-${n}`),
      '--quiet',
      '--data',
      `fitness=${dir}`,
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`bench run fitness on ${n} assays failed (${r.status}): ${r.stderr}`);
  const t = JSON.parse(readFileSync(out, 'utf8')).tasks.fitness;
  rows.push({
    assays: n,
    variants,
    peakRssMiB: t.cost.peakRssMiB,
    taskSeconds: t.cost.seconds,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
    forwardPasses: t.cost.forwardPasses,
    cached: t.cost.cached ?? 0,
    loadAverage1m: Math.round(load * 100) / 100,
    spearman: t.metrics.spearman.value,
  });
  process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
  rmSync(dir, { recursive: true, force: true });
}
const report = { bench: values.bench, model: values.model, date: new Date().toISOString(), rows };
if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 1)}\n`);
else process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
rmSync(work, { recursive: true, force: true });
