import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drawToken, generate, warp, type SamplingSettings } from '../tasks/generation/sampler.js';
import { STANDARD } from '../tasks/generation/sequence.js';
import type { LoadedModel } from '../src/model/index.js';
import { Rng } from '../src/util/rng.js';
import { loadTestModel, randomTransformer, siteIndependentModel } from './helpers/models.js';

// Chi-square critical values at alpha = 0.001 (scipy.stats.chi2.ppf, test/golden/generation/make_golden.py).
const CHI2_999 = (
  JSON.parse(readFileSync(fileURLToPath(new URL('./golden/generation/golden.json', import.meta.url)), 'utf8')) as {
    chi2_999: Record<string, number>;
  }
).chi2_999;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).to.equal(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]!, `index ${i}`).to.be.closeTo(b[i]!, tol);
};

describe('generation: warpers (hand-computed cases)', () => {
  // Allowed ids 5..8 of a 10-token vocabulary with probabilities 1/2, 1/4, 1/8, 1/8; ids 0 and 9 are not allowed.
  const logits = [50, 0, 0, 0, 0, Math.log(0.5), Math.log(0.25), Math.log(0.125), Math.log(0.125), 50];
  const allowed = [5, 6, 7, 8];
  const probs = (m: Record<number, number>) => Array.from({ length: 10 }, (_, i) => m[i] ?? 0);

  it('masks every token outside the allowed set, whatever its logit', () => {
    close(warp(logits, allowed, 1, 0, 1), probs({ 5: 0.5, 6: 0.25, 7: 0.125, 8: 0.125 }));
  });

  it('top-p keeps the smallest prefix with probability >= p (a token is kept when the mass before it is < p)', () => {
    close(warp(logits, allowed, 1, 0, 0.75), probs({ 5: 2 / 3, 6: 1 / 3 })); // 0.5 + 0.25 = 0.75 reaches p exactly
    close(warp(logits, allowed, 1, 0, 0.76), probs({ 5: 0.5 / 0.875, 6: 0.25 / 0.875, 7: 0.125 / 0.875 })); // tie 7/8: lower id first
    close(warp(logits, allowed, 1, 0, 0.5), probs({ 5: 1 }));
    close(warp(logits, allowed, 1, 0, 0.3), probs({ 5: 1 }));
    close(warp(logits, allowed, 1, 0, 1), probs({ 5: 0.5, 6: 0.25, 7: 0.125, 8: 0.125 }));
  });

  it('top-k keeps the k largest, ties at the boundary included', () => {
    close(warp(logits, allowed, 1, 2, 1), probs({ 5: 2 / 3, 6: 1 / 3 }));
    close(warp(logits, allowed, 1, 3, 1), probs({ 5: 0.5, 6: 0.25, 7: 0.125, 8: 0.125 })); // 3rd largest ties with 4th
    close(warp(logits, allowed, 1, 1, 1), probs({ 5: 1 }));
    close(warp(logits, allowed, 1, 10, 1), probs({ 5: 0.5, 6: 0.25, 7: 0.125, 8: 0.125 }));
  });

  it('applies temperature, then top-k, then top-p (Hugging Face order)', () => {
    const l = [0, Math.log(0.4), Math.log(0.3), Math.log(0.2), Math.log(0.1)];
    // top-k 2 first: {0.4, 0.3} -> {4/7, 3/7}; then top-p 0.5 keeps only the first (4/7 >= 0.5).
    close(warp(l, [1, 2, 3, 4], 1, 2, 0.5), [0, 1, 0, 0, 0]);
    // (top-p first would have kept {0.4, 0.3}, since 0.4 < 0.5.)
    // Temperature 2 on logits (2, 0): probabilities proportional to (e, 1).
    close(warp([2, 0], [0, 1], 2, 0, 1), [Math.E / (Math.E + 1), 1 / (Math.E + 1)]);
    // Temperature before top-p: at T = 4 the nucleus at p = 0.75 needs three tokens, at T = 1 two.
    expect(Array.from(warp(logits, allowed, 4, 0, 0.75)).filter((p) => p > 0)).to.have.length(3);
  });

  it('draws the first token (increasing id) whose cumulative probability exceeds u', () => {
    const p = [0, 0.25, 0, 0.75];
    expect(drawToken(p, 0)).to.equal(1);
    expect(drawToken(p, 0.2499)).to.equal(1);
    expect(drawToken(p, 0.25)).to.equal(3);
    expect(drawToken(p, 0.999999)).to.equal(3);
  });

  it('refuses a temperature <= 0, top_p outside (0, 1] and a negative top_k', () => {
    expect(() => warp(logits, allowed, 0, 0, 1)).to.throw(RangeError, /temperature/);
    expect(() => warp(logits, allowed, -1, 0, 1)).to.throw(RangeError, /temperature/);
    expect(() => warp(logits, allowed, 1, 0, 0)).to.throw(RangeError, /top_p/);
    expect(() => warp(logits, allowed, 1, 0, 1.01)).to.throw(RangeError, /top_p/);
    expect(() => warp(logits, allowed, 1, -1, 1)).to.throw(RangeError, /top_k/);
  });
});

