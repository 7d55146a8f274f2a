import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { loadModel, logProbAt } from '../src/model/index.js';
import { CacheStore } from '../src/cache/store.js';
import { tempDir } from './helpers/tmp.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The smallest complete task, as ARCHITECTURE.md prints it. */
function exampleTask(): string {
  const doc = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
  const start = doc.indexOf('```ts\nimport type { TaskContext, TaskModule, TaskOutcome }');
  expect(start, 'ARCHITECTURE.md lost its example task').to.be.greaterThan(-1);
  return doc.slice(start + '```ts\n'.length, doc.indexOf('```', start + 5));
}

describe("architecture: ARCHITECTURE.md's example task runs as printed", function () {
  this.timeout(120000);
  // A folder beside src/ at the depth of tasks/<name>/, so the example's '../../src/...' imports resolve.
  let folder = '';
  before(() => {
    folder = mkdtempSync(join(root, '.example-tasks-'));
    mkdirSync(join(folder, 'self-logprob'));
    writeFileSync(join(folder, 'self-logprob', 'index.ts'), exampleTask());
  });
  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('bench run self-logprob --tasks-dir gives the mean log-probability computed here from the logits', async () => {
    const out = join(tempDir(), 'run.json');
    const io = memoryIo();
    const code = await main(
      ['run', 'self-logprob', '--tasks-dir', folder, '--model', join(root, 'models/plm-clm-mini.onnx'), '--no-cache', '--out', out],
      io,
    );
    expect(code, io.err.join('')).to.equal(0);
    const run = JSON.parse(readFileSync(out, 'utf8'));
    const task = run.tasks['self-logprob'];
    expect(task.status).to.equal('ok');
    expect(task.version).to.equal('1.0.0');

    const model = await loadModel(join(root, 'models/plm-clm-mini.onnx'), { ep: 'cpu', cache: new CacheStore(null) });
    try {
      const tokens = model.encode('MKTAYIAKQRQISFVKSHFSRQ');
      const [lp] = await model.forward([{ tokens }], {
        outputs: ['logits'],
        reducer: 'architecture-test.logprob.v1',
        cache: false,
        reduce: (o) => Float64Array.from({ length: o.length - 1 }, (_, j) => logProbAt(o.outputs.logits!, j, o.tokens[j + 1]!)),
      });
      let sum = 0;
      for (const x of lp!) sum += x;
      const expected = sum / lp!.length;
      expect(expected).to.be.lessThan(0);
      expect(task.metrics.mean_logprob.value).to.be.closeTo(expected, 1e-9);
    } finally {
      await model.release();
    }
  });
});
