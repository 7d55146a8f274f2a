import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { buildTransformer, transformerParams } from '../models/fixtures/transformer.js';
import { writeFixture } from '../models/fixtures/write.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { packageRoot } from '../src/util/paths.js';
import { join } from 'node:path';

async function inspectJson(path: string, extra: string[] = []): Promise<{ code: number; report: Record<string, any>; err: string }> {
  const io = memoryIo();
  const code = await main(['inspect', '--model', path, '--json', ...extra], io);
  return { code, report: code === 0 || io.out.length ? JSON.parse(io.out.join('')) : {}, err: io.err.join('') };
}

describe('bench inspect', () => {
  it('reports card, I/O roles, capabilities, counted parameters and a passing conformance check', async () => {
    const spec = { layout: 'clm' as const, layers: 2, dim: 24, heads: 3, maxLength: 100, seed: 4 };
    const path = randomTransformer('clm', spec);
    const { code, report } = await inspectJson(path);
    expect(code).to.equal(0);
    expect(report['cardSource']).to.equal('sidecar');
    expect(report['capabilities']).to.deep.equal(['attentions', 'clm', 'hidden_states', 'logits']);
    expect(report['io'].attentionMask).to.equal('attention_mask');
    expect(report['outputs'].map((o: { role: string }) => o.role)).to.deep.equal(['logits', 'hidden_states', 'attentions']);
    expect(report['params'].nonEmbedding).to.equal(transformerParams(spec).nonEmbedding);
    expect(report['params'].warning).to.equal(null);
    expect(report['conformance'].every((c: { ok: boolean }) => c.ok)).to.equal(true);
    expect(report['conformance'].map((c: { name: string }) => c.name)).to.include.members([
      'int64 input_ids accepted',
      'logits width = vocabulary size',
      'attention rows sum to 1',
      'right padding leaves real positions unchanged',
    ]);
    expect(report['ep']).to.equal('cpu');
    expect(report['epFallbacks'].map((f: { ep: string }) => f.ep)).to.deep.equal(['cuda', 'webgpu']);
  });

  it('honours the card io map (renamed outputs, last_hidden_state alias)', async () => {
    const dir = tempDir();
    const path = writeFixture(
      dir,
      'renamed',
      buildTransformer({
        layout: 'mlm',
        layers: 1,
        dim: 16,
        heads: 2,
        maxLength: 64,
        seed: 1,
        names: { logits: 'lm_logits', hidden_states: 'last_hidden_state', attentions: 'attn' },
      }),
      {
        id: 'renamed',
        objective: 'mlm',
        vocab: 'esm',
        maxLength: 64,
        io: { logits: 'lm_logits', attentions: 'attn' },
      },
    );
    const { code, report } = await inspectJson(path);
    expect(code).to.equal(0);
    expect(report['io'].outputs).to.deep.equal({ logits: 'lm_logits', hidden_states: 'last_hidden_state', attentions: 'attn' });
  });

  it('flags an export whose outputs change with padding (exit 2, the check named)', async () => {
    const dir = tempDir();
    const path = writeFixture(
      dir,
      'leaky',
      buildTransformer({ layout: 'mlm', layers: 1, dim: 16, heads: 2, maxLength: 100, seed: 1, maskPadding: false }),
      {
        id: 'leaky',
        objective: 'mlm',
        vocab: 'esm',
        maxLength: 100,
      },
    );
    const { code, report, err } = await inspectJson(path);
    expect(code).to.equal(2);
    const pad = report['conformance'].find((c: { name: string }) => c.name.startsWith('right padding'));
    expect(pad.ok).to.equal(false);
    expect(err).to.match(/conformance check failed: right padding/);
    // And bench all refuses it with a hint.
    const io = memoryIo();
    expect(await main(['all', '--model', path, '--no-cache', '--out', join(dir, 'r.json')], io)).to.equal(2);
    expect(io.err.join('')).to.match(/--max-batch 1/);
    // A token budget too small for two sequences does not turn the check off: it still runs one padded batch.
    const small = memoryIo();
    expect(await main(['all', '--model', path, '--max-tokens', '100', '--no-cache', '--out', join(dir, 'r.json')], small)).to.equal(2);
    expect(small.err.join('')).to.match(/conformance check failed: right padding/);
    // The hint holds: with --max-batch 1 nothing is padded, the check is not applicable and the run goes on.
    const alone = memoryIo();
    const out = join(dir, 'alone.json');
    expect(
      await main(
        ['run', 'perplexity', '--model', path, '--max-batch', '1', '--tier', 'smoke', '--no-cache', '--quiet', '--out', out],
        alone,
      ),
      alone.err.join(''),
    ).to.equal(0);
    const check = JSON.parse(readFileSync(out, 'utf8')).model.conformance.find((c: { name: string }) => c.name.startsWith('right padding'));
    expect(check.ok).to.equal(true);
    expect(check.detail).to.match(/^not applicable: --max-batch 1/);
  });

  for (const name of ['plm-mlm-mini', 'plm-clm-mini']) {
    it(`works on the PyTorch-exported example model ${name}`, async function () {
      const path = join(packageRoot, 'models', `${name}.onnx`);
      if (!existsSync(path)) this.skip();
      const { code, report } = await inspectJson(path);
      expect(code).to.equal(0);
      expect(report['capabilities']).to.include.members(['logits', 'hidden_states', 'attentions']);
      expect(report['params'].warning).to.equal(null);
    });
  }
});
