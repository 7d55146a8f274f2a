import { expect } from 'chai';
import type { StructureEntry } from '../src/bio/index.js';
import { slidingWindows } from '../src/model/index.js';
import { Rng } from '../src/util/rng.js';
import {
  computeTraining,
  evaluationScores,
  planTraining,
  windowChain,
  windowPolicy,
  type WindowPolicy,
} from '../tasks/contacts/features.js';
import { apcFeatures, forEachPair, pairCount, pairIndex } from '../src/contacts/index.js';
import { chainPrecision } from '../tasks/contacts/scoring.js';
import { testContext } from './helpers/context.js';
import { stubModel } from './golden/contacts/stub-model.js';

// Chains longer than the model: windows of maxResidues residues, stride half a window; a pair's value is the
// mean over the windows holding both residues, and pairs no window holds get no prediction.
const L = 100;
const MAX_RESIDUES = 40; // windows [0,40) [20,60) [40,80) [60,100)
const SEQ = 'ACDEFGHIKLMNPQRSTVWY'.repeat(5);

function entry(): StructureEntry {
  const rng = new Rng('windows-entry');
  const observed = new Uint8Array(L).fill(1);
  observed[3] = 0;
  observed[57] = 0;
  const contacts = new Uint8Array(L * L);
  for (let i = 0; i < L; i++) {
    for (let j = i; j < L; j++) {
      const c = observed[i] && observed[j] && (j - i < 2 || rng.next() < 0.05) ? 1 : 0;
      contacts[i * L + j] = c;
      contacts[j * L + i] = c;
    }
  }
  return {
    id: 'W',
    pdbId: 'W',
    chain: 'A',
    file: 'w.pdb',
    sha256: '',
    sequence: SEQ,
    length: L,
    observed,
    nObserved: L - 2,
    cb: new Float64Array(3 * L),
    contacts,
  };
}

/** Windows holding both residues of (i, j), by brute force. */
function holders(i: number, j: number): number[] {
  return slidingWindows(L, MAX_RESIDUES, MAX_RESIDUES / 2).flatMap((w, k) => (w.start <= i && j < w.end ? [k] : []));
}

const g = (i: number, j: number) => Math.sin(0.37 * i) + Math.cos(0.11 * j);

