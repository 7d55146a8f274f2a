import { expect } from 'chai';
import { pairedBootstrapMeanDiff } from '../src/metrics/index.js';
import { loadBaselineRegistry, loadScalingLaws, matchedCompute, registeredFromRun, type RegisteredRuns } from '../src/scaling/index.js';
import { schemaErrors } from '../src/util/schema.js';
import { Rng } from '../src/util/rng.js';
import type { BaselineSet } from '../src/task/types.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const none: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const flops = (id: string) => registry.models.find((m) => m.id === id)!.trainFlops.value!;

// Per-item Spearman of a model and of two baselines on 10 assays.
const MODEL = [0.41, 0.35, 0.52, 0.28, 0.47, 0.39, 0.33, 0.58, 0.44, 0.36];
const B35 = [0.3, 0.28, 0.41, 0.2, 0.36, 0.31, 0.25, 0.45, 0.33, 0.29];
const B150 = [0.38, 0.33, 0.5, 0.27, 0.45, 0.37, 0.31, 0.55, 0.41, 0.35];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const perItem = (xs: number[]) => Object.fromEntries(xs.map((v, i) => [`item-${String(i).padStart(3, '0')}`, { spearman: v }]));

const sameData: BaselineSet = {
  kind: 'same-data',
  source: 'test: per-assay values of two ESM-2 sizes',
  description: 'same items, aggregated as the model is (mean over items)',
  scores: { 'esm2-35m': { spearman: mean(B35) }, 'esm2-150m': { spearman: mean(B150) } },
  items: { 'esm2-35m': perItem(B35), 'esm2-150m': perItem(B150) },
};
const published: BaselineSet = {
  kind: 'published',
  source: 'test: a headline on other data',
  description: 'published, different data',
  scores: Object.fromEntries(
    ['esm2-8m', 'esm2-35m', 'esm2-150m', 'esm2-650m', 'esm2-3b', 'esm2-15b'].map((id, i) => [id, { spearman: 0.2 + 0.04 * i }]),
  ),
};

// Full tier: a smoke-tier run gets no same-data verdict against the task's (full-data) baseline numbers.
function fitnessRun(opts: {
  trainFlops?: number;
  baselines?: BaselineSet[];
  objective?: 'mlm' | 'clm';
  values?: number[];
  params?: number;
  tier?: 'smoke' | 'full';
}) {
  return syntheticRun({
    id: 'my-model',
    tier: opts.tier ?? 'full',
    objective: opts.objective ?? 'mlm',
    params: opts.params ?? 1e8,
    ...(opts.trainFlops !== undefined ? { trainFlops: opts.trainFlops } : {}),
    tasks: {
      fitness: {
        headline: 'spearman',
        directions: { spearman: true },
        items: items(10, (i) => ({ spearman: (opts.values ?? MODEL)[i]! })),
        ...(opts.baselines ? { baselines: opts.baselines } : {}),
      },
    },
  });
}

