import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { schemaErrors } from '../src/util/schema.js';
import { listTaskFolders, loadTask } from '../src/task/registry.js';

// The shipped example leaderboard must stay a file the harness could write today: valid against the
// leaderboard schema, built from the bundled examples, at the current task versions.
describe('results/example-leaderboard.json', () => {
  const board = JSON.parse(readFileSync(join(packageRoot, 'results', 'example-leaderboard.json'), 'utf8'));

  it('validates against the leaderboard schema', () => {
    expect(schemaErrors('leaderboard', board)).to.deep.equal([]);
  });

  it('ranks the two bundled example models next to their random controls', () => {
    const ids = (board.entries as { id: string }[]).map((e) => e.id).sort();
    expect(ids).to.deep.equal(['plm-clm-mini', 'plm-mlm-mini', 'rand-clm-mini', 'rand-mlm-mini']);
  });

  it('was built with the current version of every task it ranks', async () => {
    const folders = listTaskFolders();
    for (const [task, info] of Object.entries(board.tasks as Record<string, { tables: { version: string }[] }>)) {
      const t = await loadTask(task, folders.get(task)!);
      for (const table of info.tables)
        expect(table.version, `${task}: rebuild the example leaderboard (results/README.md)`).to.equal(t.module.version);
    }
  });
});
