import { expect } from 'chai';
import '../src/cli/extra-commands.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { tempDir } from './helpers/tmp.js';
import { writeRun } from './golden/scaling/runs.js';
import { gateRun } from './golden/scaling/gate-fixtures.js';

describe('gate: runs of different precision are refused (issue 17)', () => {
  const dir = tempDir();

  it('fp32 vs fp16: exit 2, one line naming both precisions; same precision still compares', async () => {
    const a = gateRun('m');
    const b = gateRun('m');
    (b.model as { precision: string }).precision = 'float16';
    const pa = writeRun(dir, 'fp32', a);
    const pb = writeRun(dir, 'fp16', b);
    const io = memoryIo();
    expect(await main(['gate', '--baseline', pa, '--current', pb], io)).to.equal(2);
    const err = io.err.join('');
    expect(err).to.match(/^bench: gate: the runs have different precision \(fp32 in .*fp32.*, float16 in .*fp16.*\)/);
    expect(err.trim().split('\n')).to.have.length(1);
    const same = memoryIo();
    expect(await main(['gate', '--baseline', pa, '--current', pa], same)).to.equal(0);
  });
});