describe('scaling: matched-compute comparisons', () => {
  // Halfway between esm2-35m and esm2-150m in log10 C.
  const midC = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));

  it('same-data with per-item values: interpolated score, delta and a paired bootstrap over items', () => {
    const run = fitnessRun({ trainFlops: midC, baselines: [sameData, published] });
    const mc = matchedCompute(run, { registry, laws, registered: none });
    const c = mc.comparisons.find((x) => x.family === 'esm2' && x.metric === 'spearman')!;
    expect(c).to.include({
      kind: 'same-data',
      origin: 'task',
      primary: true,
      clamped: null,
      interval: 'paired-bootstrap-items',
      higherIsBetter: true,
    });
    expect(c.weight).to.be.closeTo(0.5, 1e-12);
    expect(c.lower.id).to.equal('esm2-35m');
    expect(c.upper.id).to.equal('esm2-150m');
    // Never mixed: the curve holds only the same-data set's two points, though the published set has six.
    expect(c.curve.map((p) => p.id)).to.deep.equal(['esm2-35m', 'esm2-150m']);
    const baseline = 0.5 * (mean(B35) + mean(B150));
    expect(c.baseline).to.be.closeTo(baseline, 1e-12);
    expect(c.delta).to.be.closeTo(mean(MODEL) - baseline, 1e-12);
    // The documented interval: paired bootstrap of model_i - (b35_i + b150_i) / 2, seeded from the run seed.
    const b = B35.map((v, i) => 0.5 * (v + B150[i]!));
    const ref = pairedBootstrapMeanDiff(b, MODEL, { rng: new Rng('0').fork('matched-compute|fitness|spearman|esm2'), resamples: 1000 });
    expect(c.deltaCi95![0]).to.be.closeTo(ref.ci![0], 1e-12);
    expect(c.deltaCi95![1]).to.be.closeTo(ref.ci![1], 1e-12);
    expect(c.deltaCi95![0]).to.be.above(0); // the model beats both sizes on every assay
    expect(c.verdict).to.equal('better');
    expect(schemaErrors('run', { ...run, matchedCompute: mc })).to.deep.equal([]);
  });

  it("both families are compared; the one of the model's objective is primary", () => {
    const mc = matchedCompute(fitnessRun({ trainFlops: midC }), { registry, laws, registered: none });
    const fams = mc.comparisons.filter((x) => x.metric === 'spearman').map((x) => [x.family, x.primary]);
    expect(fams).to.deep.equal([
      ['esm2', true],
      ['progen2', false],
    ]);
    const clm = matchedCompute(fitnessRun({ trainFlops: midC, objective: 'clm' }), { registry, laws, registered: none });
    expect(clm.comparisons.filter((x) => x.primary).map((x) => x.family)).to.deep.equal(['progen2']);
  });

  it('published registry scores stand in when the run has none, with the model interval shifted', () => {
    const C = Math.sqrt(flops('esm2-650m') * flops('esm2-3b'));
    const run = fitnessRun({ trainFlops: C });
    const mc = matchedCompute(run, { registry, laws, registered: none });
    const c = mc.comparisons.find((x) => x.family === 'esm2')!;
    expect(c).to.include({ kind: 'published', origin: 'registry', interval: 'model-ci-shifted' });
    expect(c.source).to.match(/ProteinGym/);
    expect(c.curve).to.have.length(6);
    expect(c.baseline).to.be.closeTo((0.419 + 0.41) / 2, 1e-12); // ProteinGym averages of 650M and 3B, halfway in log10 C
    const m = run.tasks['fitness'] as { metrics: Record<string, { value: number; ci95: [number, number] }> };
    expect(c.deltaCi95).to.deep.equal([m.metrics['spearman']!.ci95[0] - c.baseline, m.metrics['spearman']!.ci95[1] - c.baseline]);
    // Off-curve models are shown, never interpolated.
    expect(mc.references.map((r) => r.id).sort()).to.deep.equal(['progen2-base', 'site-independent']);
  });

  it('outside the family range: out-of-range with the gap in decades, the nearest point shown for orientation only, both sides', () => {
    const low = matchedCompute(fitnessRun({ trainFlops: 1e15 }), { registry, laws, registered: none }).comparisons.find(
      (x) => x.family === 'esm2',
    )!;
    expect(low).to.include({ clamped: 'below', baseline: 0.229, verdict: 'out-of-range' });
    expect(low.lower.id).to.equal('esm2-8m');
    expect(low.computeGap!.side).to.equal('below');
    expect(low.computeGap!.nearest).to.equal('esm2-8m');
    expect(low.computeGap!.decades).to.be.closeTo(Math.log10(flops('esm2-8m') / 1e15), 1e-12);
    expect(low.verdictReason).to.match(/4\.65 decades below esm2's compute range/);
    const high = matchedCompute(fitnessRun({ trainFlops: 1e25 }), { registry, laws, registered: none }).comparisons.find(
      (x) => x.family === 'esm2',
    )!;
    expect(high).to.include({ clamped: 'above', baseline: 0.405, verdict: 'out-of-range' });
    expect(high.upper.id).to.equal('esm2-15b');
    expect(high.computeGap).to.deep.equal({ side: 'above', decades: Math.log10(1e25 / flops('esm2-15b')), nearest: 'esm2-15b' });
  });

  it('unknown compute: no comparison, each metric and family unavailable with the reason', () => {
    const mc = matchedCompute(fitnessRun({}), { registry, laws, registered: none });
    expect(mc.comparisons).to.deep.equal([]);
    expect(mc.model.compute.flops).to.equal(null);
    expect(mc.unavailable.map((u) => u.family)).to.deep.equal(['esm2', 'progen2']);
    expect(mc.unavailable[0]!.reason).to.match(/compute unknown/);
  });

  it('a metric that is not the mean of its items falls back to the shifted interval and says why', () => {
    const odd: BaselineSet = {
      ...sameData,
      scores: { 'esm2-35m': { spearman: mean(B35) + 0.05 }, 'esm2-150m': { spearman: mean(B150) + 0.05 } },
    };
    const c = matchedCompute(fitnessRun({ trainFlops: midC, baselines: [odd] }), { registry, laws, registered: none }).comparisons.find(
      (x) => x.family === 'esm2',
    )!;
    expect(c.kind).to.equal('same-data');
    expect(c.interval).to.equal('model-ci-shifted');
    expect(c.intervalNote).to.match(/do not average to its score/);
  });

  it('registered runs of baseline exports are same-data when task version, data and items match; others are noted', () => {
    const reg = (id: string, values: number[], version = '1.0.0') =>
      registeredFromRun(
        syntheticRun({
          id,
          objective: 'mlm',
          params: 1,
          trainTokens: 1,
          tier: 'full',
          tasks: {
            fitness: { version, headline: 'spearman', directions: { spearman: true }, items: items(10, (i) => ({ spearman: values[i]! })) },
          },
        }),
        '0'.repeat(64),
        registry,
        {},
      );
    const registered: RegisteredRuns = {
      file: 'test',
      sha256: null,
      runs: [reg('esm2-35m', B35), reg('esm2-150m', B150), reg('esm2-8m', B35, '0.9.0')],
    };
    expect(registered.runs[0]!.computeSource).to.equal('registry');
    expect(registered.runs[0]!.compute.flops).to.equal(flops('esm2-35m'));
    const mc = matchedCompute(fitnessRun({ trainFlops: midC, baselines: [published] }), { registry, laws, registered });
    const c = mc.comparisons.find((x) => x.family === 'esm2')!;
    expect(c).to.include({ origin: 'registered', kind: 'same-data', interval: 'paired-bootstrap-items' });
    expect(c.curve.map((p) => p.id)).to.deep.equal(['esm2-35m', 'esm2-150m']);
    expect(c.baseline).to.be.closeTo(0.5 * (mean(B35) + mean(B150)), 1e-12);
    expect(mc.notes.join('\n')).to.match(/esm2-8m has fitness version 0\.9\.0, this run 1\.0\.0/);
  });

  it('respects the direction: lower perplexity than the baseline is better', () => {
    // Same-data: a published baseline gets no verdict (not-comparable, test/scaling.published.test.ts).
    const ppl: BaselineSet = {
      kind: 'same-data',
      source: 'test',
      description: 'same-data perplexity without per-item values',
      scores: { 'progen2-small': { perplexity: 12 }, 'progen2-medium': { perplexity: 10 } },
    };
    const run = syntheticRun({
      id: 'c',
      objective: 'clm',
      params: 1e8,
      trainFlops: Math.sqrt(flops('progen2-small') * flops('progen2-medium')),
      tier: 'full',
      tasks: {
        perplexity: {
          headline: 'perplexity',
          directions: { perplexity: false },
          items: items(20, (i) => ({ perplexity: 8 + (i % 5) * 0.1 })),
          baselines: [ppl],
        },
      },
    });
    const c = matchedCompute(run, { registry, laws, registered: none }).comparisons.find((x) => x.family === 'progen2')!;
    expect(c.baseline).to.be.closeTo(11, 1e-12);
    expect(c.delta).to.be.below(0);
    expect(c.verdict).to.equal('better');
    expect(c.higherIsBetter).to.equal(false);
  });

  it('is deterministic for the same run and data', () => {
    const run = fitnessRun({ trainFlops: midC, baselines: [sameData] });
    expect(JSON.stringify(matchedCompute(run, { registry, laws, registered: none }))).to.equal(
      JSON.stringify(matchedCompute(run, { registry, laws, registered: none })),
    );
  });

  it('refuses a card without a valid objective', () => {
    const run = fitnessRun({ trainFlops: midC });
    run.model.card['objective'] = 'seq2seq';
    expect(() => matchedCompute(run, { registry, laws, registered: none })).to.throw(/objective/);
  });
});

