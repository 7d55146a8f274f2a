import { expect } from 'chai';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { gateRuns } from '../src/report/gate.js';
import { loadGateConfig } from '../src/report/gate-config.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';
import { writeRun } from './golden/scaling/runs.js';
import { baseValues, gateRun } from './golden/scaling/gate-fixtures.js';
import type { RunResult } from '../src/report/run-result.js';

const config = loadGateConfig();
const file = (run: RunResult, path: string) => ({ path, sha256: '', run });
type Ok = {
  metrics: Record<string, { value: number | null; higherIsBetter?: boolean }>;
  items: { id: string; metrics: Record<string, number | null> }[];
};
const ok = (run: RunResult, task: string) => run.tasks[task] as unknown as Ok;

describe('gate: cannot be fooled (issue 19, item 2)', () => {
  it('a headline metric that becomes null in the current run is a regression (exit 1), not "not-paired"', async () => {
    const dir = tempDir();
    const cur = gateRun('m');
    ok(cur, 'perplexity').metrics['perplexity']!.value = null;
    for (const it of ok(cur, 'perplexity').items) it.metrics['perplexity'] = null;
    const a = writeRun(dir, 'a', gateRun('m'));
    const b = writeRun(dir, 'b', cur);
    const io = memoryIo(dir);
    expect(await main(['gate', '--baseline', a, '--current', b], io), io.err.join('')).to.equal(1);
    expect(io.out.join('')).to.match(/perplexity\s+perplexity\s+finite in the baseline \([\d.]+\), null in the current run/);
  });

  it("a metric missing from the current run, or one item's value lost, is a regression", () => {
    const cur = gateRun('m');
    delete ok(cur, 'fitness').metrics['auc'];
    for (const it of ok(cur, 'fitness').items) delete it.metrics['auc'];
    ok(cur, 'perplexity').items[3]!.metrics['nll'] = null;
    const r = gateRuns(file(gateRun('m'), 'a'), file(cur, 'b'), { config, seed: 0 });
    expect(r.regressions).to.deep.equal(['fitness.auc', 'perplexity.nll']);
    expect(r.rows.find((x) => x.metric === 'auc')!.note).to.match(/missing in the current run/);
    expect(r.rows.find((x) => x.metric === 'nll')!.note).to.match(
      /1 item\(s\) finite in the baseline have no value in the current run \(first: "item-003"\)/,
    );
  });

  it('directions come from the task plugin: a run whose higherIsBetter was flipped is refused (perplexity 17 -> 32 is no improvement)', async () => {
    const dir = tempDir();
    const v = baseValues();
    const worse = gateRun('m', { ...v, ppl: v.ppl.map((x) => ({ ...x, perplexity: x.perplexity * 1.9 })) });
    for (const m of Object.values(ok(worse, 'perplexity').metrics)) m.higherIsBetter = true;
    const a = writeRun(dir, 'a', gateRun('m'));
    const b = writeRun(dir, 'b', worse);
    await expectUserError(
      ['gate', '--baseline', a, '--current', b],
      /perplexity\.nll: .*b\.json records higher is better, the task's definition says lower is better/,
    );
    // Without the plugin, runs that disagree with each other are refused too.
    expect(() => gateRuns(file(gateRun('m'), 'a'), file(worse, 'b'), { config, seed: 0 })).to.throw(
      /perplexity\.nll: a records lower is better, b higher is better/,
    );
    // A config that contradicts the plugin is refused.
    const flipped = { ...config, metrics: { ...config.metrics, 'perplexity.perplexity': { tolerance: 0, higherIsBetter: true } } };
    expect(() =>
      gateRuns(file(gateRun('m'), 'a'), file(gateRun('m'), 'b'), {
        config: flipped,
        seed: 0,
        direction: (t, m) => (t === 'perplexity' ? false : m === 'spearman' || m === 'auc'),
      }),
    ).to.throw(/the gate config says higher is better/);
  });

  it('runs of different objectives are refused with one line (masked pseudo-NLL vs causal NLL)', async () => {
    const dir = tempDir();
    const a = writeRun(dir, 'a', gateRun('m', baseValues(), { objective: 'mlm' }));
    const b = writeRun(dir, 'b', gateRun('m'));
    await expectUserError(['gate', '--baseline', a, '--current', b], /gate: objectives differ: mlm in .*a\.json, clm in .*b\.json/);
  });

  it('duplicate item ids in a run are refused when it is read', async () => {
    const dir = tempDir();
    const cur = gateRun('m');
    ok(cur, 'fitness').items[1]!.id = ok(cur, 'fitness').items[0]!.id;
    const a = writeRun(dir, 'a', gateRun('m'));
    const b = writeRun(dir, 'b', cur);
    await expectUserError(['gate', '--baseline', a, '--current', b], /task fitness: item id "item-000" appears twice/);
  });
});
