import { expect } from 'chai';
import { buildLeaderboard } from '../src/report/leaderboard.js';
import { loadBaselineRegistry, loadScalingLaws, type RegisteredRuns, type RunFile } from '../src/scaling/index.js';
import type { RunResult } from '../src/report/run-result.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';
import { items, syntheticRun } from './golden/scaling/runs.js';

// Runs are ranked in one table of a task only when they measured the same thing: same tier, the same
// seed on the smoke tier, the same task options, the same effective protocol (protocol.source of any two
// runs; protocol.strategy of runs of the same objective, since a task's strategies are per objective),
// and, for reference-dependent metrics, the same reference model. Otherwise: separate tables, with why.
const registry = loadBaselineRegistry();
const laws = loadScalingLaws();
const registered: RegisteredRuns = { file: 'none', sha256: null, runs: [] };
const harness = { version: '0.1.0', commit: null };
const file = (run: RunResult): RunFile => ({ path: `${run.runId}.json`, sha256: 'f'.repeat(64), run });
const board = (...runs: RunResult[]) => buildLeaderboard({ runs: runs.map(file), registry, laws, registered, harness });
const withProtocol = (run: RunResult, task: string, protocol: Record<string, unknown>) => {
  (run.tasks[task] as { protocol: Record<string, unknown> }).protocol = protocol;
  return run;
};
const tables = (b: ReturnType<typeof board>, task: string) =>
  b.tasks[task]!.tables.map((t) => ({ ids: t.ids, apart: t.apart.map((x) => `${x.table}: ${x.detail}`) }));

describe('leaderboard: separate tables for runs scored differently, each saying why', () => {
  it('smoke runs of different seeds (the seed may choose the subset)', () => {
    expect(tables(board(maskedA({ seed: 0 }), maskedB({ seed: 3 })), 'fitness')).to.deep.equal([
      { ids: ['masked-a'], apart: [] },
      { ids: ['masked-b'], apart: ['1: smoke-tier seed 0 vs 3'] },
    ]);
  });

  it('full runs of different seeds are ranked together', () => {
    expect(tables(board(maskedA({ tier: 'full', seed: 0 }), maskedB({ tier: 'full', seed: 3 })), 'fitness')).to.deep.equal([
      { ids: ['masked-a', 'masked-b'], apart: [] },
    ]);
  });

  it('options: an explicit value differs from none; the same map in another key order does not', () => {
    expect(
      tables(board(maskedA(), maskedB({ options: { fitness: { strategy: 'masked-marginals' } } })), 'fitness')[1]!.apart,
    ).to.deep.equal(['1: options {} vs {"strategy":"masked-marginals"}']);
    expect(
      tables(
        board(maskedA({ options: { fitness: { a: '1', b: '2' } } }), maskedB({ options: { fitness: { b: '2', a: '1' } } })),
        'fitness',
      ),
    ).to.have.length(1);
  });

  it('two masked models scored with different fitness strategies', () => {
    const b = board(
      withProtocol(maskedA(), 'fitness', { strategy: 'masked-marginals' }),
      withProtocol(maskedB(), 'fitness', { strategy: 'wt-marginals' }),
    );
    expect(tables(b, 'fitness')[1]!.apart).to.deep.equal(['1: protocol.strategy masked-marginals vs wt-marginals (both mlm)']);
    expect(b.tasks['fitness']!.tables.map((t) => t.protocol.strategies)).to.deep.equal([
      { mlm: 'masked-marginals' },
      { mlm: 'wt-marginals' },
    ]);
  });

  it('one model with a contacts head: contacts ranked apart, the board is built and the other tasks rank every run', () => {
    const contacts = () => ({
      headline: 'p_at_l_long',
      directions: { p_at_l_long: true },
      items: items(8, (i) => ({ p_at_l_long: 0.1 + 0.01 * i })),
    });
    const run = (id: string, objective: 'mlm' | 'clm', source: string) => {
      const r = syntheticRun({
        id,
        objective,
        params: 1e7,
        trainTokens: 1e10,
        tasks: {
          contacts: contacts(),
          fitness: { headline: 'spearman', directions: { spearman: true }, items: items(8, (i) => ({ spearman: 0.2 + 0.01 * i })) },
        },
      });
      return withProtocol(r, 'contacts', { source });
    };
    const b = board(run('attn-1', 'mlm', 'attentions'), run('attn-2', 'clm', 'attentions'), run('head', 'mlm', 'contacts'));
    expect(tables(b, 'contacts')).to.deep.equal([
      { ids: ['attn-1', 'attn-2'], apart: [] },
      { ids: ['head'], apart: ['1: protocol.source attentions vs contacts'] },
    ]);
    expect(b.tasks['contacts']!.tables.map((t) => t.protocol.source)).to.deep.equal(['attentions', 'contacts']);
    expect(tables(b, 'fitness')).to.deep.equal([{ ids: ['attn-1', 'attn-2', 'head'], apart: [] }]);
    expect(b.entries.find((e) => e.id === 'head')!.tasks['contacts']).to.include({ table: 2, rank: 1 });
  });

  it("a masked and a causal model, each with its objective's own default strategy (same options), are ranked together", () => {
    const b = board(
      withProtocol(maskedA(), 'fitness', { strategy: 'masked-marginals' }),
      withProtocol(maskedB(), 'fitness', { strategy: 'masked-marginals' }),
      withProtocol(causalC(), 'fitness', { strategy: 'causal-llr' }),
    );
    expect(tables(b, 'fitness')).to.deep.equal([{ ids: ['causal-c', 'masked-a', 'masked-b'], apart: [] }]);
    expect(b.tasks['fitness']!.tables[0]!.protocol.strategies).to.deep.equal({ clm: 'causal-llr', mlm: 'masked-marginals' });
  });
});