describe('scaling: the plain-mean aggregate pairs with its per-item metric', () => {
  it("`spearman_mean` is compared item by item through the items' `spearman` values", () => {
    const midC = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));
    const set: BaselineSet = {
      ...sameData,
      scores: { 'esm2-35m': { spearman_mean: mean(B35) }, 'esm2-150m': { spearman_mean: mean(B150) } },
    };
    const run = syntheticRun({
      id: 'agg-model',
      objective: 'mlm',
      trainFlops: midC,
      tasks: {
        fitness: {
          headline: 'spearman_mean',
          directions: { spearman_mean: true },
          // Items carry `spearman`; the run's `spearman_mean` is their mean.
          items: items(10, (i) => ({ spearman: MODEL[i]!, spearman_mean: MODEL[i]! })),
          baselines: [set],
        },
      },
    });
    for (const it of run.tasks['fitness']!.status === 'ok'
      ? (run.tasks['fitness'] as { items: { metrics: Record<string, number> }[] }).items
      : [])
      delete it.metrics['spearman_mean'];
    const mc = matchedCompute(run, { registry, laws, registered: none });
    const c = mc.comparisons.find((x) => x.family === 'esm2' && x.metric === 'spearman_mean')!;
    expect(c.interval).to.equal('paired-bootstrap-items');
  });
});
