import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import '../src/cli/extra-commands.js';
import { CacheStore } from '../src/cache/store.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { loadModel } from '../src/model/model.js';
import { modelPrecision, type OnnxFileInfo } from '../src/model/onnx/file.js';
import { boundViolations, compareOutputs, formatDiffs, heldOutSequences, readRun, runPair, type ParityBounds } from './helpers/parity.js';
import { tempDir } from './helpers/tmp.js';

/**
 * fp16 vs fp32 (issue 17, "Precision"): the float16 variants of the example models
 * (models/*.fp16.onnx, written by models/export/to_fp16.py) load, record precision float16, and stay
 * within the bounds of results/perf/fp16-parity.json on real sequences and on one whole task; the gate
 * refuses to compare an fp32 run with an fp16 run. The every-task matrix is scripts/fp16-parity.ts
 * (.ci/fp16-parity.sh).
 */
const BOUNDS = (JSON.parse(readFileSync('results/perf/fp16-parity.json', 'utf8')) as { bounds: ParityBounds }).bounds;
const MODELS = ['models/plm-mlm-mini.onnx', 'models/plm-clm-mini.onnx'];

function info(weights: [number, number][], logits: string): OnnxFileInfo {
  return {
    initializers: weights.map(([dataType, numel], i) => ({ name: `w${i}`, dims: [numel], dataType, numel, externalLocation: null })),
    outputs: [{ name: 'logits', type: logits, dims: null }],
  } as unknown as OnnxFileInfo;
}

describe('fp16 variants of the example models: precision and parity with fp32 (issue 17)', function () {
  this.timeout(120_000);

  it('precision is the narrower of the weights (by elements) and the logits', () => {
    const FLOAT = 1;
    const FLOAT16 = 10;
    const INT64 = 7;
    expect(modelPrecision(info([[FLOAT, 1000]], 'float32'), 'logits').precision).to.equal('float32');
    // float16 weights behind float32 outputs (keep_io_types conversions) compute in float16
    expect(modelPrecision(info([[FLOAT16, 1000]], 'float32'), 'logits')).to.deep.equal({
      precision: 'float16',
      weights: 'float16',
      logits: 'float32',
    });
    expect(modelPrecision(info([[FLOAT, 1000]], 'float16'), 'logits').precision).to.equal('float16');
    // mixed: a few float32 layer-norm scales among float16 matrices; integer tensors do not count
    expect(
      modelPrecision(
        info(
          [
            [FLOAT16, 1000],
            [FLOAT, 20],
            [INT64, 5000],
          ],
          'float32',
        ),
        'logits',
      ).precision,
    ).to.equal('float16');
    expect(modelPrecision(info([], 'float32'), 'logits')).to.deep.equal({ precision: 'float32', weights: null, logits: 'float32' });
  });

  for (const path of MODELS) {
    const fp16 = path.replace(/\.onnx$/, '.fp16.onnx');
    it(`${fp16}: loads with its card, records float16, and every output stays within the bounds on real sequences`, async () => {
      const cache = new CacheStore(null);
      const a = await loadModel(path, { ep: 'cpu', cache });
      const b = await loadModel(fp16, { ep: 'cpu', cache });
      try {
        expect(a.precision).to.equal('float32');
        expect(b.precision).to.equal('float16');
        expect(b.precisionOf).to.deep.equal({ precision: 'float16', weights: 'float16', logits: 'float16' });
        expect(b.card.id).to.equal(`${a.card.id}-fp16`);
        expect(b.params.total).to.equal(a.params.total);
        expect(b.card.trainTokens).to.equal(a.card.trainTokens);
        expect(b.computeKey).to.not.equal(a.computeKey);
        // 4 held-out sequences cut at 150 residues (the full-length comparison is in scripts/fp16-parity.ts)
        const reqs = heldOutSequences(4).map((s) => ({ tokens: a.encode(s.slice(0, 150)) }));
        const outputs = await compareOutputs(a, b, reqs);
        const lines = Object.entries(outputs).map(
          ([name, d]) =>
            `    ${fp16} ${name}: max |fp16 - fp32| ${d.maxAbs.toExponential(2)} (largest |value| ${d.scale.toExponential(2)})`,
        );
        console.log(lines.join('\n'));
        expect(Object.keys(outputs)).to.have.members(['logits', 'hidden_states', 'attentions']);
        expect(boundViolations(fp16, BOUNDS, outputs, [])).to.deep.equal([]);
        // Not vacuous: float16 rounding shows in every output.
        for (const d of Object.values(outputs)) expect(d.maxAbs).to.be.greaterThan(0);
      } finally {
        await a.release();
        await b.release();
      }
    });
  }

  it('perplexity (smoke) on the causal example: fp16 within its bounds, and the gate refuses fp32 vs fp16 (exit 2, one line)', async () => {
    const dir = tempDir();
    const pair = await runPair(
      ['perplexity'],
      { model: MODELS[1]!, ep: 'cpu' },
      { model: MODELS[1]!.replace(/\.onnx$/, '.fp16.onnx'), ep: 'cpu' },
      dir,
      ['--seed', '7'],
    );
    expect(pair.skipped, JSON.stringify(pair.skipped)).to.deep.equal({});
    console.log(`    perplexity: fp32 ${pair.seconds[0].toFixed(1)} s, fp16 ${pair.seconds[1].toFixed(1)} s\n${formatDiffs(pair.diffs)}`);
    expect(readRun(pair.files[0]).model.precision).to.equal('float32');
    expect(readRun(pair.files[1]).model.precision).to.equal('float16');
    expect(pair.diffs.map((d) => d.metric)).to.include.members(['nll', 'perplexity']);
    expect(boundViolations('plm-clm-mini', BOUNDS, {}, pair.diffs)).to.deep.equal([]);
    expect(Math.max(...pair.diffs.map((d) => d.maxItemDiff))).to.be.greaterThan(0);

    const io = memoryIo();
    expect(await main(['gate', '--baseline', pair.files[0], '--current', pair.files[1]], io)).to.equal(2);
    const err = io.err.join('').trim().split('\n');
    expect(err).to.have.length(1);
    expect(err[0]).to.match(
      /^bench: gate: the runs have different precision \(float32 in .*, float16 in .*\); compare runs of one precision$/,
    );
  });
});
