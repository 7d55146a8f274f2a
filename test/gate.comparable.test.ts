import { expect } from 'chai';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import type { RunResult } from '../src/report/run-result.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { baseValues, gateRun } from './golden/scaling/gate-fixtures.js';

// The gate pairs items of two runs; it refuses (exit 2, one line naming the task and the difference)
// runs that did not measure the same thing: other tiers, smoke runs of other seeds, other task options,
// another effective protocol (protocol.strategy or protocol.source recorded by both runs).
describe('gate: refuses runs that scored differently (exit 2, one line)', () => {
  const dir = tempDir();
  const v = baseValues();
  let k = 0;
  const file = (run: RunResult) => writeRun(dir, `r${k++}`, run);
  const withProtocol = (run: RunResult, task: string, protocol: Record<string, unknown>) => {
    (run.tasks[task] as { protocol: Record<string, unknown> }).protocol = protocol;
    return run;
  };
  async function gate(a: string, b: string): Promise<{ code: number; err: string; out: string }> {
    const io = memoryIo();
    const code = await main(['gate', '--baseline', a, '--current', b], io);
    return { code, err: io.err.join(''), out: io.out.join('') };
  }
  function refused(r: { code: number; err: string }, re: RegExp): void {
    expect(r.code, r.err).to.equal(2);
    expect(r.err.trim().split('\n'), r.err).to.have.length(1);
    expect(r.err).to.match(re);
  }

  it('different tiers (a smoke and a full run of the same assays)', async () => {
    refused(
      await gate(file(gateRun('m', v)), file(gateRun('m', v, { tier: 'full' }))),
      /^bench: gate: task fitness: tier smoke vs full \(/,
    );
  });

  it('smoke runs of different seeds; full runs of different seeds are compared', async () => {
    refused(
      await gate(file(gateRun('m', v, { seed: 0 })), file(gateRun('m', v, { seed: 1 }))),
      /^bench: gate: task fitness: smoke-tier seed 0 vs 1 \(/,
    );
    expect((await gate(file(gateRun('m', v, { tier: 'full', seed: 0 })), file(gateRun('m', v, { tier: 'full', seed: 1 })))).code).to.equal(
      0,
    );
  });

  it('different options of a compared task, compared exactly (an explicit default differs from none); key order does not matter', async () => {
    const r = await gate(file(gateRun('m', v)), file(gateRun('m', v, { options: { perplexity: { window: 'strided' } } })));
    refused(r, /^bench: gate: task perplexity: options \{\} vs \{"window":"strided"\} \(/);
    const a = file(gateRun('m', v, { options: { fitness: { a: '1', b: '2' } } }));
    const b = file(gateRun('m', v, { options: { fitness: { b: '2', a: '1' } } }));
    expect((await gate(a, b)).code).to.equal(0);
  });

  it('another fitness strategy (masked-marginals vs wt-marginals) recorded in the protocol', async () => {
    const a = file(withProtocol(gateRun('m', v), 'fitness', { strategy: 'masked-marginals' }));
    const b = file(withProtocol(gateRun('m', v), 'fitness', { strategy: 'wt-marginals' }));
    refused(await gate(a, b), /^bench: gate: task fitness: protocol\.strategy masked-marginals vs wt-marginals \(/);
  });

  it("another contacts source (attentions vs the model's contacts head)", async () => {
    const a = file(withProtocol(gateRun('m', v), 'perplexity', { source: 'attentions' }));
    const b = file(withProtocol(gateRun('m', v), 'perplexity', { source: 'contacts' }));
    refused(await gate(a, b), /^bench: gate: task perplexity: protocol\.source attentions vs contacts \(/);
  });

  it('a protocol decision recorded by one run only, or equal in both, is compared', async () => {
    const a = file(withProtocol(gateRun('m', v), 'fitness', { strategy: 'masked-marginals' }));
    expect((await gate(a, file(gateRun('m', v)))).code).to.equal(0);
    expect((await gate(a, file(withProtocol(gateRun('m', v), 'fitness', { strategy: 'masked-marginals' })))).code).to.equal(0);
  });
});
