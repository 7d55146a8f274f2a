import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadBaselineRegistry } from '../src/scaling/index.js';
import { schemaErrors } from '../src/util/schema.js';

const golden = JSON.parse(readFileSync(new URL('./golden/scaling/param_counts.json', import.meta.url), 'utf8')) as Record<
  string,
  { total: number; nonEmbedding: number; tokens: number; flops: number }
>;

// The sizes the papers and model cards publish, to check the architecture-derived counts against.
const NOMINAL: Record<string, number> = {
  'esm2-8m': 8e6,
  'esm2-35m': 35e6,
  'esm2-150m': 150e6,
  'esm2-650m': 650e6,
  'esm2-3b': 3e9,
  'esm2-15b': 15e9,
  'progen2-small': 151e6,
  'progen2-medium': 764e6,
  'progen2-base': 764e6,
  'progen2-large': 2.7e9,
  'progen2-xlarge': 6.4e9,
};

describe('scaling: baseline registry (results/baselines/models.json)', () => {
  const reg = loadBaselineRegistry();
  const raw = JSON.parse(readFileSync(new URL('../results/baselines/models.json', import.meta.url), 'utf8')) as {
    models: Record<string, unknown>[];
  };

  it('is valid against its schema and lists exactly the agreed baseline ids', () => {
    expect(schemaErrors('baselines', raw)).to.deep.equal([]);
    expect(reg.models.map((m) => m.id).sort()).to.deep.equal(
      [
        'esm2-8m',
        'esm2-35m',
        'esm2-150m',
        'esm2-650m',
        'esm2-3b',
        'esm2-15b',
        'progen2-small',
        'progen2-medium',
        'progen2-base',
        'progen2-large',
        'progen2-xlarge',
        'site-independent',
      ].sort(),
    );
    expect(reg.families['esm2']!.objective).to.equal('mlm');
    expect(reg.families['progen2']!.objective).to.equal('clm');
  });

  it('parameter counts, tokens and FLOPs equal the independent module-by-module count (param_counts.py)', () => {
    for (const [id, g] of Object.entries(golden)) {
      const m = reg.models.find((x) => x.id === id)!;
      expect(m.params.nonEmbedding, id).to.equal(g.nonEmbedding);
      expect(m.params.total, id).to.equal(g.total);
      expect(m.trainTokens.value, id).to.equal(g.tokens);
      expect(m.trainFlops.value! / g.flops, id).to.be.closeTo(1, 1e-12);
      expect(m.trainFlops.value! / (6 * m.params.nonEmbedding! * m.trainTokens.value!), id).to.be.closeTo(1, 1e-12);
    }
  });

  it('totals agree with the published sizes (within 15%) and non-embedding is below total', () => {
    for (const [id, n] of Object.entries(NOMINAL)) {
      const m = reg.models.find((x) => x.id === id)!;
      expect(Math.abs(m.params.total! - n) / n, id).to.be.below(0.15);
      expect(m.params.nonEmbedding!, id).to.be.below(m.params.total!);
    }
  });

  it('ESM-2 650M: N = 651,000,320 non-embedding of 651,043,254 total, 1e12 tokens, C = 3.906e21', () => {
    const m = reg.models.find((x) => x.id === 'esm2-650m')!;
    expect(m.params.nonEmbedding).to.equal(651000320);
    expect(m.params.total).to.equal(651043254);
    expect(m.trainTokens.value).to.equal(1e12);
    expect(m.trainFlops.value).to.be.closeTo(3.906e21, 1e18);
    expect(m.params.estimate).to.equal(false);
  });

  it('flags estimates with a reason: ESM-2 15B tokens, every ProGen2 token count', () => {
    const esm15 = reg.models.find((x) => x.id === 'esm2-15b')!;
    expect(esm15.trainTokens.estimate).to.equal(true);
    expect(esm15.trainTokens.reason).to.match(/batch size/);
    for (const m of reg.models.filter((x) => x.family === 'progen2')) {
      expect(m.trainTokens.estimate, m.id).to.equal(true);
      expect(m.trainTokens.source, m.id).to.match(/350 billion tokens/);
      expect(m.trainTokens.range, m.id).to.be.an('array').with.length(2);
    }
    for (const m of reg.models) {
      for (const f of [m.params, m.trainTokens, m.trainFlops]) if (f.estimate) expect(f.reason, m.id).to.be.a('string').and.not.empty;
    }
  });

  it('the schema refuses an estimate without a reason', () => {
    const bad = JSON.parse(JSON.stringify(raw)) as { models: { trainTokens: { reason?: string } }[] };
    delete bad.models[5]!.trainTokens.reason; // esm2-15b
    expect(schemaErrors('baselines', bad).join('\n')).to.match(/reason/);
  });

  it('one curve point per compute value: progen2-base (same compute as medium) and site-independent are not interpolated', () => {
    const curve = reg.models.filter((m) => m.interpolate);
    for (const fam of ['esm2', 'progen2']) {
      const flops = curve.filter((m) => m.family === fam).map((m) => m.trainFlops.value);
      expect(new Set(flops).size, fam).to.equal(flops.length);
    }
    expect(reg.models.find((m) => m.id === 'progen2-base')!.interpolate).to.equal(false);
    expect(reg.models.find((m) => m.id === 'site-independent')!.trainFlops.value).to.equal(null);
  });

  it('published scores carry their source and kind published', () => {
    const m = reg.models.find((x) => x.id === 'esm2-650m')!;
    expect(m.published[0]).to.include({ kind: 'published', value: 0.419 });
    expect(m.published[0]!.source).to.match(/ProteinGym.*f35cfd490e7a/);
  });
});