describe('contacts: windows', () => {
  const policy: WindowPolicy = { size: MAX_RESIDUES, stride: MAX_RESIDUES / 2, description: '' };

  it('counts, per pair, the windows holding both residues (517 residues in windows of 254, stride 127)', () => {
    const n = 517;
    const cw = windowChain(n, { size: 254, stride: 127, description: '' });
    const ws = slidingWindows(n, 254, 127);
    forEachPair(n, (p, i, j) => {
      if ((i * 7 + j) % 13 !== 0) return; // a deterministic sample of the 130,816 pairs
      expect(cw.cover[p], `${i},${j}`).to.equal(ws.filter((w) => w.start <= i && j < w.end).length);
    });
    expect(cw.cover[pairIndex(n, 0, 516)]).to.equal(0);
    expect(cw.cover[pairIndex(n, 200, 240)]).to.equal(2);
  });

  it('averages a contacts head over the windows holding each pair; pairs no window holds get no prediction and are counted', async () => {
    const model = stubModel({
      maxLength: MAX_RESIDUES + 2,
      capabilities: ['contacts'],
      outputs: (tokens, index) => {
        const start = slidingWindows(L, MAX_RESIDUES, MAX_RESIDUES / 2)[index]!.start;
        const n = tokens.length - 2;
        const c = new Float32Array(n * n);
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) c[a * n + b] = g(Math.min(a, b) + start, Math.max(a, b) + start) + index;
        return { contacts: { data: c, dims: [n, n] }, logits: { data: new Float32Array(tokens.length * 33), dims: [tokens.length, 33] } };
      },
    });
    const e = entry();
    const [s] = await evaluationScores(testContext('contacts', model), [e], windowPolicy(model), {
      unsupervised: false,
      prediction: { kind: 'contacts' },
    });
    expect(s!.windows).to.equal(4);
    let uncoveredObserved = 0;
    forEachPair(L, (p, i, j) => {
      const hs = holders(i, j);
      const v = s!.prediction![p]!;
      if (hs.length === 0) {
        expect(v, `${i},${j}`).to.be.NaN;
        if (e.observed[i] && e.observed[j]) uncoveredObserved++;
      } else {
        expect(v, `${i},${j}`).to.be.closeTo(g(i, j) + hs.reduce((a, k) => a + k, 0) / hs.length, 1e-5);
      }
    });
    expect(uncoveredObserved).to.be.greaterThan(0);
    expect(chainPrecision(e, s!.prediction!).unscored).to.equal(uncoveredObserved);
  });

  it('averages the training features of a windowed chain over its windows, row by row, and labels them', async () => {
    const maps = (index: number, T: number): Float32Array => {
      const r = new Rng(`attn-${index}`);
      const a = new Float32Array(2 * T * T);
      for (let m = 0; m < 2; m++) {
        for (let t = 0; t < T; t++) {
          let s = 0;
          for (let u = 0; u < T; u++) s += a[m * T * T + t * T + u] = r.next();
          for (let u = 0; u < T; u++) a[m * T * T + t * T + u]! /= s;
        }
      }
      return a;
    };
    const model = stubModel({
      maxLength: MAX_RESIDUES + 2,
      capabilities: ['attentions'],
      layers: 1,
      heads: 2,
      outputs: (tokens, index) => ({ attentions: { data: maps(index, tokens.length), dims: [1, 2, tokens.length, tokens.length] } }),
    });
    const e = entry();
    const plan = planTraining([e], 2, policy, 2 ** 28, new Rng(0));
    const t = await computeTraining(testContext('contacts', model), plan, policy);
    // Expected: for each window, the APC features computed directly, summed per global pair, then averaged.
    const windows = slidingWindows(L, MAX_RESIDUES, MAX_RESIDUES / 2);
    const sum = new Float64Array(pairCount(L) * 2);
    const cnt = new Uint8Array(pairCount(L));
    windows.forEach((w, k) => {
      const n = w.end - w.start;
      const T = n + 2;
      const view = { data: maps(k, T), dims: [1, 2, T, T] };
      const local: [number, number][] = [];
      forEachPair(n, (_p, a, b) => local.push([a, b]));
      for (let m = 0; m < 2; m++) {
        apcFeatures({ view, offset: 1, residues: n }, m, new Float64Array(2 * n), (lp, v) => {
          const [a, b] = local[lp]!;
          const gp = pairIndex(L, w.start + a, w.start + b);
          sum[gp * 2 + m]! += v;
          if (m === 0) cnt[gp]!++;
        });
      }
    });
    let row = 0;
    let positives = 0;
    forEachPair(L, (p, i, j) => {
      if (!e.observed[i] || !e.observed[j] || cnt[p] === 0) return;
      for (let m = 0; m < 2; m++) expect(t.x[row * 2 + m], `${i},${j} map ${m}`).to.be.closeTo(sum[p * 2 + m]! / cnt[p]!, 1e-6);
      expect(t.y[row]).to.equal(e.contacts[i * L + j]);
      positives += e.contacts[i * L + j]!;
      row++;
    });
    expect(t.rows).to.equal(row);
    expect(t.positives).to.equal(positives);
    expect(t.uncovered).to.be.greaterThan(0);
    expect(t.chainsWindowed).to.equal(1);
  });

  it('subsamples training pairs, seeded, when the matrix would pass its budget', () => {
    const e = entry();
    const full = planTraining([e], 2, policy, 2 ** 28, new Rng(0));
    const half = planTraining([e], 2, policy, full.rows, new Rng(0));
    const again = planTraining([e], 2, policy, full.rows, new Rng(0));
    const other = planTraining([e], 2, policy, full.rows, new Rng(1));
    expect(full.fraction).to.equal(1);
    expect(half.fraction).to.be.closeTo(0.5, 1e-12);
    expect(half.rows).to.be.within(0.4 * full.rows, 0.6 * full.rows);
    expect(Array.from(again.chains[0]!.rowOf)).to.deep.equal(Array.from(half.chains[0]!.rowOf));
    expect(Array.from(other.chains[0]!.rowOf)).to.not.deep.equal(Array.from(half.chains[0]!.rowOf));
    expect(half.digest).to.not.equal(full.digest);
  });
});
