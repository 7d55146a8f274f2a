import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers, importSpecifiers } from '../scripts/check-layers.js';
import { tempDir } from './helpers/tmp.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A small tree with the given files (path -> source). */
function tree(files: Record<string, string>): string {
  const dir = tempDir('plmbench-layers-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('architecture: import floors (scripts/check-layers.ts)', () => {
  it('the repository follows every rule', () => {
    expect(checkLayers(root).map((v) => v.message)).to.deep.equal([]);
  });

  it('reads static, re-export, type-only and dynamic imports, not commented-out ones', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './side-effect.js';",
      "const m = await import('./dyn.js');",
      "// import { x } from '../report/x.js';",
      "/* import { y } from '../cli/y.js'; */",
    ].join('\n');
    expect(importSpecifiers(src)).to.deep.equal(['./a.js', '../b.js', './c.js', './d.js', './side-effect.js', './dyn.js']);
  });

  it('fails an upward import (src/model importing src/report)', () => {
    const dir = tree({
      'src/report/gate.ts': 'export const g = 1;\n',
      'src/model/runner.ts': "import { g } from '../report/gate.js';\nexport const r = g;\n",
    });
    const v = checkLayers(dir);
    expect(v).to.have.length(1);
    expect(v[0]!.rule).to.equal('upward');
    expect(v[0]!.message).to.equal(
      'src/model/runner.ts imports src/report/gate.ts: model (floor 4) imports report (floor 1), a higher floor',
    );
  });

  it('fails a type-only upward import too', () => {
    const dir = tree({
      'src/report/run-result.ts': 'export interface R { a: number }\n',
      'src/scaling/matched.ts': "import type { R } from '../report/run-result.js';\nexport type M = R;\n",
    });
    expect(checkLayers(dir).map((v) => v.rule)).to.deep.equal(['upward']);
  });

  it('fails a cycle', () => {
    const dir = tree({
      'src/util/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/util/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    const v = checkLayers(dir);
    expect(v.map((x) => x.rule)).to.deep.equal(['cycle']);
    expect(v[0]!.message).to.equal('import cycle: src/util/a.ts -> src/util/b.ts -> src/util/a.ts');
  });

  it("fails a task importing another task's internals, and src/ importing a task", () => {
    const dir = tree({
      'tasks/fitness/scoring.ts': 'export const s = 1;\n',
      'tasks/contacts/index.ts': "import { s } from '../fitness/scoring.js';\nexport default s;\n",
      'src/task/registry.ts': "import t from '../../tasks/contacts/index.js';\nexport const r = t;\n",
    });
    expect(checkLayers(dir).map((v) => `${v.rule}: ${v.file}`)).to.deep.equal([
      'src-imports-task: src/task/registry.ts',
      'task-imports-task: tasks/contacts/index.ts',
    ]);
  });

  it('fails a task importing the scaling, report or cli floors, and accepts the floors below', () => {
    const dir = tree({
      'src/report/leaderboard.ts': 'export const l = 1;\n',
      'src/model/index.ts': 'export const m = 1;\n',
      'src/util/errors.ts': 'export const e = 1;\n',
      'tasks/perplexity/index.ts':
        "import { l } from '../../src/report/leaderboard.js';\nimport { m } from '../../src/model/index.js';\nimport { e } from '../../src/util/errors.js';\nexport default l + m + e;\n",
    });
    expect(checkLayers(dir).map((v) => `${v.rule}: ${v.imports}`)).to.deep.equal(['task-imports-upper: src/report/leaderboard.ts']);
  });

  it('fails imports between independent modules of one floor, and a module on no floor', () => {
    const dir = tree({
      'src/probe/ridge.ts': 'export const r = 1;\n',
      'src/metrics/x.ts': "import { r } from '../probe/ridge.js';\nexport const x = r;\n",
      'src/newthing/y.ts': "import { x } from '../metrics/x.js';\nexport const y = x;\n",
    });
    expect(checkLayers(dir).map((v) => v.rule)).to.deep.equal(['same-floor', 'upward']);
  });
});
