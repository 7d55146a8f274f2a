import { expect } from 'chai';
import { join } from 'node:path';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import type { RunResult } from '../src/report/run-result.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { causalC, maskedA, maskedB } from './golden/scaling/leaderboard-fixtures.js';

// Runs are ranked together only when they measured the same thing: same tier, the same seed on the
// smoke tier, the same task options, and the same effective protocol (protocol.source of any two
// runs; protocol.strategy of runs of the same objective, since a task's strategies are per objective).
describe('leaderboard: refuses runs scored differently (exit 2, one line naming task, runs and difference)', () => {
  const dir = tempDir();
  let k = 0;
  const file = (run: RunResult) => writeRun(dir, `r${k++}`, run);
  const withProtocol = (run: RunResult, task: string, protocol: Record<string, unknown>) => {
    (run.tasks[task] as { protocol: Record<string, unknown> }).protocol = protocol;
    return run;
  };
  async function leaderboard(...files: string[]): Promise<{ code: number; err: string }> {
    const io = memoryIo();
    const code = await main(['leaderboard', ...files, '--out', join(tempDir(), 'lb.json'), '--quiet'], io);
    return { code, err: io.err.join('') };
  }
  function refused(r: { code: number; err: string }, re: RegExp): void {
    expect(r.code, r.err).to.equal(2);
    expect(r.err.trim().split('\n'), r.err).to.have.length(1);
    expect(r.err).to.match(re);
  }

  it('smoke runs of different seeds (the seed may choose the subset)', async () => {
    refused(await leaderboard(file(maskedA({ seed: 0 })), file(maskedB({ seed: 3 }))), /^bench: leaderboard: task fitness: smoke-tier seed 0 vs 3 \(.*r\d+\.json and .*r\d+\.json\)/);
  });

  it('full runs of different seeds are ranked', async () => {
    expect((await leaderboard(file(maskedA({ tier: 'full', seed: 0 })), file(maskedB({ tier: 'full', seed: 3 })))).code).to.equal(0);
  });

  it('options: an explicit value differs from none; the same map in another key order does not', async () => {
    refused(await leaderboard(file(maskedA()), file(maskedB({ options: { fitness: { strategy: 'masked-marginals' } } }))), /task fitness: options \{\} vs \{"strategy":"masked-marginals"\}/);
    const r = await leaderboard(file(maskedA({ options: { fitness: { a: '1', b: '2' } } })), file(maskedB({ options: { fitness: { b: '2', a: '1' } } })));
    expect(r.code, r.err).to.equal(0);
  });

  it('two masked models scored with different fitness strategies', async () => {
    const a = file(withProtocol(maskedA(), 'fitness', { strategy: 'masked-marginals' }));
    const b = file(withProtocol(maskedB(), 'fitness', { strategy: 'wt-marginals' }));
    refused(await leaderboard(a, b), /^bench: leaderboard: task fitness: protocol\.strategy masked-marginals vs wt-marginals \(.*r\d+\.json and .*r\d+\.json, both mlm\); cannot rank/);
  });

  it('contacts from attentions and from a contacts head, whatever the objectives', async () => {
    const a = file(withProtocol(maskedA(), 'perplexity', { source: 'attentions' }));
    const c = file(withProtocol(causalC(), 'perplexity', { source: 'contacts' }));
    refused(await leaderboard(a, c), /^bench: leaderboard: task perplexity: protocol\.source attentions vs contacts \(/);
  });

  it('a masked and a causal model, each with its objective\'s own default strategy (same options), are ranked together', async () => {
    const a = file(withProtocol(maskedA(), 'fitness', { strategy: 'masked-marginals' }));
    const b = file(withProtocol(maskedB(), 'fitness', { strategy: 'masked-marginals' }));
    const c = file(withProtocol(causalC(), 'fitness', { strategy: 'causal-llr' }));
    const r = await leaderboard(a, b, c);
    expect(r.code, r.err).to.equal(0);
  });
});