/** softmax over `ids` of row t of a [L, V] table, at temperature T. */
function rowDistribution(table: Float32Array, V: number, t: number, ids: number[], T = 1): number[] {
  const z = ids.map((id) => table[t * V + id]! / T);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function chiSquare(observed: number[], expectedP: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  let x = 0;
  observed.forEach((o, i) => {
    const e = n * expectedP[i]!;
    x += (o - e) ** 2 / e;
  });
  return x;
}

/** Counts of each of the 20 residues (STANDARD order) at residue position j over the samples that reach it. */
function letterCounts(seqs: string[], j: number): number[] {
  const c = new Array<number>(20).fill(0);
  for (const s of seqs) if (s.length > j) c[STANDARD.indexOf(s[j]!)]!++;
  return c;
}

describe('generation: known-answer sampling from a site-independent causal model', function () {
  this.timeout(120000);
  // Logits at position t are row t of the table, whatever the input: residue j is drawn from row j (row 0 reads
  // the start token), so the letter frequencies at each position must follow softmax(row j) over the allowed tokens.
  let model: LoadedModel;
  let table: Float32Array;
  let residueIds: number[];
  let endId: number;
  const N = 3000;
  const base: SamplingSettings = { samples: N, temperature: 1, topP: 1, topK: 0, minLength: 3, maxLength: 3 };
  before(async () => {
    const m = siteIndependentModel('clm', { scale: 2, maxLength: 8, seed: 11 });
    table = m.table;
    model = await loadTestModel(m.path);
    residueIds = [...STANDARD].map((a) => m.vocab.residueId(a));
    endId = m.vocab.end!;
  });
  after(async () => model.release());

  it(`letter frequencies over ${N} samples pass a chi-square test against softmax(row) (alpha 0.001, 19 df), and a wrong distribution fails it`, async () => {
    const r = await generate(model, base, new Rng('chi'));
    const seqs = r.samples.map((s) => s.sequence);
    expect(seqs.every((s) => s.length === 3)).to.equal(true);
    expect(r.samples.every((s) => !s.ended)).to.equal(true);
    for (let j = 0; j < 3; j++) {
      const obs = letterCounts(seqs, j);
      const right = chiSquare(obs, rowDistribution(table, 32, j, residueIds));
      expect(right, `position ${j}`).to.be.below(CHI2_999['19']!);
      // The test can fail: the same counts against the next row's distribution, or the uniform one, are rejected.
      expect(chiSquare(obs, rowDistribution(table, 32, j + 1, residueIds))).to.be.above(CHI2_999['19']! * 3);
      expect(chiSquare(obs, new Array(20).fill(1 / 20))).to.be.above(CHI2_999['19']! * 3);
    }
  });

  it('draws the end token with its model probability once min_length residues are reached, never before', async () => {
    const r = await generate(model, { ...base, minLength: 1, maxLength: 2 }, new Rng('end'));
    // Position 0: end masked, every sample has a first residue.
    expect(r.samples.every((s) => s.sequence.length >= 1)).to.equal(true);
    // Position 1: 20 residues + end, drawn from row 1.
    const obs = letterCounts(
      r.samples.map((s) => s.sequence),
      1,
    );
    obs.push(r.samples.filter((s) => s.ended).length);
    expect(r.samples.filter((s) => s.ended).every((s) => s.sequence.length === 1)).to.equal(true);
    expect(r.samples.filter((s) => !s.ended).every((s) => s.sequence.length === 2)).to.equal(true);
    const p = rowDistribution(table, 32, 1, [...residueIds, endId]);
    expect(chiSquare(obs, p)).to.be.below(CHI2_999['20']!);
    expect(chiSquare(obs, rowDistribution(table, 32, 2, [...residueIds, endId]))).to.be.above(CHI2_999['20']! * 3);
  });

  it('temperature: T -> 0 gives the argmax at every position; T = 2 follows softmax(row / 2), not softmax(row)', async () => {
    const cold = await generate(model, { ...base, samples: 50, temperature: 1e-3 }, new Rng('cold'));
    const argmax = [0, 1, 2].map((j) => {
      const p = rowDistribution(table, 32, j, residueIds);
      return STANDARD[p.indexOf(Math.max(...p))]!;
    });
    for (const s of cold.samples) expect(s.sequence).to.equal(argmax.join(''));
    const hot = await generate(model, { ...base, temperature: 2 }, new Rng('hot'));
    const seqs = hot.samples.map((s) => s.sequence);
    for (let j = 0; j < 3; j++) {
      const obs = letterCounts(seqs, j);
      expect(chiSquare(obs, rowDistribution(table, 32, j, residueIds, 2))).to.be.below(CHI2_999['19']!);
      expect(chiSquare(obs, rowDistribution(table, 32, j, residueIds, 1))).to.be.above(CHI2_999['19']!);
    }
  });

  it('top-p and top-k: only the defined sets are drawn, with their renormalised probabilities', async () => {
    for (const [topK, topP] of [
      [0, 0.6],
      [5, 1],
      [8, 0.7],
    ] as const) {
      const r = await generate(model, { ...base, topK, topP }, new Rng(`trunc:${topK}:${topP}`));
      const seqs = r.samples.map((s) => s.sequence);
      for (let j = 0; j < 3; j++) {
        // The kept set, computed here from the sorted probabilities: top-k first, then the nucleus.
        const p = rowDistribution(table, 32, j, residueIds);
        let order = p.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || residueIds[a.i]! - residueIds[b.i]!);
        if (topK > 0) order = order.slice(0, topK);
        const mass = order.reduce((a, o) => a + o.v, 0);
        const kept: number[] = [];
        let before = 0;
        for (const o of order) {
          if (before >= topP) break;
          kept.push(o.i);
          before += o.v / mass;
        }
        const obs = letterCounts(seqs, j);
        obs.forEach((c, i) => {
          if (!kept.includes(i)) expect(c, `${STANDARD[i]} at ${j} outside the kept set (k=${topK}, p=${topP})`).to.equal(0);
        });
        const keptMass = kept.reduce((a, i) => a + p[i]!, 0);
        const x = chiSquare(
          kept.map((i) => obs[i]!),
          kept.map((i) => p[i]! / keptMass),
        );
        expect(x).to.be.below(CHI2_999[String(kept.length - 1)]!);
        expect(kept.length).to.be.within(2, 19);
      }
    }
  });
});

