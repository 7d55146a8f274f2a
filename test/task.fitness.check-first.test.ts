import { expect } from 'chai';
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectUserError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { userDir } from './golden/fitness/user-data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ID = 'BCHB_CHLTE_Tsuboyama_2023_2KRU';

// Issue 19, item 11: a fitness data error used to come after the tasks before it had run (and after a
// progress line); the task's check now reads the assays before any task runs.
describe('fitness: bad data stops the run before any task runs', function () {
  this.timeout(120000);

  it('bench run perplexity fitness with a broken assay: one line naming the file and row, no task output, nothing written', async () => {
    const { dir } = userDir(
      { [ID]: 30 },
      { edit: (_, lines) => lines.map((l, i) => (i === 3 ? l.replace(/^[A-Z]\d+[A-Z]/, 'Z31C') : l)), reference: true },
    );
    const out = tempDir();
    const line = await expectUserError(
      [
        'run',
        'perplexity',
        'fitness',
        '--model',
        join(root, 'models/plm-clm-mini.onnx'),
        '--tier',
        'smoke',
        '--no-cache',
        '--data',
        `fitness=${dir}`,
        '--out',
        join(out, 'r.json'),
      ],
      new RegExp(`${ID}\\.csv:4: `),
      out,
    );
    expect(line).to.not.match(/perplexity/);
  });
});
