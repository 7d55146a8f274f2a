import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCard } from '../src/model/card.js';
import { readOnnxFile } from '../src/model/onnx/file.js';
import { buildTransformer } from '../models/fixtures/transformer.js';
import { writeFixture } from '../models/fixtures/write.js';
import { BenchError } from '../src/util/errors.js';
import { tempDir } from './helpers/tmp.js';

const base = { layout: 'mlm' as const, layers: 1, dim: 16, heads: 2, maxLength: 64, seed: 1 };

describe('model card resolution', () => {
  it('takes --card first, then the sidecar, then ONNX metadata, then flags', () => {
    const dir = tempDir();
    const meta = { id: 'from-meta', objective: 'mlm', vocab: 'esm', maxLength: 64 };
    const path = writeFixture(dir, 'm', buildTransformer({ ...base, metadata: { 'plmbench.card': JSON.stringify(meta) } }));
    const info = readOnnxFile(path);
    expect(resolveCard(path, info, {}).card.id).to.equal('from-meta');
    expect(resolveCard(path, info, {}).source).to.equal('metadata');
    writeFileSync(join(dir, 'm.card.json'), JSON.stringify({ ...meta, id: 'from-sidecar' }));
    expect(resolveCard(path, info, {}).card.id).to.equal('from-sidecar');
    const explicit = join(dir, 'other.json');
    writeFileSync(explicit, JSON.stringify({ ...meta, id: 'from-file' }));
    const r = resolveCard(path, info, { cardPath: explicit });
    expect([r.card.id, r.source, r.file]).to.deep.equal(['from-file', 'card-file', explicit]);
  });

  it('builds a card from flags alone, and lets flags override a card (reported)', () => {
    const dir = tempDir();
    const path = writeFixture(dir, 'bare model', buildTransformer(base));
    const info = readOnnxFile(path);
    expect(() => resolveCard(path, info, {})).to.throw(BenchError, /no model card .* give --objective, --vocab and --max-length/);
    const r = resolveCard(path, info, { flags: { objective: 'mlm', vocab: 'esm', maxLength: 64 } });
    expect(r.card).to.deep.equal({ id: 'bare_model', objective: 'mlm', vocab: 'esm', maxLength: 64 });
    expect(r.source).to.equal('flags');
    writeFileSync(
      join(dir, 'bare model.card.json'),
      JSON.stringify({ id: 'c', objective: 'mlm', vocab: 'esm', maxLength: 64, trainTokens: 5 }),
    );
    const o = resolveCard(path, info, { flags: { maxLength: 32, trainTokens: 7 } });
    expect(o.card.maxLength).to.equal(32);
    expect(o.overridden).to.deep.equal(['maxLength', 'trainTokens']);
  });

  it('validates against the schema and lists every error', () => {
    const dir = tempDir();
    const path = writeFixture(dir, 'x', buildTransformer(base), {
      id: 'has space',
      objective: 'mlm',
      vocab: 'esm2',
      maxLength: 4,
      params: -1,
    });
    try {
      resolveCard(path, readOnnxFile(path), {});
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(BenchError);
      const msg = (e as Error).message;
      expect(msg).to.match(/x\.card\.json: invalid model card: /);
      for (const part of ['/id must match pattern', '/vocab', '/maxLength must be >= 8', '/params must be > 0'])
        expect(msg).to.include(part);
      expect(msg).to.not.include('\n');
    }
  });
});
