import { expect } from 'chai';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { gateRuns } from '../src/report/gate.js';
import { loadGateConfig } from '../src/report/gate-config.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { baseValues, gateRun } from './golden/scaling/gate-fixtures.js';

const config = loadGateConfig();
const file = (run: ReturnType<typeof gateRun>, path: string) => ({ path, sha256: '', run });

describe('gate: a task degraded by a known amount fails', () => {
  it('fitness Spearman lowered by 0.05 on every assay: diff -0.05 exactly, a regression; the other task passes', () => {
    const v = baseValues();
    const worse = { ...v, fit: v.fit.map((x) => ({ ...x, spearman: x.spearman - 0.05 })) };
    const r = gateRuns(file(gateRun('m'), 'a.json'), file(gateRun('m', worse), 'b.json'), { config, seed: 0 });
    const row = r.rows.find((x) => x.metric === 'spearman')!;
    expect(row.diff).to.be.closeTo(-0.05, 1e-12);
    expect(row.ci95![0]).to.be.closeTo(-0.05, 1e-12);
    expect(row.ci95![1]).to.be.closeTo(-0.05, 1e-12);
    expect(row.status).to.equal('regression');
    expect(r.regressions).to.deep.equal(['fitness.spearman']);
    expect(r.passed).to.equal(false);
    expect(r.rows.filter((x) => x.task === 'perplexity').every((x) => x.status === 'pass')).to.equal(true);
  });

  it('respects direction: perplexity up 5% is a regression, down 5% an improvement', () => {
    const v = baseValues();
    const up = { ...v, ppl: v.ppl.map((x) => ({ ...x, perplexity: x.perplexity * 1.05 })) };
    const down = { ...v, ppl: v.ppl.map((x) => ({ ...x, perplexity: x.perplexity * 0.95 })) };
    const rUp = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', up), 'b'), { config, seed: 0 });
    expect(rUp.rows.find((x) => x.metric === 'perplexity')!.status).to.equal('regression');
    const rDown = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', down), 'b'), { config, seed: 0 });
    expect(rDown.rows.find((x) => x.metric === 'perplexity')!.status).to.equal('improvement');
    expect(rDown.passed).to.equal(true);
  });

  it('a drop smaller than the tolerance passes (0.005 < 0.01)', () => {
    const v = baseValues();
    const slight = { ...v, fit: v.fit.map((x) => ({ ...x, spearman: x.spearman - 0.005 })) };
    const r = gateRuns(file(gateRun('m'), 'a'), file(gateRun('m', slight), 'b'), { config, seed: 0 });
    expect(r.rows.find((x) => x.metric === 'spearman')!.status).to.equal('pass');
  });

  it('bench gate exits 1 with a table naming what regressed', async () => {
    const dir = tempDir();
    const v = baseValues();
    const a = writeRun(dir, 'a', gateRun('m'));
    const b = writeRun(dir, 'b', gateRun('m', { ...v, fit: v.fit.map((x) => ({ ...x, spearman: x.spearman - 0.05 })) }));
    const io = memoryIo(dir);
    expect(await main(['gate', '--baseline', a, '--current', b], io)).to.equal(1);
    const out = io.out.join('');
    expect(out).to.match(/gate FAILED: 1 regression/);
    expect(out).to.match(/fitness\s+spearman\s+-0\.05 \[-0\.05, -0\.05\]\s+0\.01/);
  });

  it('a task that failed in the current run is a regression (missingTask: fail)', () => {
    const cur = gateRun('m', baseValues());
    const failed = {
      ...cur,
      tasks: { ...cur.tasks, perplexity: { version: '1.0.0', status: 'failed' as const, code: 'E_MODEL_OUTPUT', reason: 'NaN logits' } },
    };
    const r = gateRuns(file(gateRun('m'), 'a'), file(failed, 'b'), { config, seed: 0 });
    expect(r.passed).to.equal(false);
    expect(r.tasks.find((t) => t.task === 'perplexity')).to.include({ status: 'missing', regression: true });
    const lenient = gateRuns(file(gateRun('m'), 'a'), file(failed, 'b'), { config: { ...config, missingTask: 'warn' }, seed: 0 });
    expect(lenient.passed).to.equal(true);
  });
});
