import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jensenShannon, klDivergence, normalise, repeatMask, segSegments, complexity } from '../tasks/generation/sequence.js';
import { proxyParts, validateScores, type ValidationRow } from '../tasks/generation/proxy.js';
import { contactZFromScores } from '../tasks/generation/scoring.js';
import { Rng } from '../src/util/rng.js';
import { builtinTasksDir } from '../src/util/paths.js';
import { join } from 'node:path';
import { loadReference } from '../tasks/generation/data.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).to.equal(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]!).to.be.closeTo(b[i]!, tol);
};

// Independent values: test/golden/generation/make_golden.py (a Python transliteration of NCBI seg.c, scipy's
// jensenshannon and entropy, numpy for the proxy and contact formulas, sklearn / scipy for AUC and Spearman).
const golden = JSON.parse(readFileSync(fileURLToPath(new URL('./golden/generation/golden.json', import.meta.url)), 'utf8')) as {
  seg: { sequence: string; segments: [number, number][]; repeat: number[] }[];
  composition: { p: number[]; q: number[]; jsd: number; kl: number }[];
  proxy: { sequence: string; logp: number[]; background: number[]; tau: number; gain: number; kl: number; plddt_proxy: number }[];
  reference: { records: number; background: number[]; tau: number; proteins: number };
  contact: { n: number; scores: number[]; z: number }[];
  validation: {
    rows: { source: string; kind: ValidationRow['kind']; level: number; score: number }[];
    auc_shuffled: number;
    auc_repeat: number;
    auc_corrupted: number;
    spearman: number;
  };
};

describe('generation: sequence statistics against independent computations', () => {
  it(`SEG segments (12/2.2/2.5, with trimming) equal a Python transliteration of seg.c on ${golden.seg.length} sequences`, () => {
    let withSegments = 0;
    for (const c of golden.seg) {
      expect(segSegments(c.sequence), c.sequence).to.deep.equal(c.segments);
      if (c.segments.length > 0) withSegments++;
    }
    // The cases exercise the algorithm: several have segments, several none.
    expect(withSegments).to.be.within(5, golden.seg.length - 5);
  });

  it('exact internal repeats: residues of 8-mers seen twice or more', () => {
    for (const c of golden.seg) expect(Array.from(repeatMask(c.sequence)), c.sequence).to.deep.equal(c.repeat);
    const cx = complexity('MKT' + 'Q'.repeat(25) + 'LVFTRDEGHIWKPLSAV' + 'AG'.repeat(20) + 'MKLLVWYFRDE');
    expect(cx.seg).to.equal(25 + 40);
    expect(cx.either).to.be.at.least(cx.seg).and.at.least(cx.repeat);
  });

  it('Jensen-Shannon (bits) and KL (nats) equal scipy', () => {
    for (const c of golden.composition) {
      expect(jensenShannon(c.p, c.q)).to.be.closeTo(c.jsd, 1e-12);
      expect(klDivergence(normalise(c.p), normalise(c.q))).to.be.closeTo(c.kl, 1e-12);
    }
    expect(jensenShannon([1, 0], [0, 1])).to.be.closeTo(1, 1e-15);
    expect(jensenShannon([2, 3], [4, 6])).to.equal(0);
  });

  it('plddt_proxy = G - max(0, KL(f||q) - 19/(2L) - tau) equals the numpy computation', () => {
    for (const c of golden.proxy) {
      const p = proxyParts(c.sequence, c.logp, c.background, c.tau);
      expect(p.gain).to.be.closeTo(c.gain, 1e-12);
      expect(p.kl).to.be.closeTo(c.kl, 1e-12);
      expect(p.plddtProxy).to.be.closeTo(c.plddt_proxy, 1e-12);
    }
    // The repeat-rich case is charged for its composition even above tau.
    expect(golden.proxy[2]!.plddt_proxy).to.be.lessThan(golden.proxy[2]!.gain);
  });

  it('the reference set: background composition and tau (90th percentile of the compositional term) equal numpy', () => {
    const ref = loadReference(join(builtinTasksDir, 'generation'));
    expect(ref.records.length).to.equal(golden.reference.records);
    close(ref.background, golden.reference.background, 1e-12);
    expect(ref.biasThreshold).to.be.closeTo(golden.reference.tau, 1e-12);
    expect(ref.biasThreshold).to.be.within(0.05, 0.2);
  });

  it('contact confidence: z-score of the top-L long-range scores equals numpy', () => {
    for (const c of golden.contact) expect(contactZFromScores(c.scores, c.n)).to.be.closeTo(c.z, 1e-9);
    // Too few long-range pairs for L of them: undefined.
    expect(contactZFromScores(new Float64Array(100), 20)).to.be.NaN;
  });

  it('validation statistics equal sklearn roc_auc_score and the mean of scipy spearmanr per protein', () => {
    const rows: ValidationRow[] = golden.validation.rows.map((r, k) => ({
      id: String(k),
      source: r.source,
      kind: r.kind,
      level: r.level,
      scores: { s: r.score, missing: null },
    }));
    const v = validateScores(rows, new Rng(1));
    const s = v['s']!;
    expect(s.auc_natural_vs_shuffled.value).to.be.closeTo(golden.validation.auc_shuffled, 1e-12);
    expect(s.auc_natural_vs_repeat.value).to.be.closeTo(golden.validation.auc_repeat, 1e-12);
    expect(s.auc_natural_vs_corrupted.value).to.be.closeTo(golden.validation.auc_corrupted, 1e-12);
    expect(s.spearman_with_corruption.value).to.be.closeTo(golden.validation.spearman, 1e-12);
    expect(s.n).to.equal(5);
    const ci = s.auc_natural_vs_shuffled.ci95!;
    expect(ci[0]).to.be.at.most(s.auc_natural_vs_shuffled.value);
    expect(ci[1]).to.be.at.least(s.auc_natural_vs_shuffled.value);
    expect(v['missing']).to.equal(null);
  });
});
