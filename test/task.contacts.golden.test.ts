import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StructureEntry } from '../src/bio/index.js';
import { evaluationScores, windowPolicy } from '../tasks/contacts/features.js';
import { apcFeatures, forEachPair, pairCount } from '../src/contacts/index.js';
import { chainPrecision, CUTS, RANGES } from '../tasks/contacts/scoring.js';
import { testContext } from './helpers/context.js';
import { stubModel } from './golden/contacts/stub-model.js';

// Independent values: test/golden/contacts/make_golden.py (ESM's ContactPredictionHead and compute_precisions with
// L = sequence length, i.e. without its override_length line: the seqres convention, chainPrecision's default L;
// TAPE's compute_precision_at_l5, in PyTorch). The esm convention (L = observed residues) against ESM's own
// functions: test/task.contacts.esm-convention.test.ts.
interface ApcCase {
  layers: number;
  heads: number;
  residues: number;
  attentions: number[];
  features: number[][];
  meanFeature: number[];
  weight: number[];
  bias: number;
  probability: number[];
}
interface PrecisionCase {
  L: number;
  observed: string;
  contacts: string;
  scores: number[];
  esm: Record<'short' | 'medium' | 'long', Record<'l' | 'l2' | 'l5', number>>;
}
const golden = JSON.parse(readFileSync(fileURLToPath(new URL('./golden/contacts/golden.json', import.meta.url)), 'utf8')) as {
  apc: ApcCase[];
  precision: PrecisionCase[];
  tapeL5Pooled: number;
};

/** The golden maps of one unpadded sequence, padded by one junk position as a batch would pad them. */
function paddedView(c: ApcCase): { data: Float32Array; dims: number[] } {
  const T = c.residues + 2;
  const P = T + 1;
  const maps = c.layers * c.heads;
  const data = new Float32Array(maps * P * P).fill(0.37);
  for (let m = 0; m < maps; m++)
    for (let r = 0; r < T; r++) for (let s = 0; s < T; s++) data[m * P * P + r * P + s] = c.attentions[m * T * T + r * T + s]!;
  return { data, dims: [c.layers, c.heads, P, P] };
}

describe('contacts: APC features and precision against ESM / TAPE (golden)', () => {
  for (const [k, c] of golden.apc.entries()) {
    it(`APC'd symmetrized attention over residues = ESM's ContactPredictionHead features (case ${k}: ${c.layers}x${c.heads} maps, ${c.residues} residues, padded)`, () => {
      const view = paddedView(c);
      const scratch = new Float64Array(2 * c.residues);
      for (let m = 0; m < c.layers * c.heads; m++) {
        const got = new Float64Array(pairCount(c.residues));
        expect(apcFeatures({ view, offset: 1, residues: c.residues }, m, scratch, (p, v) => void (got[p] = v))).to.equal(true);
        got.forEach((v, p) => expect(v).to.be.closeTo(c.features[m]![p]!, 2e-6));
      }
    });

    it(`the evaluation reducer gives ESM's head probability and the mean feature (case ${k})`, async () => {
      const view = paddedView(c);
      const seq = 'ACDEFGHIKLMNPQRSTVWY'.slice(0, c.residues);
      const model = stubModel({ maxLength: c.residues + 2, capabilities: ['attentions'], outputs: () => ({ attentions: view }) });
      const entry = { id: 'g', sequence: seq, length: seq.length } as StructureEntry;
      const [s] = await evaluationScores(testContext('contacts', model), [entry], windowPolicy(model), {
        unsupervised: true,
        prediction: { kind: 'regression', head: { coef: Float64Array.from(c.weight), intercept: c.bias, digest: 'golden' } },
      });
      forEachPair(c.residues, (p) => {
        expect(1 / (1 + Math.exp(-s!.prediction![p]!))).to.be.closeTo(c.probability[p]!, 1e-5);
        expect(s!.unsupervised![p]!).to.be.closeTo(c.meanFeature[p]!, 2e-6);
      });
    });
  }

  const results = golden.precision.map((c) => {
    const L = c.L;
    const truth = { id: `L${L}`, length: L, observed: Uint8Array.from(c.observed, Number), contacts: Uint8Array.from(c.contacts, Number) };
    const scores = new Float64Array(pairCount(L));
    forEachPair(L, (p, i, j) => (scores[p] = c.scores[i * L + j]!));
    return { c, r: chainPrecision(truth, scores) };
  });

  for (const { c, r } of results) {
    it(`P@L, P@L/2, P@L/5 by range = ESM's compute_precisions (L = ${c.L}, ${c.observed.split('').filter((x) => x === '0').length} unobserved)`, () => {
      for (const range of RANGES) {
        expect(r.ranges[range].candidates, range).to.be.at.least(c.L);
        for (const cut of CUTS) {
          const h = r.ranges[range].at[cut];
          expect(h.hits / h.k, `${range} ${cut}`).to.be.closeTo(c.esm[range][cut], 1e-12);
        }
      }
    });
  }

  it("pooled P@L/5 over all pairs (separation >= 6) = TAPE's compute_precision_at_l5", () => {
    const hits = results.reduce((a, { r }) => a + r.tape.at.l5.hits, 0);
    const k = results.reduce((a, { r }) => a + r.tape.at.l5.k, 0);
    expect(hits / k).to.be.closeTo(golden.tapeL5Pooled, 1e-12);
  });
});
