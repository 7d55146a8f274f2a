// Issue 13: a verdict only where compute is matched. Out of a family's compute range: out-of-range with
// the gap; inside it: real interpolated verdicts, `uncertain` when they change inside the compute
// intervals; protocol-differs and the smoke tier's not-comparable. Expected values are computed here
// independently of src/scaling/matched.ts (interpolation by hand, the documented paired bootstrap).
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairedBootstrapMeanDiff } from '../src/metrics/index.js';
import { computeConflict, resolveCard, type ModelCard } from '../src/model/card.js';
import { readOnnxFile } from '../src/model/onnx/file.js';
import {
  loadBaselineRegistry,
  loadLawSets,
  loadScalingLaws,
  matchedCompute,
  registeredFromRun,
  trainingCompute,
  type Comparison,
  type RegisteredRuns,
} from '../src/scaling/index.js';
import type { BaselineSet } from '../src/task/types.js';
import { BenchError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { schemaErrors } from '../src/util/schema.js';
import { items, syntheticRun, type SynthRun } from './golden/scaling/runs.js';
import { tempDir } from './helpers/tmp.js';

const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const none: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const model = (id: string) => registry.models.find((m) => m.id === id)!;
const flops = (id: string) => model(id).trainFlops.value!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const N = 10;
const perItem = (f: (i: number) => number) =>
  Object.fromEntries(Array.from({ length: N }, (_, i) => [`item-${String(i).padStart(3, '0')}`, { spearman: f(i) }]));
const ESM = ['esm2-8m', 'esm2-35m', 'esm2-150m', 'esm2-650m', 'esm2-3b', 'esm2-15b'];
const PG = ['progen2-small', 'progen2-medium', 'progen2-large', 'progen2-xlarge'];
// Baseline per-item Spearman: rises with size; item i adds 0.01 i.
const baseValue = (k: number, i: number) => 0.2 + 0.04 * k + 0.01 * i;

function sameDataSet(ids: string[], extra: Partial<BaselineSet> = {}): BaselineSet {
  return {
    kind: 'same-data',
    source: 'test: per-item values of the family on these items',
    description: 'same items, mean over items',
    scores: Object.fromEntries(ids.map((id, k) => [id, { spearman: mean(Array.from({ length: N }, (_, i) => baseValue(k, i))) }])),
    items: Object.fromEntries(ids.map((id, k) => [id, perItem((i) => baseValue(k, i))])),
    ...extra,
  };
}
const publishedSet: BaselineSet = {
  kind: 'published',
  source: 'test: headline on other data',
  description: 'published',
  scores: Object.fromEntries([...ESM, ...PG].map((id, k) => [id, { spearman: 0.3 + 0.01 * k }])),
};

function run(
  card: Partial<SynthRun> & { objective: 'mlm' | 'clm' },
  values: (i: number) => number,
  baselines: BaselineSet[],
  tier: 'smoke' | 'full' = 'full',
) {
  return syntheticRun({
    id: 'm',
    params: 1e8,
    ...card,
    tier,
    tasks: {
      fitness: { headline: 'spearman', directions: { spearman: true }, items: items(N, (i) => ({ spearman: values(i) })), baselines },
    },
  });
}

const bundledCard = (name: string) =>
  JSON.parse(readFileSync(new URL(`../models/${name}.card.json`, import.meta.url), 'utf8')) as {
    id: string;
    objective: 'mlm' | 'clm';
    params: number;
    trainTokens: number;
  };

describe('scaling: a verdict only where compute is matched (issue 13)', () => {
  it('the bundled example models (about 5e13 FLOPs): out-of-range with the gap for every ESM-2 and ProGen2 comparison, no better/worse anywhere, both tiers, every kind of baseline', () => {
    for (const name of ['plm-mlm-mini', 'plm-clm-mini']) {
      const card = bundledCard(name);
      const C = 6 * card.params * card.trainTokens;
      expect(C).to.be.within(4e13, 6e13);
      // Registered same-data runs of ESM-2 8M and 35M exports on the very items (same tier, seed, version).
      const regRuns = (tier: 'smoke' | 'full'): RegisteredRuns => ({
        file: 'test',
        sha256: null,
        runs: ['esm2-8m', 'esm2-35m'].map((id, k) =>
          registeredFromRun(
            run({ id, objective: 'mlm', params: 1, trainTokens: 1 }, (i) => baseValue(k, i), [], tier),
            '0'.repeat(64),
            registry,
            {},
          ),
        ),
      });
      for (const tier of ['smoke', 'full'] as const) {
        for (const reg of [none, regRuns(tier)]) {
          // The model beats every baseline on every item: only the compute rule can stop a verdict.
          const r = run(
            { id: card.id, objective: card.objective, params: card.params, trainTokens: card.trainTokens },
            (i) => 0.9 + 0.001 * i,
            [sameDataSet(ESM), sameDataSet(PG), publishedSet],
            tier,
          );
          const mc = matchedCompute(r, { registry, laws, registered: reg });
          expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
          expect(mc.version).to.equal(2);
          const fams = mc.comparisons.map((c) => c.family).sort();
          expect(fams, `${name} ${tier}`).to.deep.equal(['esm2', 'progen2']);
          for (const c of mc.comparisons) {
            expect(c.verdict, `${name} ${tier} ${c.family} ${c.origin}`).to.equal('out-of-range');
            const nearest = c.family === 'esm2' ? 'esm2-8m' : 'progen2-small';
            expect(c.computeGap).to.deep.equal({ side: 'below', decades: Math.log10(flops(nearest) / C), nearest });
            expect(c.verdictReason).to.match(
              new RegExp(
                `compute not matched: the model's C = 5\\.\\d{3}e13 FLOPs is ${c.computeGap!.decades.toFixed(2)} decades below ${c.family}'s compute range`,
              ),
            );
            expect(c.intervalNote).to.match(/shown for orientation only/);
          }
          expect(mc.comparisons.find((c) => c.family === 'esm2')!.computeGap!.decades).to.be.closeTo(5.95, 0.01);
          expect(mc.comparisons.find((c) => c.family === 'progen2')!.computeGap!.decades).to.be.closeTo(6.8, 0.01);
          expect(mc.comparisons.some((c) => ['better', 'worse', 'indistinguishable', 'uncertain'].includes(c.verdict))).to.equal(false);
          // The model's compute against each family's range, in words.
          expect(mc.model.families.map((f) => [f.family, f.side])).to.deep.equal([
            ['esm2', 'below'],
            ['progen2', 'below'],
          ]);
          expect(mc.model.families[0]!.text).to.match(/NOT matched, no verdict against esm2/);
        }
      }
    }
  });

  it('a card at 1e20 FLOPs: real interpolated verdicts against ESM-2 (between 8M and 35M), each checked by hand; out-of-range against ProGen2 (below its smallest model)', () => {
    const C = 1e20;
    const w = (Math.log10(C) - Math.log10(flops('esm2-8m'))) / (Math.log10(flops('esm2-35m')) - Math.log10(flops('esm2-8m')));
    const expected = (values: (i: number) => number) => {
      const b = Array.from({ length: N }, (_, i) => baseValue(0, i) + w * (baseValue(1, i) - baseValue(0, i)));
      const m = Array.from({ length: N }, (_, i) => values(i));
      return pairedBootstrapMeanDiff(b, m, { rng: new Rng('0').fork('matched-compute|fitness|spearman|esm2'), resamples: 1000 }).ci!;
    };
    const cases: [string, (i: number) => number, Comparison['verdict']][] = [
      ['better', (i) => baseValue(1, i) + 0.05, 'better'],
      ['worse', (i) => baseValue(0, i) - 0.05, 'worse'],
      // Alternating +-0.03 around the interpolated baseline: the interval contains 0.
      ['indistinguishable', (i) => baseValue(0, i) + w * 0.04 + (i % 2 === 0 ? 0.03 : -0.03), 'indistinguishable'],
    ];
    for (const [label, values, verdict] of cases) {
      const r = run({ objective: 'mlm', trainFlops: C }, values, [sameDataSet(ESM), sameDataSet(PG)]);
      const mc = matchedCompute(r, { registry, laws, registered: none });
      expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
      const esm = mc.comparisons.find((c) => c.family === 'esm2')!;
      expect(esm.weight).to.be.closeTo(w, 1e-12);
      expect([esm.lower.id, esm.upper.id]).to.deep.equal(['esm2-8m', 'esm2-35m']);
      expect(esm.computeGap).to.equal(null);
      expect(esm.computeInterval).to.equal(null); // ESM-2's compute is exact, and so is the card's
      const ci = expected(values);
      expect(esm.deltaCi95![0]).to.be.closeTo(ci[0], 1e-12);
      expect(esm.deltaCi95![1]).to.be.closeTo(ci[1], 1e-12);
      expect(esm.verdict, label).to.equal(verdict);
      expect(esm.verdictReason).to.match(
        /^compute matched: C = 1\.000e20 FLOPs is inside esm2's compute range \(4\.501e19 to 4\.902e22 FLOPs\)/,
      );
      const pg = mc.comparisons.find((c) => c.family === 'progen2')!;
      expect(pg.verdict).to.equal('out-of-range');
      expect(pg.computeGap!.nearest).to.equal('progen2-small');
      expect(mc.model.families.map((f) => f.side)).to.deep.equal(['inside', 'below']);
    }
  });

  it('no tolerance: just below the smallest point is out-of-range, the point itself is matched', () => {
    const at = matchedCompute(
      run({ objective: 'mlm', trainFlops: flops('esm2-8m') }, (i) => baseValue(3, i), [sameDataSet(ESM)]),
      { registry, laws, registered: none },
    ).comparisons[0]!;
    expect(at.computeGap).to.equal(null);
    expect(at.verdict).to.equal('better');
    const below = matchedCompute(
      run({ objective: 'mlm', trainFlops: flops('esm2-8m') / 1.01 }, (i) => baseValue(3, i), [sameDataSet(ESM)]),
      { registry, laws, registered: none },
    ).comparisons[0]!;
    expect(below.verdict).to.equal('out-of-range');
    expect(below.computeGap!.decades).to.be.closeTo(Math.log10(1.01), 1e-12);
  });
});

describe('scaling: compute intervals make a flipping verdict uncertain (issue 13)', () => {
  it("ProGen2 token ranges: a model just above progen2-small's point compute but below its high end is uncertain; the scenarios are recorded", () => {
    const small = model('progen2-small');
    expect(small.trainFlops.range).to.deep.equal([6 * small.params.nonEmbedding! * 1.75e11, 6 * small.params.nonEmbedding! * 4e11]);
    const C = 3.4e20; // point 3.173e20 < C < high end 3.626e20
    const r = run({ objective: 'clm', trainFlops: C }, (i) => baseValue(3, i), [sameDataSet(PG)]);
    const mc = matchedCompute(r, { registry, laws, registered: none });
    expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
    const c = mc.comparisons.find((x) => x.family === 'progen2')!;
    expect(c.computeGap).to.equal(null);
    expect(c.verdict).to.equal('uncertain');
    expect(c.verdictReason).to.match(
      /but the verdict \(better at the point estimates\) is out-of-range with the model at 3\.400e20 FLOPs and the progen2 points at the high end of their compute ranges/,
    );
    expect(c.computeInterval!.model).to.deep.equal([C, C]);
    expect(c.computeInterval!.scenarios).to.deep.equal([
      { model: C, baseline: 'point', verdict: 'better' },
      { model: C, baseline: 'low', verdict: 'better' },
      { model: C, baseline: 'high', verdict: 'out-of-range' },
    ]);
  });

  it('a verdict that holds over the intervals stays, with the scenarios recorded', () => {
    const C = Math.sqrt(flops('progen2-medium') * flops('progen2-large'));
    const c = matchedCompute(
      run({ objective: 'clm', trainFlops: C }, (i) => baseValue(3, i) + 0.2, [sameDataSet(PG)]),
      { registry, laws, registered: none },
    ).comparisons.find((x) => x.family === 'progen2')!;
    expect(c.verdict).to.equal('better');
    expect(c.verdictReason).to.match(/the verdict holds over the compute intervals/);
    expect(c.computeInterval!.scenarios.map((s) => s.verdict)).to.deep.equal(['better', 'better', 'better']);
  });

  it("the model card's trainFlopsRange: a verdict that flips inside it is uncertain", () => {
    // Halfway between esm2-35m and esm2-150m the baseline is esm2-35m's + 0.02 on every item; the model is
    // + 0.03 (+-0.002): better there, but worse than esm2-150m (+ 0.04) at the high end of its range.
    const lo = flops('esm2-35m');
    const C = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));
    const r = run({ objective: 'mlm', trainFlops: C }, (i) => baseValue(1, i) + 0.03 + (i % 2 === 0 ? 0.002 : -0.002), [sameDataSet(ESM)]);
    r.model.card['trainFlopsRange'] = [lo, flops('esm2-150m')];
    const c = matchedCompute(r, { registry, laws, registered: none }).comparisons.find((x) => x.family === 'esm2')!;
    expect(c.computeInterval!.model).to.deep.equal([lo, flops('esm2-150m')]);
    const at = Object.fromEntries(c.computeInterval!.scenarios.map((s) => [s.model, s.verdict]));
    expect(at[C]).to.equal('better');
    expect(at[flops('esm2-150m')]).to.equal('worse');
    expect(c.verdict).to.equal('uncertain');
  });
});