describe('generation: determinism', function () {
  this.timeout(120000);
  it('the same seed gives the same samples; batching and the number of samples do not change them', async () => {
    const path = randomTransformer('clm', { maxLength: 64, seed: 3 });
    const batched = await loadTestModel(path);
    const single = await loadTestModel(path, { maxBatch: 1 });
    const settings: SamplingSettings = { samples: 6, temperature: 1, topP: 0.95, topK: 0, minLength: 5, maxLength: 30 };
    try {
      const a = await generate(batched, settings, new Rng(9));
      const b = await generate(batched, settings, new Rng(9));
      const c = await generate(single, settings, new Rng(9));
      const d = await generate(batched, { ...settings, samples: 3 }, new Rng(9));
      const e = await generate(batched, settings, new Rng(10));
      expect(b.samples).to.deep.equal(a.samples);
      expect(c.samples).to.deep.equal(a.samples);
      expect(d.samples).to.deep.equal(a.samples.slice(0, 3));
      expect(e.samples.map((s) => s.sequence)).to.not.deep.equal(a.samples.map((s) => s.sequence));
      for (const s of a.samples) {
        expect(s.sequence).to.match(/^[ACDEFGHIKLMNPQRSTVWY]+$/);
        expect(s.sequence.length).to.be.within(5, 30);
        if (!s.ended) expect(s.sequence.length).to.equal(30);
      }
    } finally {
      await batched.release();
      await single.release();
    }
  });
});
