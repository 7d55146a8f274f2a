import { expect } from 'chai';
import { loadBaselineRegistry, loadScalingLaws, matchedCompute, registeredFromRun, type RegisteredRuns } from '../src/scaling/index.js';
import type { RunResult } from '../src/report/run-result.js';
import { schemaErrors } from '../src/util/schema.js';
import { items, syntheticRun, type SynthRun } from './golden/scaling/runs.js';

// A registered run of a baseline export is same-data for a later run's task only when it scored the
// same items the same way: same tier, same task options, same seed on the smoke tier, same per-item n.
const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const flops = (id: string) => registry.models.find((m) => m.id === id)!.trainFlops.value!;
const midC = Math.sqrt(flops('esm2-35m') * flops('esm2-150m'));
const B35 = [0.3, 0.28, 0.41, 0.2, 0.36, 0.31, 0.25, 0.45, 0.33, 0.29];
const B150 = [0.38, 0.33, 0.5, 0.27, 0.45, 0.37, 0.31, 0.55, 0.41, 0.35];
const MODEL = [0.41, 0.35, 0.52, 0.28, 0.47, 0.39, 0.33, 0.58, 0.44, 0.36];

type Extra = Partial<Pick<SynthRun, 'tier' | 'seed' | 'options'>> & { n?: number };

function fitness(id: string, values: number[], extra: Extra, card: Partial<SynthRun>): RunResult {
  const run = syntheticRun({
    id,
    objective: 'mlm',
    ...card,
    ...(extra.tier ? { tier: extra.tier } : {}),
    ...(extra.seed !== undefined ? { seed: extra.seed } : {}),
    ...(extra.options ? { options: extra.options } : {}),
    tasks: { fitness: { headline: 'spearman', directions: { spearman: true }, items: items(10, (i) => ({ spearman: values[i]! })) } },
  });
  // Per-item n: the number of variants scored per assay (300 on the smoke tier, all of them on the full tier).
  if (extra.n !== undefined) for (const it of (run.tasks['fitness'] as { items: { n: number }[] }).items) it.n = extra.n;
  return run;
}

function registered(extra: Extra): RegisteredRuns {
  const reg = (id: string, values: number[]) =>
    registeredFromRun(fitness(id, values, extra, { params: 1, trainTokens: 1 }), '0'.repeat(64), registry, {});
  return { file: 'test', sha256: null, runs: [reg('esm2-35m', B35), reg('esm2-150m', B150)] };
}

function compare(regExtra: Extra, runExtra: Extra) {
  const mc = matchedCompute(fitness('my-model', MODEL, runExtra, { params: 1e8, trainFlops: midC }), {
    registry,
    laws,
    registered: registered(regExtra),
  });
  return { c: mc.comparisons.find((x) => x.family === 'esm2')!, notes: mc.notes.join('\n') };
}

describe('scaling: registered runs are same-data only for the same tier, options, smoke seed and per-item n', () => {
  it('control: everything equal (smoke, seed 0, no options, n 300) -> the registered runs are the curve', () => {
    const { c, notes } = compare({ n: 300 }, { n: 300 });
    expect(c).to.include({ origin: 'registered', kind: 'same-data' });
    expect(notes).to.equal('');
  });

  it('a registered smoke run is not same-data for a full-tier run, even on the same item ids', () => {
    const { c, notes } = compare({ tier: 'smoke' }, { tier: 'full' });
    expect(c.origin).to.not.equal('registered');
    expect(notes).to.match(
      /registered run esm2-35m \(run synthetic-esm2-35m\), fitness: tier smoke vs full here: not used as a same-data baseline for fitness/,
    );
    expect(notes).to.match(/registered run esm2-150m .*tier smoke vs full/);
  });

  it('other task options (another scoring strategy) -> not same-data, the options named', () => {
    const { c, notes } = compare({ options: { fitness: { strategy: 'wt-marginals' } } }, {});
    expect(c.origin).to.not.equal('registered');
    expect(notes).to.match(/registered run esm2-35m .*fitness: options \{"strategy":"wt-marginals"\} vs \{\} here/);
    // Exact equality of the option maps: an option given explicitly is not the same as one left unset.
    expect(compare({ options: { fitness: { strategy: 'masked-marginals' } } }, {}).c.origin).to.not.equal('registered');
    // Key order does not matter.
    const same = compare({ options: { fitness: { a: '1', b: '2' } } }, { options: { fitness: { b: '2', a: '1' } } });
    expect(same.c.origin).to.equal('registered');
  });

  it('smoke runs of another seed -> not same-data; full runs of another seed are', () => {
    const { c, notes } = compare({ seed: 0 }, { seed: 1 });
    expect(c.origin).to.not.equal('registered');
    expect(notes).to.match(/registered run esm2-35m .*fitness: smoke-tier seed 0 vs 1 here/);
    expect(compare({ tier: 'full', seed: 0 }, { tier: 'full', seed: 1 }).c.origin).to.equal('registered');
  });

  it('the same item ids with another per-item n (variants per assay) -> not same-data', () => {
    const { c, notes } = compare({ n: 300 }, { n: 2000 });
    expect(c.origin).to.not.equal('registered');
    expect(notes).to.match(
      /registered run esm2-35m .*fitness: per-item n differs on 10 of 10 items \(e\.g\. item-000: n 300 registered, 2000 here\)/,
    );
  });

  it('records the options and per-item n it compares (valid store), and an entry without them is not trusted', () => {
    const r = registered({ options: { fitness: { strategy: 'wt-marginals' } }, n: 7 });
    const t = r.runs[0]!.tasks['fitness']!;
    expect(t.options).to.deep.equal({ strategy: 'wt-marginals' });
    expect(t.itemN!['item-003']).to.equal(7);
    expect(schemaErrors('baseline-runs', { schemaVersion: 1, source: 'test', runs: JSON.parse(JSON.stringify(r.runs)) })).to.deep.equal([]);
    // A store written before options and n were recorded.
    const old = registered({});
    for (const x of old.runs) {
      delete (x.tasks['fitness'] as { options?: unknown }).options;
      delete (x.tasks['fitness'] as { itemN?: unknown }).itemN;
    }
    expect(schemaErrors('baseline-runs', { schemaVersion: 1, source: 'test', runs: JSON.parse(JSON.stringify(old.runs)) })).to.deep.equal(
      [],
    );
    const mc = matchedCompute(fitness('my-model', MODEL, {}, { params: 1e8, trainFlops: midC }), { registry, laws, registered: old });
    expect(mc.comparisons.find((x) => x.family === 'esm2')!.origin).to.not.equal('registered');
    expect(mc.notes.join('\n')).to.match(
      /registered run esm2-35m .*fitness: its task options were not recorded .*bench baseline add --replace/,
    );
  });
});
