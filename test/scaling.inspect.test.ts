import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

describe('scaling: bench inspect shows compute and the compute-optimal frontier', function () {
  this.timeout(60000);
  const dir = tempDir();
  const model = randomTransformer('mlm', { layers: 1, dim: 16, heads: 2, seed: 3 }, dir);
  const card = (name: string, extra: Record<string, unknown>) => {
    const p = join(dir, `${name}.card.json`);
    writeFileSync(p, JSON.stringify({ id: name, objective: 'mlm', vocab: 'esm', maxLength: 128, ...extra }));
    return p;
  };

  it('a card for ESM-2 650M: C = 3.906e21 FLOPs, N/N_opt = 0.188 < 1 under the default masked law, labelled; both laws with their sources and the spread', async () => {
    const io = memoryIo();
    expect(
      await main(
        ['inspect', '--model', model, '--card', card('esm2-650m', { params: 651000320, paramsTotal: 651043254, trainTokens: 1e12 })],
        io,
      ),
    ).to.equal(0);
    const out = io.out.join('');
    expect(out).to.match(
      /compute\s+C = 3\.906e21 FLOPs \(6 N D\); N = 651,000,320 non-embedding parameters \(card\); D = 1\.000e12 tokens/,
    );
    expect(out).to.match(/law set cheng2024-released \(the default\)/);
    expect(out).to.match(/MLM \(the model's objective\)\s+N_opt = 3\.471e9, D_opt = 2\.085e11; N\/N_opt = 0\.188, D\/D_opt = 4\.8 /);
    // Both laws, each with its source, and how much N/N_opt moves between them.
    expect(out).to.match(
      /cheng2024-released \(default\): N\/N_opt MLM 0\.188, CLM 0\.194\n\s+source: github\.com\/cxysteven\/ScalingProteinLM at commit 12acfa0b/,
    );
    expect(out).to.match(/cheng2024-paper-exponents: N\/N_opt MLM 0\.185, CLM 0\.171\n\s+source: Exponents a and b as quoted/);
    expect(out).to.match(/spread MLM \(the model's objective\): N\/N_opt 0\.185 to 0\.188 between the laws \(x1\.01\d*\)/);
    expect(out).to.match(/spread CLM: N\/N_opt 0\.171 to 0\.194 between the laws \(x1\.13\d*\)/);
    // Inside both families' compute ranges: compute matched.
    expect(out).to.match(
      /esm2: 4\.501e19 \(esm2-8m\) to 4\.902e22 FLOPs \(esm2-15b\); the model's 3\.906e21 FLOPs is inside: compute matched/,
    );
  });

  it('--law selects the other set; an unknown --law is one clear line and exit 2', async () => {
    const io = memoryIo();
    expect(
      await main(
        [
          'inspect',
          '--model',
          model,
          '--card',
          card('esm2-650m-b', { params: 651000320, trainTokens: 1e12 }),
          '--law',
          'cheng2024-paper-exponents',
        ],
        io,
      ),
    ).to.equal(0);
    expect(io.out.join(''))
      .to.match(/law set cheng2024-paper-exponents \(/)
      .and.match(/MLM \(the model's objective\)\s+N_opt = 3\.523e9, D_opt = 1\.868e11; N\/N_opt = 0\.185/);
    const bad = memoryIo();
    expect(
      await main(
        ['inspect', '--model', model, '--card', card('esm2-650m-c', { params: 651000320, trainTokens: 1e12 }), '--law', 'nope'],
        bad,
      ),
    ).to.equal(2);
    expect(bad.err.join('')).to.match(
      /^bench: --law: unknown scaling law "nope" \(known: cheng2024-released, cheng2024-paper-exponents\)\n$/,
    );
    const viaCard = memoryIo();
    expect(
      await main(
        [
          'inspect',
          '--model',
          model,
          '--card',
          card('esm2-650m-d', { params: 651000320, trainTokens: 1e12, scalingLaw: 'cheng2024-paper-exponents' }),
          '--json',
        ],
        viaCard,
      ),
    ).to.equal(0);
    expect((JSON.parse(viaCard.out.join('')) as { compute: { details: { law: string } } }).compute.details.law).to.equal(
      'cheng2024-paper-exponents',
    );
  });

  it('the 10.7B masked model at 1.72e22 FLOPs: N/N_opt = 0.9995 under the released law (it is one of its fitted points), in the JSON report too', async () => {
    const io = memoryIo();
    expect(
      await main(['inspect', '--model', model, '--card', card('mlm-10b', { params: 1.07e10, trainFlops: 1.72e22 }), '--json'], io),
    ).to.equal(0);
    const r = JSON.parse(io.out.join('')) as {
      compute: {
        details: {
          flops: number;
          frontier: { objective: string; primary: boolean; nRatio: number }[];
          lawSpread: { objective: string; factor: number }[];
        };
      };
    };
    expect(r.compute.details.flops).to.equal(1.72e22);
    const mlm = r.compute.details.frontier.find((f) => f.primary)!;
    expect(mlm.objective).to.equal('mlm');
    expect(mlm.nRatio).to.be.closeTo(0.9995, 0.0001);
    expect(r.compute.details.lawSpread.find((s) => s.objective === 'mlm')!.factor).to.be.closeTo(0.9995 / 0.9614, 0.001);
  });

  it("the bundled example model's card (5e13 FLOPs): not matched against either family, by how many decades, in words", async () => {
    const io = memoryIo();
    expect(await main(['inspect', '--model', 'models/plm-mlm-mini.onnx'], io)).to.equal(0);
    const out = io.out.join('');
    expect(out).to.match(
      /esm2: 4\.501e19 \(esm2-8m\) to 4\.902e22 FLOPs \(esm2-15b\); the model's 5\.\d{3}e13 FLOPs is 5\.9\d decades below it: NOT matched, no verdict against esm2/,
    );
    expect(out).to.match(
      /progen2: 3\.173e20 \(progen2-small\) to 1\.353e22 FLOPs \(progen2-xlarge, 1\.586e20 to 1\.546e22 with the points' compute intervals\); the model's 5\.\d{3}e13 FLOPs is 6\.\d\d decades below it: NOT matched/,
    );
  });

  it('training stages: compute is their sum, and each stage is shown', async () => {
    const io = memoryIo();
    const stages = [
      { objective: 'clm', tokens: 2e10, note: 'CLM pre-training' },
      { objective: 'mlm', flops: 3e19 },
    ];
    expect(await main(['inspect', '--model', model, '--card', card('staged', { params: 1e8, stages })], io)).to.equal(0);
    const out = io.out.join('');
    expect(out).to.match(/C = 4\.200e19 FLOPs \(the sum of 2 training stages\)/);
    expect(out).to.match(/stage\s+CLM: 1\.200e19 FLOPs \(6 N D\), D = 2\.000e10 tokens \(CLM pre-training\)/);
    expect(out).to.match(/stage\s+MLM: 3\.000e19 FLOPs \(given\), D = 5\.000e10 tokens/);
  });

  it('a card without params: the counted non-embedding parameters, said so', async () => {
    const io = memoryIo();
    expect(await main(['inspect', '--model', model, '--card', card('noparams', { trainTokens: 1e9 })], io)).to.equal(0);
    expect(io.out.join('')).to.match(/non-embedding parameters \(counted in the graph: the card gives no params\)/);
  });
});
