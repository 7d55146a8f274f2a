import { expect } from 'chai';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import task from '../tasks/generation/index.js';
import { loadReference } from '../tasks/generation/data.js';
import { proxyParts } from '../tasks/generation/proxy.js';
import { parseFasta } from '../src/bio/index.js';
import { pearson, spearman } from '../src/metrics/index.js';
import type { LoadedModel } from '../src/model/index.js';
import { Vocabulary } from '../src/model/index.js';
import { Rng } from '../src/util/rng.js';
import { buildKvDeclaring } from '../models/fixtures/kv-declaring.js';
import { writeFixture } from '../models/fixtures/write.js';
import { testContext } from './helpers/context.js';
import { loadTestModel, siteIndependentModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

/** log softmax(row t of a [L, V] table)[token]. */
function tableLogProb(table: Float32Array, V: number, t: number, token: number): number {
  let m = -Infinity;
  for (let j = 0; j < V; j++) m = Math.max(m, table[t * V + j]!);
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(table[t * V + j]! - m);
  return table[t * V + token]! - m - Math.log(s);
}

interface Fixture {
  model: LoadedModel;
  table: Float32Array;
  vocab: Vocabulary;
}

describe('generation: end to end on known-answer models', function () {
  this.timeout(120000);
  // The validation set has proteins of up to 150 residues: the fixtures read 160 tokens.
  let gen: Fixture;
  let causalRef: Fixture;
  let maskedRef: Fixture;
  const options = { samples: '6', max_length: '40' };
  before(async () => {
    const load = async (objective: 'clm' | 'mlm', seed: number): Promise<Fixture> => {
      const m = siteIndependentModel(objective, { maxLength: 160, seed, scale: 2 });
      return { model: await loadTestModel(m.path), table: m.table, vocab: m.vocab };
    };
    gen = await load('clm', 21);
    causalRef = await load('clm', 22);
    maskedRef = await load('mlm', 23);
  });
  after(async () => {
    for (const f of [gen, causalRef, maskedRef]) await f.model.release();
  });

  const runWith = async (ref: Fixture | null, extra: Record<string, unknown> = {}) => {
    const ctx = testContext('generation', gen.model, { refModel: ref?.model ?? null, options, ...extra });
    await task.check!(ctx);
    const out = await task.run(ctx);
    const fasta = parseFasta(ctx.artifactFiles.get('generation.fasta')!, 'generation.fasta');
    return { out, fasta, ctx };
  };

  for (const kind of ['causal', 'masked'] as const) {
    it(`scores every sample with the ${kind} reference's own probabilities (re-tokenised): ppl_self, ppl_ref and plddt_proxy by hand`, async () => {
      const ref = kind === 'causal' ? causalRef : maskedRef;
      const { out, fasta, ctx } = await runWith(ref);
      const { background, biasThreshold } = loadReference(ctx.taskDir);
      const samples = fasta.filter((r) => r.id.startsWith('gen-'));
      expect(samples).to.have.length(6);
      expect(out.items.map((i) => i.id)).to.deep.equal(samples.map((r) => r.id));
      for (const [k, r] of samples.entries()) {
        const seq = r.sequence;
        // Generating model (progen2): residue i is token 1 + i, predicted by row i.
        const self = [...seq].map((a, i) => tableLogProb(gen.table, 32, i, gen.vocab.residueId(a)));
        // Reference: causal progen2 as above; masked esm: the logits at the masked position 1 + i are row 1 + i.
        const refLp = [...seq].map((a, i) =>
          kind === 'causal'
            ? tableLogProb(ref.table, 32, i, ref.vocab.residueId(a))
            : tableLogProb(ref.table, 33, 1 + i, ref.vocab.residueId(a)),
        );
        const item = out.items[k]!;
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(item.metrics['ppl_self']).to.be.closeTo(Math.exp(-mean(self)), 1e-5);
        expect(item.metrics['ppl_ref']).to.be.closeTo(Math.exp(-mean(refLp)), 1e-5);
        expect(item.metrics['plddt_proxy']).to.be.closeTo(proxyParts(seq, refLp, background, biasThreshold).plddtProxy, 1e-6);
        expect(item.metrics['contact_confidence']).to.equal(null); // no attentions output
      }
      expect(out.protocol['decoding']).to.equal('recompute');
      expect((out.protocol['reference'] as { objective: string }).objective).to.equal(kind === 'causal' ? 'clm' : 'mlm');
    });
  }

  it('reports the metrics, the natural control and the proxy validation; the FASTA holds samples and control', async () => {
    const { out, fasta } = await runWith(null);
    expect(out.headline).to.equal('plddt_proxy');
    for (const m of [
      'plddt_proxy',
      'ppl_self',
      'composition_jsd',
      'low_complexity_fraction',
      'end_fraction',
      'homolog_fraction',
      'mean_pairwise_identity',
      'clusters_50',
      'cluster_fraction',
    ]) {
      expect(out.metrics[m], m).to.not.equal(undefined);
      expect(out.metrics[m]!.n).to.equal(6);
    }
    expect(out.metrics['ppl_ref']).to.equal(undefined); // no --ref-model: the reference is the model itself
    expect((out.protocol['reference'] as { model: string }).model).to.equal('self');
    const extra = out.extra as {
      control: { metrics: Record<string, { value: number }>; items: { id: string }[] };
      proxyValidation: {
        status: string;
        plddt_proxy: { auc_natural_vs_shuffled: { value: number }; n: number };
        components: Record<string, unknown>;
      };
    };
    expect(extra.control.items.length).to.equal(6);
    expect(extra.control.metrics['end_fraction']!.value).to.equal(1);
    expect(extra.proxyValidation.status).to.equal('computed');
    expect(extra.proxyValidation.plddt_proxy.n).to.equal(12); // smoke: the 12 proteins marked tier=smoke
    expect(extra.proxyValidation.components).to.have.all.keys(
      'gain',
      'minus_composition_penalty',
      'ref_loglik',
      'contact_confidence',
      'complexity',
    );
    expect(extra.proxyValidation.components['contact_confidence']).to.equal(null);
    expect(fasta.filter((r) => r.id.startsWith('natural-')).map((r) => r.id)).to.deep.equal(extra.control.items.map((i) => i.id));
    for (const r of fasta) expect(r.sequence).to.match(/^[ACDEFGHIKLMNPQRSTVWY]+$/);
  });

  it('the same seed gives the same sample ids and sequences; another seed other ones', async () => {
    const a = await runWith(null);
    const b = await runWith(null);
    const c = await runWith(null, { rng: new Rng(5).fork('task:generation'), seed: 5 });
    expect(b.fasta).to.deep.equal(a.fasta);
    expect(b.out.metrics).to.deep.equal(a.out.metrics);
    expect(c.fasta.filter((r) => r.id.startsWith('gen-')).map((r) => r.id)).to.not.deep.equal(
      a.fasta.filter((r) => r.id.startsWith('gen-')).map((r) => r.id),
    );
  });

  it('--data generation=plddt.csv: real pLDDT beside the proxy, with their Spearman and Pearson correlations', async () => {
    const first = await runWith(null);
    const ids = first.out.items.map((i) => i.id);
    const control = (first.out.extra as { control: { items: { id: string }[] } }).control.items.map((i) => i.id);
    const values = ids.map((_, k) => 40 + 7 * k - (k % 2) * 15);
    const dir = tempDir();
    const csv = join(dir, 'plddt.csv');
    writeFileSync(csv, `id,plddt,ptm\n${ids.map((id, k) => `${id},${values[k]},0.5`).join('\n')}\n\n${control[0]},88.5,0.9\n`);
    const { out } = await runWith(null, { dataPath: csv });
    const proxy = out.items.map((i) => i.metrics['plddt_proxy']!);
    const report = (out.extra as { plddt: { samples: { n: number; spearman: number; pearson: number }; control: { n: number } } }).plddt;
    expect(report.samples.n).to.equal(6);
    expect(report.samples.spearman).to.be.closeTo(spearman(proxy, values), 1e-12);
    expect(report.samples.pearson).to.be.closeTo(pearson(proxy, values), 1e-12);
    expect(report.control.n).to.equal(1);
    expect(out.metrics['plddt']!.value).to.be.closeTo(values.reduce((a, b) => a + b, 0) / 6, 1e-12);
    expect(out.items.map((i) => i.metrics['plddt'])).to.deep.equal(values);
    expect(out.data.map((d) => d.file)).to.include(csv);
  });

  it('an export that declares past_key_values inputs is skipped with the reason (no KV cache is fed)', async () => {
    const dir = tempDir();
    const V = 32;
    const table = new Float32Array(160 * V).map((_, i) => Math.sin(i));
    const path = writeFixture(dir, 'kv', buildKvDeclaring({ table, vocabSize: V, maxLength: 160 }), {
      id: 'kv',
      objective: 'clm',
      vocab: 'progen2',
      maxLength: 160,
      trainTokens: 1e6,
    });
    const model = await loadTestModel(path);
    try {
      expect(model.io.pastInputs).to.deep.equal(['past_key_values.0.key']);
      const ctx = testContext('generation', model, { options });
      await task.check!(ctx);
      let reason = '';
      try {
        await task.run(ctx);
      } catch (e) {
        reason = (e as { name: string; reason: string }).name === 'TaskSkip' ? (e as { reason: string }).reason : String(e);
      }
      expect(reason).to.match(
        /declares incremental-decoding inputs \(past_key_values\.0\.key\).*does not feed a KV cache.*without past_key_values/,
      );
    } finally {
      await model.release();
    }
  });
});