describe('leaderboard: reference-dependent metrics are ranked only across runs with the same reference model', () => {
  // generation records its reference model in protocol.reference (tasks/generation/index.ts referenceInfo):
  // model "self" with the generating model's own sha256 without --ref-model, else the reference's card id and sha256.
  const SHA = (c: string) => c.repeat(64);
  const gen = (id: string, proxy: number, reference: Record<string, unknown>) =>
    withProtocol(
      syntheticRun({
        id,
        objective: 'clm',
        params: 1e6,
        trainTokens: 1e9,
        tier: 'full',
        tasks: {
          generation: {
            headline: 'plddt_proxy',
            directions: { plddt_proxy: true, composition_jsd: false },
            items: items(6, (i) => ({ plddt_proxy: proxy + 0.001 * i, composition_jsd: 0.1 })),
          },
        },
      }),
      'generation',
      { reference },
    );

  it('two runs that each scored their own samples (no --ref-model) are each alone, and say why', () => {
    const b = board(gen('gen-a', 0.08, { model: 'self', sha256: SHA('a') }), gen('gen-b', -0.38, { model: 'self', sha256: SHA('b') }));
    expect(tables(b, 'generation')).to.deep.equal([
      { ids: ['gen-a'], apart: [] },
      {
        ids: ['gen-b'],
        apart: [
          `1: reference model self (gen-a scores its own samples, sha256 aaaaaaaaaaaa) vs self (gen-b scores its own samples, sha256 bbbbbbbbbbbb): reference-dependent metrics are not ranked across reference models`,
        ],
      },
    ]);
    expect(b.tasks['generation']!.tables.map((t) => t.rankings[0]!.order.map((o) => o.rank))).to.deep.equal([[1], [1]]);
  });

  it('runs scored by the same --ref-model are ranked together; a different one is apart', () => {
    const ref = { model: 'esm2-8m', sha256: SHA('e') };
    const b = board(gen('gen-a', 0.08, ref), gen('gen-b', -0.38, ref), gen('gen-c', 0.1, { model: 'other-ref', sha256: SHA('f') }));
    expect(tables(b, 'generation')).to.deep.equal([
      { ids: ['gen-a', 'gen-b'], apart: [] },
      {
        ids: ['gen-c'],
        apart: [
          '1: reference model esm2-8m (sha256 eeeeeeeeeeee) vs other-ref (sha256 ffffffffffff): reference-dependent metrics are not ranked across reference models',
        ],
      },
    ]);
    expect(b.tasks['generation']!.tables[0]!.protocol.reference).to.equal('esm2-8m (sha256 eeeeeeeeeeee)');
    expect(b.tasks['generation']!.tables[0]!.rankings[0]!.order.map((o) => [o.id, o.rank])).to.deep.equal([
      ['gen-a', 1],
      ['gen-b', 2],
    ]);
  });
});
