import { expect } from 'chai';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { CacheStore } from '../src/cache/store.js';
import { loadModel } from '../src/model/model.js';
import { checkConformance, CONFORMANCE_SEQUENCE } from '../src/model/conformance.js';
import { computeWarning, maskedWarnings } from '../src/model/declared-objective.js';
import { notOnnxProblem } from '../src/model/file-kind.js';
import type { OutputName } from '../src/model/contract.js';
import { packageRoot } from '../src/util/paths.js';
import { expectUserError } from './helpers/cli.js';
import { randomTransformer, siteIndependentModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

const MLM = join(packageRoot, 'models/plm-mlm-mini.onnx');
const CLM = join(packageRoot, 'models/plm-clm-mini.onnx');

async function load(path: string, cardFlags = {}) {
  return loadModel(path, { cardFlags, ep: 'cpu', cache: new CacheStore(null) });
}

describe('declared objective checks', () => {
  it('refuses the masked example model declared causal, naming the position and the change', async () => {
    const model = await load(MLM, { objective: 'clm' });
    try {
      const report = await checkConformance(model, ['logits'] as OutputName[]);
      const check = report.checks.find((c) => c.name.startsWith('causal'))!;
      expect(report.ok).to.equal(false);
      expect(check.ok).to.equal(false);
      // The change is at the residue two thirds in (token 1 + 52 of the 76-residue sequence = 51 with <cls> at 0).
      expect(check.detail).to.match(
        /later token at position 51 \([A-Z] -> [AW]\) changes the logits at position \d+ by up to [0-9.]+ \(relative [0-9.e+-]+; \d+ of positions 0-50 moved\)/,
      );
      const moved = Number(/by up to ([0-9.]+)/.exec(check.detail)![1]);
      expect(moved).to.be.greaterThan(0.01);
    } finally {
      await model.release();
    }
  });

  it('passes the causal example model as clm and the masked one as mlm', async () => {
    for (const [path, name] of [
      [CLM, 'causal: earlier positions ignore later tokens'],
      [MLM, null],
    ] as const) {
      const model = await load(path);
      try {
        const report = await checkConformance(model, ['logits'] as OutputName[]);
        expect(report.ok, JSON.stringify(report.checks)).to.equal(true);
        if (name) expect(report.checks.map((c) => c.name)).to.include(name);
        expect(await maskedWarnings(model, CONFORMANCE_SEQUENCE)).to.deep.equal([]);
      } finally {
        await model.release();
      }
    }
  });

  it('bench all refuses a masked model declared --objective clm with exit 2 and one line', async () => {
    const dir = tempDir();
    const card = JSON.parse(readFileSync(MLM.replace(/\.onnx$/, '.card.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'as-clm.card.json'), JSON.stringify({ ...card, objective: 'clm' }));
    await expectUserError(
      [
        'all',
        '--model',
        MLM,
        '--card',
        join(dir, 'as-clm.card.json'),
        '--tasks',
        'perplexity',
        '--no-cache',
        '--ep',
        'cpu',
        '--out',
        join(dir, 'r.json'),
      ],
      /conformance check failed: causal: earlier positions ignore later tokens: .*position 51.*looks ahead/,
      dir,
    );
  });

  it('reports a masked model that ignores the mask token, and a causal one declared mlm', async () => {
    const { path } = siteIndependentModel('mlm');
    const site = await load(path);
    try {
      const w = await maskedWarnings(site, CONFORMANCE_SEQUENCE.slice(0, site.maxResidues));
      expect(w.join('\n')).to.match(/ignores the mask token/);
    } finally {
      await site.release();
    }
    // A causal transformer over the ESM vocabulary (which has <mask>), declared mlm.
    const causal = await load(randomTransformer('clm', { vocab: 'esm' }), { objective: 'mlm' });
    try {
      const w = await maskedWarnings(causal, CONFORMANCE_SEQUENCE.slice(0, causal.maxResidues));
      expect(w).to.have.length(1);
      expect(w[0]).to.match(/leaves positions 0-\d+ unchanged: the model does not look ahead, like a causal one \(declare --objective clm/);
    } finally {
      await causal.release();
    }
  });

  it('bench inspect prints the mask warning on stderr', async () => {
    const { path } = siteIndependentModel('mlm');
    const io = memoryIo();
    expect(await main(['inspect', '--model', path, '--ep', 'cpu'], io)).to.equal(0);
    expect(io.err.join('')).to.match(/bench: warning: .*ignores the mask token/);
  });

  it('warns when the card has neither training tokens nor FLOPs, naming the flag', () => {
    expect(computeWarning({})).to.match(/matched-compute comparison .* is off: add --train-tokens N/);
    expect(computeWarning({ trainTokens: 1e9 })).to.equal(null);
    expect(computeWarning({ trainFlops: 1e20 })).to.equal(null);
  });

  it('tells a PyTorch or safetensors file to be exported first, by magic bytes or extension', async () => {
    const dir = tempDir();
    const header = Buffer.from('{"__metadata__":{}}');
    const st = Buffer.alloc(8);
    st.writeBigUInt64LE(BigInt(header.length));
    const files: Record<string, Buffer> = {
      'zip.onnx': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]),
      'pickle.onnx': Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00]),
      'weights.onnx': Buffer.concat([st, header]),
      'model.bin': Buffer.from('not a checkpoint either'),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    expect(notOnnxProblem(join(dir, 'zip.onnx'))).to.match(/^not an ONNX model: a zip archive, as torch\.save writes PyTorch checkpoints/);
    expect(notOnnxProblem(join(dir, 'pickle.onnx'))).to.match(/Python pickle/);
    expect(notOnnxProblem(join(dir, 'weights.onnx'))).to.match(/safetensors/);
    expect(notOnnxProblem(join(dir, 'model.bin'))).to.match(/not an ONNX model: a \.bin file is a checkpoint/);
    expect(notOnnxProblem(MLM)).to.equal(null);
    copyFileSync(join(dir, 'zip.onnx'), join(dir, 'model.pt'));
    await expectUserError(
      ['all', '--model', join(dir, 'model.pt'), '--no-cache'],
      /model\.pt: not an ONNX model: a zip archive, .*export it to ONNX first \(models\/export\/, see models\/README\.md\)$/,
    );
  });
});
