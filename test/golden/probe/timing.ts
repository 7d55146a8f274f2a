/**
 * Timings of the probes at the sizes the tasks need (not a test: minutes at full size). Run as
 *
 *   npx tsx test/golden/probe/timing.ts <scenario> [scale]
 *
 * scenarios: fold-eval, fold, ss8, ss3, contacts120, contacts660, ridge; `scale` (default 1) multiplies the
 * number of rows. Data are synthetic (seeded): Gaussian class clusters for the classifiers, attention-like
 * non-negative features with ~5% positives for contacts. Prints one JSON line per run, with the load average.
 */
import { loadavg } from 'node:os';
import { Rng } from '../../../src/util/rng.js';
import {
  accuracy,
  fitL1Binary,
  fitMultinomial,
  fitRidge,
  fitStandardizer,
  applyStandardizer,
  multinomialObjective,
  type Matrix64,
} from '../../../src/probe/index.js';

function clusters(rng: Rng, n: number, d: number, K: number, spread: number): { x: Matrix64; y: Int32Array } {
  const means = Float64Array.from({ length: K * d }, () => spread * rng.normal());
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(K);
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = means[c * d + j]! + rng.normal() * (1 + (j % 3));
  }
  return { x: { data: x, rows: n, cols: d }, y };
}

function report(o: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...o, load1: Number(loadavg()[0]!.toFixed(2)) }));
}

const scenario = process.argv[2] ?? 'fold-eval';
const scale = Number(process.argv[3] ?? 1);
const rng = new Rng(`probe-timing/${scenario}`);

function classify(n: number, d: number, K: number, spread: number, C: number): void {
  const train = clusters(rng, Math.round(n * scale), d, K, spread);
  const t0 = performance.now();
  const m = fitMultinomial(train.x, train.y, { C, standardize: true });
  const s = (performance.now() - t0) / 1000;
  report({
    scenario,
    n: train.x.rows,
    d,
    K,
    C,
    seconds: +s.toFixed(1),
    perEval: +(s / m.report.evaluations).toFixed(3),
    ...m.report,
    trainAccuracy: accuracy(m, train.x, train.y),
  });
}

switch (scenario) {
  case 'fold-eval': {
    // one objective + gradient evaluation at the fold-classification size
    const n = Math.round(10000 * scale);
    const { x, y } = clusters(rng, n, 320, 1200, 0.5);
    const xs = applyStandardizer(fitStandardizer(x), x);
    const fg = multinomialObjective(xs, y, 1200, 0.01);
    const theta = Float64Array.from({ length: 1200 * 321 }, () => 0.01 * rng.normal());
    const g = new Float64Array(theta.length);
    for (let rep = 0; rep < 2; rep++) {
      const t0 = performance.now();
      fg(theta, g);
      const s = (performance.now() - t0) / 1000;
      report({ scenario, n, d: 320, K: 1200, seconds: +s.toFixed(2), gflop: +((4 * n * 320 * 1200) / s / 1e9).toFixed(2) });
    }
    break;
  }
  case 'fold':
    classify(10000, 320, 1200, 0.5, 0.01);
    break;
  case 'ss8':
    classify(70000, 320, 8, 0.3, 1);
    break;
  case 'ss3':
    classify(70000, 320, 3, 0.3, 1);
    break;
  case 'contacts120':
  case 'contacts660': {
    const d = scenario === 'contacts120' ? 120 : 660;
    const n = Math.round(200000 * scale);
    const w = Float64Array.from({ length: d }, (_, j) => (j % 10 === 0 ? 2 * rng.next() : 0));
    const bias = -3 - 0.5 * w.reduce((a, v) => a + v, 0); // mean margin -3: ~5-10% positives
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let z = bias;
      for (let j = 0; j < d; j++) {
        const v = -Math.log(1 - rng.next()) * 0.5; // exponential, like APC-corrected attention magnitudes
        x[i * d + j] = v;
        z += w[j]! * v;
      }
      y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const t0 = performance.now();
    const m = fitL1Binary({ data: x, rows: n, cols: d }, y, { C: 0.15 });
    const s = (performance.now() - t0) / 1000;
    const nnz = m.coef.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0);
    report({
      scenario,
      n,
      d,
      positives: y.reduce((a, v) => a + v, 0),
      seconds: +s.toFixed(1),
      perEval: +(s / m.report.evaluations).toFixed(3),
      nnz,
      ...m.report,
    });
    break;
  }
  case 'ridge': {
    const n = Math.round(10000 * scale);
    const d = 320;
    const x = Float64Array.from({ length: n * d }, () => rng.normal());
    const yv = Float64Array.from({ length: n }, (_, i) => x[i * d]! - x[i * d + 1]! + rng.normal());
    const t0 = performance.now();
    fitRidge({ data: x, rows: n, cols: d }, yv, { alpha: 1 });
    report({ scenario, n, d, seconds: +((performance.now() - t0) / 1000).toFixed(2) });
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