describe('scaling: same protocol and same items as the baseline (issue 13 items 5 and 7)', () => {
  const C = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));

  it('protocol.same false: protocol-differs with both protocol names, no better/worse; same true: the verdict, protocol recorded', () => {
    const differs = sameDataSet(ESM, { protocol: { baseline: 'proteingym-progen2', run: 'causal-llr', same: false } });
    const r = run({ objective: 'mlm', trainFlops: C }, (i) => baseValue(5, i), [differs]);
    const mc = matchedCompute(r, { registry, laws, registered: none });
    expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
    const c = mc.comparisons.find((x) => x.family === 'esm2')!;
    expect(c.verdict).to.equal('protocol-differs');
    expect(c.protocol).to.deep.equal({ baseline: 'proteingym-progen2', run: 'causal-llr', same: false });
    expect(c.verdictReason).to.match(/scored with protocol proteingym-progen2, this run with causal-llr/);
    const same = sameDataSet(ESM, { protocol: { baseline: 'proteingym-progen2', run: 'proteingym-progen2', same: true } });
    const ok = matchedCompute(
      run({ objective: 'mlm', trainFlops: C }, (i) => baseValue(5, i), [same]),
      { registry, laws, registered: none },
    ).comparisons.find((x) => x.family === 'esm2')!;
    expect(ok.verdict).to.equal('better');
    expect(ok.protocol!.same).to.equal(true);
  });

  it("smoke tier: never a same-data verdict against the task's full-data numbers (not-comparable, said why); a registered smoke run on the same items still gives one", () => {
    const r = run({ objective: 'mlm', trainFlops: C }, (i) => baseValue(5, i), [sameDataSet(ESM)], 'smoke');
    const c = matchedCompute(r, { registry, laws, registered: none }).comparisons.find((x) => x.family === 'esm2')!;
    expect(c.kind).to.equal('same-data');
    expect(c.verdict).to.equal('not-comparable');
    expect(c.verdictReason).to.match(
      /^smoke-tier run: it scores a seeded subset of the items, while the esm2 numbers of the task's baseline set are full-data values/,
    );
    const reg: RegisteredRuns = {
      file: 'test',
      sha256: null,
      runs: ['esm2-35m', 'esm2-150m'].map((id, k) =>
        registeredFromRun(
          run({ id, objective: 'mlm', params: 1, trainTokens: 1 }, (i) => baseValue(1 + k, i), [], 'smoke'),
          '0'.repeat(64),
          registry,
          {},
        ),
      ),
    };
    const withReg = matchedCompute(r, { registry, laws, registered: reg });
    const viaReg = withReg.comparisons.find((x) => x.family === 'esm2')!;
    expect(withReg.notes).to.deep.equal([]);
    expect(viaReg.origin).to.equal('registered');
    expect(viaReg.verdict).to.equal('better');
  });
});

