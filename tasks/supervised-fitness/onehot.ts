import type { RidgeLearner } from './cv.js';

/**
 * The one-hot control: ridge regression (scikit-learn `Ridge(alpha, fit_intercept=True)`, features not
 * standardized) on the position-wise one-hot encoding of each variant sequence (L positions x 26 letters,
 * flattened). Every variant shares the wild type's one-hot, which the intercept's centering removes, so a
 * variant is stored as its sparse difference from the wild type (-1 at (position, wild-type letter),
 * +1 at (position, mutant letter) per substitution) and the normal equations are solved by conjugate
 * gradients with a Jacobi preconditioner on the centred sparse matrix, never formed densely: with one
 * column per observed mutation the dense system would have thousands of columns.
 */

export const ONEHOT_LETTERS = 26;
const TOLERANCE = 1e-12;
const MAX_ITERATIONS = 100000;

/** Sparse rows: row i holds entries `cols[offsets[i] .. offsets[i+1])` with values `vals`. */
export interface SparseRows {
  rows: number;
  offsets: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * The differences from the wild type of each variant: substitution k of variant v is at 0-based
 * `positions[k]`, from letter code `wtCodes[k]` to `mtCodes[k]` (`offsets[v] .. offsets[v+1]`).
 */
export function oneHotDifferences(offsets: Int32Array, positions: Int32Array, wtCodes: Uint8Array, mtCodes: Uint8Array): SparseRows {
  const n = offsets.length - 1;
  const o = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let v = 0; v < n; v++) {
    for (let k = offsets[v]!; k < offsets[v + 1]!; k++) {
      if (wtCodes[k] === mtCodes[k]) continue;
      const base = positions[k]! * ONEHOT_LETTERS;
      cols.push(base + letterIndex(wtCodes[k]!), base + letterIndex(mtCodes[k]!));
      vals.push(-1, 1);
    }
    o[v + 1] = cols.length;
  }
  return { rows: n, offsets: o, cols: Int32Array.from(cols), vals: Float64Array.from(vals) };
}

function letterIndex(code: number): number {
  const i = code - 65;
  if (i < 0 || i >= ONEHOT_LETTERS) throw new RangeError(`oneHotDifferences: letter code ${code} is not A-Z`);
  return i;
}

/** The sparse one-hot ridge learner over `x` (see the module comment). */
export function sparseRidgeLearner(x: SparseRows): RidgeLearner {
  return {
    train(rows, y) {
      const n = rows.length;
      // Compact the columns the training rows touch; the others have mean 0 and zero weight.
      const index = new Map<number, number>();
      for (const r of rows)
        for (let e = x.offsets[r]!; e < x.offsets[r + 1]!; e++) if (!index.has(x.cols[e]!)) index.set(x.cols[e]!, index.size);
      const m = index.size;
      const start = new Int32Array(n + 1);
      rows.forEach((r, i) => (start[i + 1] = start[i]! + x.offsets[r + 1]! - x.offsets[r]!));
      const cc = new Int32Array(start[n]!);
      const cv = new Float64Array(start[n]!);
      rows.forEach((r, i) => {
        for (let e = x.offsets[r]!, k = start[i]!; e < x.offsets[r + 1]!; e++, k++) {
          cc[k] = index.get(x.cols[e]!)!;
          cv[k] = x.vals[e]!;
        }
      });
      let yMean = 0;
      for (let i = 0; i < n; i++) yMean += y[i]!;
      yMean /= n;
      const mu = new Float64Array(m);
      const sq = new Float64Array(m);
      for (let k = 0; k < cc.length; k++) {
        mu[cc[k]!]! += cv[k]!;
        sq[cc[k]!]! += cv[k]! * cv[k]!;
      }
      for (let j = 0; j < m; j++) mu[j] = mu[j]! / n;
      // diag(Xc^T Xc)_j = sum_i D_ij^2 - n mu_j^2
      const diag = Float64Array.from(sq, (s, j) => s - n * mu[j]! * mu[j]!);
      const u = new Float64Array(n);
      // Xc^T Xc v into out
      const gram = (v: Float64Array, out: Float64Array) => {
        let muv = 0;
        for (let j = 0; j < m; j++) muv += mu[j]! * v[j]!;
        let su = 0;
        for (let i = 0; i < n; i++) {
          let s = -muv;
          for (let k = start[i]!; k < start[i + 1]!; k++) s += cv[k]! * v[cc[k]!]!;
          u[i] = s;
          su += s;
        }
        out.fill(0);
        for (let i = 0; i < n; i++) for (let k = start[i]!; k < start[i + 1]!; k++) out[cc[k]!]! += cv[k]! * u[i]!;
        for (let j = 0; j < m; j++) out[j]! -= mu[j]! * su;
      };
      // Xc^T (y - mean y); the mu term vanishes because the centred y sums to zero.
      const b = new Float64Array(m);
      for (let i = 0; i < n; i++) for (let k = start[i]!; k < start[i + 1]!; k++) b[cc[k]!]! += cv[k]! * (y[i]! - yMean);
      return (alpha) => {
        const w = solvePcg(gram, b, diag, alpha, m);
        let muw = 0;
        for (let j = 0; j < m; j++) muw += mu[j]! * w[j]!;
        return (target) =>
          Float64Array.from(target, (r) => {
            let s = yMean - muw;
            for (let e = x.offsets[r]!; e < x.offsets[r + 1]!; e++) {
              const j = index.get(x.cols[e]!);
              if (j !== undefined) s += x.vals[e]! * w[j]!;
            }
            return s;
          });
      };
    },
  };
}

/** Solves (G + alpha I) w = b by preconditioned conjugate gradients (preconditioner diag(G) + alpha). */
function solvePcg(
  gram: (v: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  diag: Float64Array,
  alpha: number,
  m: number,
): Float64Array {
  if (!(alpha > 0)) throw new RangeError(`sparse ridge: alpha must be > 0, got ${alpha}`);
  const w = new Float64Array(m);
  const r = Float64Array.from(b);
  const z = Float64Array.from(r, (v, j) => v / (diag[j]! + alpha));
  const p = Float64Array.from(z);
  const q = new Float64Array(m);
  let bNorm = 0;
  for (let j = 0; j < m; j++) bNorm += b[j]! * b[j]!;
  bNorm = Math.sqrt(bNorm);
  if (bNorm === 0) return w;
  let rz = 0;
  for (let j = 0; j < m; j++) rz += r[j]! * z[j]!;
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    gram(p, q);
    let pq = 0;
    for (let j = 0; j < m; j++) {
      q[j]! += alpha * p[j]!;
      pq += p[j]! * q[j]!;
    }
    const step = rz / pq;
    let rr = 0;
    for (let j = 0; j < m; j++) {
      w[j]! += step * p[j]!;
      r[j]! -= step * q[j]!;
      rr += r[j]! * r[j]!;
    }
    if (Math.sqrt(rr) <= TOLERANCE * bNorm) return w;
    let rzNext = 0;
    for (let j = 0; j < m; j++) {
      z[j] = r[j]! / (diag[j]! + alpha);
      rzNext += r[j]! * z[j]!;
    }
    const beta = rzNext / rz;
    rz = rzNext;
    for (let j = 0; j < m; j++) p[j] = z[j]! + beta * p[j]!;
  }
  throw new Error(
    `sparse ridge: conjugate gradients did not reach a relative residual of ${TOLERANCE} in ${MAX_ITERATIONS} iterations (alpha ${alpha})`,
  );
}
