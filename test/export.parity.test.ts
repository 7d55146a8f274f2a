import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

// Parity of the PyTorch export path (models/export/): the committed example models, run with
// onnxruntime-node, give the logits PyTorch gave for real sequences (golden files written by
// models/export/export_*.py --golden, 7 significant digits), alone and in one right-padded batch.
// `npm run test:export` re-runs the Python side (bash models/export/test_export.sh).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOLERANCE = 1e-4;

interface GoldenSequence {
  name: string;
  sequence: string;
  input_ids: number[];
  logits: number[][];
}
interface Golden {
  model: string;
  vocab: 'esm' | 'progen2';
  objective: 'mlm' | 'clm';
  sequences: GoldenSequence[];
}

// Vocabularies written out from README.md's model contract.
const ESM_TOKENS = ['<cls>', '<pad>', '<eos>', '<unk>', ...'LAGVSERTIDPKQNFYMHWCXBUZO.-'.split(''), '<null_1>', '<mask>'];
const PROGEN_LETTERS = 'ABCDEFGHIKLMNOPQRSTUVWXYZ';
function encode(vocab: 'esm' | 'progen2', seq: string): number[] {
  if (vocab === 'esm') return [0, ...[...seq].map((c) => ESM_TOKENS.indexOf(c)), 2];
  return [3, ...[...seq].map((c) => 5 + PROGEN_LETTERS.indexOf(c)), 4];
}

function int64(rows: number[][], pad: number): ort.Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  const data = new BigInt64Array(rows.length * L).fill(BigInt(pad));
  rows.forEach((r, i) => {
    r.forEach((v, j) => (data[i * L + j] = BigInt(v)));
  });
  return new ort.Tensor('int64', data, [rows.length, L]);
}

function mask(rows: number[][]): ort.Tensor {
  return int64(
    rows.map((r) => r.map(() => 1)),
    0,
  );
}

/** Largest |a - golden| over the real positions of batch row `b`. */
function maxDiff(logits: ort.Tensor, b: number, golden: number[][]): number {
  const [, L, V] = logits.dims as [number, number, number];
  const data = logits.data as Float32Array;
  let m = 0;
  golden.forEach((row, i) => {
    expect(row.length).to.equal(V);
    row.forEach((g, v) => {
      const d = Math.abs(data[(b * L + i) * V + v]! - g);
      m = Number.isNaN(d) ? Infinity : Math.max(m, d);
    });
  });
  return m;
}

function validationAccessions(): Set<string> {
  const text = gunzipSync(readFileSync(resolve(root, 'models/train/split-accessions.tsv.gz'))).toString('utf8');
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const [acc, , part] = line.split('\t');
    if (acc && part === 'val') out.add(acc);
  }
  return out;
}

for (const id of ['plm-mlm-mini', 'plm-clm-mini']) {
  describe(`export parity: ${id}.onnx (onnxruntime-node) vs PyTorch golden logits`, function () {
    this.timeout(60000);
    const onnxPath = resolve(root, 'models', `${id}.onnx`);
    const golden = JSON.parse(readFileSync(resolve(root, 'test/golden/export', `${id}.json`), 'utf8')) as Golden;
    const card = JSON.parse(readFileSync(resolve(root, 'models', `${id}.card.json`), 'utf8')) as Record<string, unknown>;
    let session: ort.InferenceSession;
    const pad = golden.vocab === 'esm' ? 1 : 0;

    before(async () => {
      session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'] });
    });

    it('golden file, card and graph agree with the contract', () => {
      expect(golden.model).to.equal(id);
      expect(card['id']).to.equal(id);
      expect(card['vocab']).to.equal(golden.vocab);
      expect(card['objective']).to.equal(golden.objective);
      expect(Object.keys(card).sort()).to.deep.equal([
        'family',
        'id',
        'license',
        'maxLength',
        'objective',
        'params',
        'paramsTotal',
        'source',
        'trainTokens',
        'training',
        'vocab',
      ]);
      expect(statSync(onnxPath).size).to.be.at.most(10 * 1024 * 1024);
      expect(session.inputNames).to.deep.equal(golden.objective === 'clm' ? ['input_ids', 'attention_mask'] : ['input_ids']);
      expect(session.outputNames).to.deep.equal(['logits', 'hidden_states', 'attentions']);
      const val = validationAccessions();
      expect(golden.sequences.length).to.be.at.least(3);
      for (const s of golden.sequences) {
        expect(val.has(s.name), `${s.name} is in the validation split`).to.equal(true);
        expect(s.input_ids).to.deep.equal(encode(golden.vocab, s.sequence));
        expect(s.logits.length).to.equal(s.input_ids.length);
      }
    });

    it(`logits of each sequence alone match PyTorch to ${TOLERANCE}`, async () => {
      let worst = 0;
      for (const s of golden.sequences) {
        const feeds: Record<string, ort.Tensor> = { input_ids: int64([s.input_ids], pad) };
        if (golden.objective === 'clm') feeds['attention_mask'] = mask([s.input_ids]);
        const out = await session.run(feeds, ['logits']);
        worst = Math.max(worst, maxDiff(out['logits']!, 0, s.logits));
      }
      expect(worst).to.be.at.most(TOLERANCE);
    });

    it('a right-padded batch of all sequences gives the same logits at the real positions', async () => {
      const rows = golden.sequences.map((s) => s.input_ids);
      const feeds: Record<string, ort.Tensor> = { input_ids: int64(rows, pad) };
      if (golden.objective === 'clm') feeds['attention_mask'] = mask(rows);
      const out = await session.run(feeds, ['logits']);
      golden.sequences.forEach((s, b) => expect(maxDiff(out['logits']!, b, s.logits), s.name).to.be.at.most(TOLERANCE));
    });
  });
}

describe('export parity: golden files stay small', () => {
  it('test/golden/export/*.json together under 300 KB', () => {
    const dir = resolve(root, 'test/golden/export');
    const total = ['plm-mlm-mini.json', 'plm-clm-mini.json']
      .map((f) => resolve(dir, f))
      .filter((f) => existsSync(f))
      .reduce((s, f) => s + statSync(f).size, 0);
    expect(total).to.be.at.most(300 * 1024);
  });
});
