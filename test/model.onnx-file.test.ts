import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countParams, readOnnxFile } from '../src/model/onnx/file.js';
import { buildTransformer, transformerParams } from '../models/fixtures/transformer.js';
import { BenchError } from '../src/util/errors.js';
import { tempDir } from './helpers/tmp.js';

describe('ONNX file inspection', () => {
  it('reads inputs, outputs with symbolic dims, metadata, and counts parameters like the spec', () => {
    const dir = tempDir();
    for (const layout of ['mlm', 'clm'] as const) {
      const spec = { layout, layers: 3, dim: 40, heads: 4, maxLength: 96, seed: 2, metadata: { 'plmbench.card': '{}' } };
      const path = join(dir, `${layout}.onnx`);
      buildTransformer(spec).save(path);
      const info = readOnnxFile(path);
      expect(info.inputs.map((i) => i.name)).to.deep.equal(layout === 'mlm' ? ['input_ids'] : ['input_ids', 'attention_mask']);
      expect(info.outputs.map((o) => [o.name, o.type])).to.deep.equal([
        ['logits', 'float32'],
        ['hidden_states', 'float32'],
        ['attentions', 'float32'],
      ]);
      expect(info.outputs[2]!.dims).to.deep.equal(['batch', 3, 4, 'length', 'length']);
      expect(info.metadata['plmbench.card']).to.equal('{}');
      const V = layout === 'mlm' ? 33 : 32;
      const counted = countParams(info, V);
      const expected = transformerParams(spec);
      expect(counted.nonEmbedding).to.equal(expected.nonEmbedding);
      expect(counted.total).to.equal(expected.total);
      expect(counted.embeddingTensors).to.have.length(4);
    }
  });

  it('names the file when it is not ONNX or missing', () => {
    const dir = tempDir();
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is not a protobuf model at all');
    expect(() => readOnnxFile(junk)).to.throw(BenchError, /junk.onnx: not an ONNX model/);
    expect(() => readOnnxFile(join(dir, 'none.onnx'))).to.throw(BenchError, /none.onnx: model file not found/);
  });
});