describe('scaling: law sets in the run and multi-stage training (issue 13 items 2 and 4)', () => {
  it("the run records the law set and the N/N_opt spread; --law (option) and the card's scalingLaw select another; an unknown card law is E_CARD", () => {
    const r = run({ objective: 'mlm', params: 651000320, trainTokens: 1e12 }, (i) => baseValue(3, i), []);
    const mc = matchedCompute(r, { registry, laws, registered: none });
    expect(mc.model.law).to.equal('cheng2024-released');
    expect(mc.model.lawSpread.map((s) => s.byLaw.length)).to.deep.equal([2, 2]);
    expect(mc.model.lawSpread[0]!.factor).to.be.above(1);
    expect(matchedCompute(r, { registry, laws, registered: none, law: 'cheng2024-paper-exponents' }).model.law).to.equal(
      'cheng2024-paper-exponents',
    );
    r.model.card['scalingLaw'] = 'cheng2024-paper-exponents';
    const viaCard = matchedCompute(r, { registry, laws, registered: none });
    expect(viaCard.model.law).to.equal('cheng2024-paper-exponents');
    expect(viaCard.model.frontier[0]!.nRatio).to.be.closeTo(0.1848, 0.0001);
    r.model.card['scalingLaw'] = 'nope';
    expect(() => matchedCompute(r, { registry, laws, registered: none, lawSets: loadLawSets() })).to.throw(
      BenchError,
      /the card's scalingLaw: unknown scaling law "nope"/,
    );
  });

  it('stages: compute is the sum (CLM then MLM), tokens the sum, each stage kept; the run validates', () => {
    const c = trainingCompute(
      {
        params: 1e8,
        stages: [
          { objective: 'clm', tokens: 2e10 },
          { objective: 'mlm', flops: 3e19, note: 'transfer' },
        ],
      },
      1,
    );
    expect(c.flops).to.equal(6 * 1e8 * 2e10 + 3e19);
    expect(c.flopsSource).to.equal('card.stages');
    expect(c.tokens).to.equal(2e10 + 3e19 / 6e8);
    expect(c.tokensSource).to.equal('card.stages');
    expect(c.stages).to.deep.equal([
      { objective: 'clm', tokens: 2e10, flops: 1.2e19, flopsSource: '6ND' },
      { objective: 'mlm', tokens: 5e10, flops: 3e19, flopsSource: 'card.flops', note: 'transfer' },
    ]);
    const r = run({ objective: 'mlm' }, (i) => baseValue(1, i), [sameDataSet(ESM)]);
    r.model.card['stages'] = [
      { objective: 'clm', tokens: 2e10 },
      { objective: 'mlm', flops: 3e19 },
    ];
    const mc = matchedCompute(r, { registry, laws, registered: none });
    expect(mc.model.compute.flops).to.equal(4.2e19);
    expect(schemaErrors('run', { ...r, matchedCompute: mc })).to.deep.equal([]);
    expect(mc.comparisons[0]!.verdict).to.equal('out-of-range'); // 4.2e19 < ESM-2 8M's 4.5e19
  });

  it('card validation: stages next to a different trainTokens / trainFlops, a stage without tokens or flops, and a bad trainFlopsRange are refused (E_CARD)', () => {
    const base = { id: 'x', objective: 'mlm', vocab: 'esm', maxLength: 64 } as unknown as ModelCard;
    expect(
      computeConflict({
        ...base,
        stages: [
          { objective: 'clm', tokens: 1e9 },
          { objective: 'mlm', tokens: 2e9 },
        ],
        trainTokens: 3e9,
      }),
    ).to.equal(null);
    expect(computeConflict({ ...base, stages: [{ objective: 'clm', tokens: 1e9 }], trainTokens: 2e9 })).to.match(
      /trainTokens 2000000000 is not the sum of the stages' tokens \(1000000000\)/,
    );
    expect(computeConflict({ ...base, stages: [{ objective: 'clm', tokens: 1e9 }], trainFlops: 1e19 })).to.match(/a stage gives no flops/);
    expect(computeConflict({ ...base, stages: [{ objective: 'clm' }] })).to.match(/stages\[0\] gives neither tokens nor flops/);
    expect(computeConflict({ ...base, trainFlops: 1e20, trainFlopsRange: [2e20, 3e20] })).to.match(/not inside trainFlopsRange/);
    expect(computeConflict({ ...base, trainFlopsRange: [3e20, 2e20] })).to.match(/not ordered/);
    const dir = tempDir();
    const onnx = join(dir, 'm.onnx');
    writeFileSync(onnx, readFileSync(new URL('../models/plm-mlm-mini.onnx', import.meta.url)));
    const card = join(dir, 'c.json');
    writeFileSync(card, JSON.stringify({ ...base, stages: [{ objective: 'clm', tokens: 1e9 }], trainTokens: 2e9 }));
    expect(() => resolveCard(onnx, readOnnxFile(onnx), { cardPath: card })).to.throw(
      BenchError,
      /c\.json: invalid model card: trainTokens 2000000000 is not the sum/,
    );
    writeFileSync(card, JSON.stringify({ ...base, stages: [{ objective: 'seq2seq', tokens: 1e9 }] }));
    expect(() => resolveCard(onnx, readOnnxFile(onnx), { cardPath: card })).to.throw(BenchError, /invalid model card/);
  });
});
