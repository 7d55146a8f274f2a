import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { crossValidatedRidge, denseRidgeLearner } from '../tasks/supervised-fitness/cv.js';
import { oneHotDifferences, sparseRidgeLearner } from '../tasks/supervised-fitness/onehot.js';
import { parseMutant } from '../src/bio/mutant.js';

// Golden values from scikit-learn (StandardScaler, Ridge) and scipy (spearmanr) running the same protocol
// independently: test/golden/supervised-fitness/make_golden.py wrote ridge_cv.json.
const golden = JSON.parse(readFileSync(new URL('./golden/supervised-fitness/ridge_cv.json', import.meta.url), 'utf8')) as {
  embedding: { n: number; d: number; x: number[]; y: number[]; folds: number[]; alphas: number[]; expected: Expected }[];
  onehot: { wildType: string; mutants: string[]; y: number[]; folds: number[]; alphas: number[]; expected: Expected }[];
};
interface Expected {
  predictions: number[];
  spearman: number;
  folds: { test: number; validation: number; alpha: number; scores: { mse: number; spearman: number | null }[] }[];
}

function check(got: ReturnType<typeof crossValidatedRidge>, want: Expected, tol: number) {
  expect(got.folds.map((f) => f.alpha)).to.deep.equal(want.folds.map((f) => f.alpha));
  expect(got.folds.map((f) => [f.test, f.validation])).to.deep.equal(want.folds.map((f) => [f.test, f.validation]));
  got.folds.forEach((f, i) => {
    f.scores.forEach((s, j) => {
      const w = want.folds[i]!.scores[j]!;
      expect(s.mse, `fold ${f.test} alpha ${s.alpha}`).to.be.closeTo(w.mse, tol * Math.max(1, w.mse));
      if (w.spearman === null) expect(s.spearman).to.equal(null);
      else expect(s.spearman, `fold ${f.test} alpha ${s.alpha}`).to.be.closeTo(w.spearman, 1e-9);
    });
  });
  want.predictions.forEach((p, i) => expect(got.predictions[i], `row ${i}`).to.be.closeTo(p, tol * Math.max(1, Math.abs(p))));
  expect(got.spearman).to.be.closeTo(want.spearman, 1e-12);
}

describe('supervised-fitness: cross-validated ridge equals scikit-learn', () => {
  it('embedding ridge (standardized, inner validation fold, out-of-fold Spearman) on fixed matrices', () => {
    for (const c of golden.embedding) {
      const x = { data: Float64Array.from(c.x), rows: c.n, cols: c.d };
      const r = crossValidatedRidge(denseRidgeLearner(x), Float64Array.from(c.y), Int32Array.from(c.folds), c.alphas);
      check(r, c.expected, 1e-8);
    }
  });

  it('one-hot control (sparse conjugate gradients) equals Ridge on the dense one-hot', () => {
    for (const c of golden.onehot) {
      const offsets = [0];
      const positions: number[] = [];
      const wt: number[] = [];
      const mt: number[] = [];
      for (const m of c.mutants) {
        for (const s of parseMutant(m)) {
          positions.push(s.position - 1);
          wt.push(s.wt.charCodeAt(0));
          mt.push(s.mt.charCodeAt(0));
        }
        offsets.push(positions.length);
      }
      const x = oneHotDifferences(Int32Array.from(offsets), Int32Array.from(positions), Uint8Array.from(wt), Uint8Array.from(mt));
      const r = crossValidatedRidge(sparseRidgeLearner(x), Float64Array.from(c.y), Int32Array.from(c.folds), c.alphas);
      check(r, c.expected, 1e-7);
    }
  });
});
