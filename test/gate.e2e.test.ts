import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { schemaErrors } from '../src/util/schema.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

/** A real smoke run of the perplexity task on a tiny causal fixture, written to `out`. */
async function benchRun(model: string, out: string): Promise<void> {
  const io = memoryIo();
  const code = await main(
    ['all', '--model', model, '--tasks', 'perplexity', '--tier', 'smoke', '--ep', 'cpu', '--no-cache', '--quiet', '--out', out],
    io,
  );
  expect(code, io.err.join('')).to.equal(0);
}

describe('gate: end to end on real runs of a tiny fixture model', function () {
  this.timeout(120000);
  const dir = tempDir();
  const spec = { layers: 1, dim: 16, heads: 2, seed: 5 };
  const model = randomTransformer('clm', spec, join(dir, 'a'));
  const broken = randomTransformer('clm', { ...spec, weightScale: 4 }, join(dir, 'b'));
  const [r1, r2, r3] = ['run1.json', 'run2.json', 'broken.json'].map((f) => join(dir, f)) as [string, string, string];

  before(async () => {
    await benchRun(model, r1);
    await benchRun(model, r2);
    await benchRun(broken, r3);
  });

  it('each run records metric directions and a schema-valid matchedCompute', () => {
    const run = JSON.parse(readFileSync(r1, 'utf8')) as {
      tasks: { perplexity: { metrics: Record<string, { higherIsBetter?: boolean }> } };
      matchedCompute: { model: { compute: { flops: number } } };
    };
    expect(schemaErrors('run', run)).to.deep.equal([]);
    expect(run.tasks.perplexity.metrics['perplexity']!.higherIsBetter).to.equal(false);
    expect(run.matchedCompute.model.compute.flops).to.be.above(0);
  });

  it('two runs of the same model pass the gate (exit 0)', async () => {
    const io = memoryIo();
    expect(await main(['gate', '--baseline', r1, '--current', r2], io)).to.equal(0);
    expect(io.out.join('')).to.match(/gate passed/);
  });

  it('a model with broken weights fails it (exit 1), naming perplexity', async () => {
    const io = memoryIo();
    expect(await main(['gate', '--baseline', r1, '--current', r3, '--json'], io)).to.equal(1);
    const report = JSON.parse(io.out.join('')) as { regressions: string[] };
    expect(report.regressions).to.include('perplexity.perplexity');
  });
});
