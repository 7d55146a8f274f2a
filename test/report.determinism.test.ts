import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBench } from '../src/cli/commands/run.js';
import { normalizeRunOptions } from '../src/cli/options.js';
import { memoryIo } from '../src/cli/io.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

/** Drops what may differ between identical runs: ids and times, and the cost's timings. */
function stable(text: string): unknown {
  return JSON.parse(text, (k, v) =>
    ['createdAt', 'runId', 'timings', 'seconds', 'inferenceSeconds', 'peakRssMiB'].includes(k) ? undefined : v,
  );
}

describe('run results are deterministic', () => {
  it('the same model, data and seed give the same bytes but for timestamps and timings; another seed changes the intervals', async () => {
    const dir = tempDir();
    const model = randomTransformer('clm', {}, dir);
    const texts: string[] = [];
    for (const [i, seed] of [
      ['a', '5'],
      ['b', '5'],
      ['c', '6'],
    ] as const) {
      const out = join(dir, `${i}.json`);
      const io = memoryIo();
      expect(
        await runBench(normalizeRunOptions({ model, tier: 'smoke', seed, out, 'no-cache': true, quiet: true, tasks: 'perplexity' }), io),
      ).to.equal(0);
      texts.push(readFileSync(out, 'utf8'));
    }
    expect(stable(texts[0]!)).to.deep.equal(stable(texts[1]!));
    expect(texts[0]).to.match(/^\{\n {2}"createdAt"/); // sorted keys
    const a = JSON.parse(texts[0]!).tasks.perplexity.metrics.perplexity;
    const c = JSON.parse(texts[2]!).tasks.perplexity.metrics.perplexity;
    expect(c.value).to.equal(a.value);
    expect(c.ci95).to.not.deep.equal(a.ci95);
  });
});
