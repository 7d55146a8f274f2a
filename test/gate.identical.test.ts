import { expect } from 'chai';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { gateRuns } from '../src/report/gate.js';
import { loadGateConfig } from '../src/report/gate-config.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { gateRun } from './golden/scaling/gate-fixtures.js';

describe('gate: identical runs pass', () => {
  it('every metric has diff 0 with a [0, 0] interval and the gate passes', () => {
    const a = { path: 'a.json', sha256: '', run: gateRun('m') };
    const b = { path: 'b.json', sha256: '', run: gateRun('m') };
    const r = gateRuns(a, b, { config: loadGateConfig(), seed: 0 });
    expect(r.passed).to.equal(true);
    expect(r.regressions).to.deep.equal([]);
    expect(r.rows.map((x) => `${x.task}.${x.metric}`)).to.deep.equal([
      'fitness.auc',
      'fitness.spearman',
      'perplexity.nll',
      'perplexity.perplexity',
    ]);
    for (const x of r.rows) {
      expect(x.status, x.metric).to.equal('pass');
      expect(x.diff).to.equal(0);
      expect(x.ci95).to.deep.equal([0, 0]);
    }
    expect(r.rows.find((x) => x.metric === 'spearman')!.n).to.equal(40);
    expect(r.tasks.every((t) => t.status === 'compared')).to.equal(true);
  });

  it('bench gate exits 0 and prints the table; --json prints the machine-readable diff', async () => {
    const dir = tempDir();
    const a = writeRun(dir, 'a', gateRun('m'));
    const b = writeRun(dir, 'b', gateRun('m'));
    const io = memoryIo(dir);
    expect(await main(['gate', '--baseline', a, '--current', b], io)).to.equal(0);
    expect(io.out.join('')).to.match(/gate passed/);
    const j = memoryIo(dir);
    expect(await main(['gate', '--baseline', a, '--current', b, '--json'], j)).to.equal(0);
    const report = JSON.parse(j.out.join('')) as { passed: boolean; rows: unknown[]; statistic: string };
    expect(report.passed).to.equal(true);
    expect(report.rows).to.have.length(4);
    expect(report.statistic).to.match(/paired percentile bootstrap/);
  });
});
