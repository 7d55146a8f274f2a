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

  it('a card for ESM-2 650M: C = 3.906e21 FLOPs and N/N_opt = 0.185 < 1 under the masked law, labelled', async () => {
    const io = memoryIo();
    expect(await main(['inspect', '--model', model, '--card', card('esm2-650m', { params: 651000320, paramsTotal: 651043254, trainTokens: 1e12 })], io)).to.equal(0);
    const out = io.out.join('');
    expect(out).to.match(/compute\s+C = 3\.906e21 FLOPs \(6 N D\); N = 651,000,320 non-embedding parameters \(card\); D = 1\.000e12 tokens/);
    expect(out).to.match(/MLM \(the model's objective\)\s+N_opt = 3\.523e9, D_opt = 1\.868e11; N\/N_opt = 0\.185, D\/D_opt = 5\.35/);
    expect(out).to.match(/CLM\s+N_opt = 3\.805e9/);
    expect(out).to.match(/source: Cheng X, .*Training Compute-Optimal Protein Language Models/);
  });

  it('the 10.7B masked model at 1.72e22 FLOPs: N/N_opt = 0.961 (on the frontier), in the JSON report too', async () => {
    const io = memoryIo();
    expect(await main(['inspect', '--model', model, '--card', card('mlm-10b', { params: 1.07e10, trainFlops: 1.72e22 }), '--json'], io)).to.equal(0);
    const r = JSON.parse(io.out.join('')) as { compute: { details: { flops: number; frontier: { objective: string; primary: boolean; nRatio: number }[] } } };
    expect(r.compute.details.flops).to.equal(1.72e22);
    const mlm = r.compute.details.frontier.find((f) => f.primary)!;
    expect(mlm.objective).to.equal('mlm');
    expect(mlm.nRatio).to.be.closeTo(0.9614, 0.0001);
  });

  it('a card without params: the counted non-embedding parameters, said so', async () => {
    const io = memoryIo();
    expect(await main(['inspect', '--model', model, '--card', card('noparams', { trainTokens: 1e9 })], io)).to.equal(0);
    expect(io.out.join('')).to.match(/non-embedding parameters \(counted in the graph: the card gives no params\)/);
  });
});
