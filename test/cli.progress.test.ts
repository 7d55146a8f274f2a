import { expect } from 'chai';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { formatDuration, progressMode, stderrUi, type ProgressClock } from '../src/cli/progress.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

/** A clock the test moves by hand; `every` timers fire when the time passes their period. */
function fakeClock() {
  let t = 0;
  const timers: { ms: number; next: number; fn: () => void; live: boolean }[] = [];
  const clock: ProgressClock = {
    now: () => t,
    every(ms, fn) {
      const timer = { ms, next: t + ms, fn, live: true };
      timers.push(timer);
      return () => void (timer.live = false);
    },
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = timers.filter((x) => x.live && x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      t = due.next;
      due.next += due.ms;
      due.fn();
    }
    t = end;
  };
  /** Time passes without the timers firing (a blocked event loop). */
  const stall = (ms: number) => void (t += ms);
  return { clock, advance, stall, live: () => timers.filter((x) => x.live).length };
}

describe('progress on stderr', () => {
  it('lines mode: one line per running phase every interval, with percentage, counts, rate and ETA (hand-computed)', () => {
    const io = memoryIo();
    const c = fakeClock();
    const ui = stderrUi(io, { mode: 'lines', quiet: false, intervalSeconds: 30, clock: c.clock });
    const p = ui.progress.phase('fitness BLAT_ECOLX (masked-marginals)', 698);
    c.advance(29_999);
    expect(io.err).to.deep.equal([]); // nothing before the first interval
    p.set(417); // at 30 s: 417/698 = 59.7% -> 59%; 13.9/s; ETA 30 * (1 - f) / f = 20.2 s
    c.advance(1);
    expect(io.err).to.deep.equal(['progress: fitness BLAT_ECOLX (masked-marginals): 59% (417/698), 13.9/s, ETA 20s, elapsed 30s\n']);
    p.tick(100); // 517 at 60 s: 74%, 8.62/s, ETA 60 * 181/517 = 21.0 s
    c.advance(30_000);
    expect(io.err[1]).to.equal('progress: fitness BLAT_ECOLX (masked-marginals): 74% (517/698), 8.62/s, ETA 21s, elapsed 1m00s\n');
    p.end();
    expect(c.live()).to.equal(0); // no phase running: the timer is stopped
    c.advance(120_000);
    expect(io.err).to.have.length(2);
    expect(io.err.join('')).not.to.match(/\r|\x1b/);
  });

  it('lines mode: a tick prints the due line when a busy event loop delays the timer', () => {
    const io = memoryIo();
    const c = fakeClock();
    const ui = stderrUi(io, { mode: 'lines', quiet: false, intervalSeconds: 10, clock: c.clock });
    const p = ui.progress.phase('fold: mean embeddings', 40);
    c.stall(9_000);
    p.tick(); // not due yet
    expect(io.err).to.deep.equal([]);
    c.stall(1_000);
    p.tick(); // due at 10 s although the timer has not fired
    expect(io.err).to.deep.equal(['progress: fold: mean embeddings: 5% (2/40), 0.2/s, ETA 3m10s, elapsed 10s\n']);
    c.advance(0); // the late timer finds nothing due
    expect(io.err).to.have.length(1);
    p.end();
    ui.close();
  });

  it('a phase that reports a fraction of 1 shows a percentage, never the raw fraction, and no rate', () => {
    const io = memoryIo();
    const c = fakeClock();
    const ui = stderrUi(io, { mode: 'lines', quiet: false, intervalSeconds: 10, clock: c.clock });
    const a = ui.progress.phase('contacts: 7 evaluation chains', 1);
    const b = ui.progress.phase('second phase', 4);
    a.set(1 / 7); // 14.28...%
    b.set(2);
    c.advance(10_000);
    expect(io.err).to.deep.equal([
      'progress: contacts: 7 evaluation chains: 14%, ETA 1m00s, elapsed 10s\n',
      'progress: second phase: 50% (2/4), 0.2/s, ETA 10s, elapsed 10s\n',
    ]);
    expect(io.err.join('')).not.to.contain('0.14285714285714285');
    a.end();
    b.end();
    ui.close();
  });

  it('bar mode: one line per running phase with a bar, percentage, rate and ETA; log lines print above the bars', () => {
    const io = memoryIo();
    const c = fakeClock();
    const ui = stderrUi(io, { mode: 'bar', quiet: false, clock: c.clock });
    const p = ui.progress.phase('perplexity (causal)', 20);
    c.advance(5000);
    p.set(5);
    expect(io.err.slice(-2)).to.deep.equal([
      '\x1b[1A\r\x1b[J',
      '  perplexity (causal) [######..................]   25%  5/20  1/s  ETA 15s\n',
    ]);
    ui.log.info('a log line');
    expect(io.err.slice(-3)).to.deep.equal([
      '\x1b[1A\r\x1b[J',
      'a log line\n',
      '  perplexity (causal) [######..................]   25%  5/20  1/s  ETA 15s\n',
    ]);
    p.end();
    expect(io.err.at(-1)).to.equal('\x1b[1A\r\x1b[J'); // the finished bar is cleared
    ui.close();
  });

  it('none mode prints no progress; warnings still show', () => {
    const io = memoryIo();
    const c = fakeClock();
    const ui = stderrUi(io, { mode: 'none', quiet: true, clock: c.clock });
    const p = ui.progress.phase('x', 10);
    p.set(5);
    c.advance(100_000);
    p.end();
    ui.log.info('hidden');
    ui.log.warn('shown');
    expect(io.err).to.deep.equal(['bench: warning: shown\n']);
  });

  it('progressMode: --quiet wins, then --progress, else bar on a terminal and lines elsewhere', () => {
    expect(progressMode(undefined, false, true)).to.equal('bar');
    expect(progressMode(undefined, false, false)).to.equal('lines');
    expect(progressMode('lines', false, true)).to.equal('lines');
    expect(progressMode('bar', true, true)).to.equal('none');
    expect(() => progressMode('fancy', false, true)).to.throw('--progress: must be none, bar or lines, got "fancy"');
    expect(formatDuration(3725)).to.equal('1h02m');
  });

  it('bench run off a terminal: progress lines at the set interval, then the summary table and where the JSON went', async () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const io = memoryIo();
    const model = randomTransformer('clm', {}, dir);
    const code = await main(
      ['run', 'perplexity', '--model', model, '--tier', 'smoke', '--no-cache', '--progress-interval', '0.001', '--out', out],
      io,
    );
    const err = io.err.join('');
    expect(code, err).to.equal(0);
    expect(err).to.match(/^progress: perplexity \(causal\): \d+% \(\d+\/\d+\), [\d.]+\/s, ETA /m);
    expect(err).not.to.match(/\r|\x1b/);
    expect(err).to.match(/== plmbench summary: rand-clm-1 \(clm\), tier smoke, seed 0, [\d.]+ s ==/);
    expect(err).to.match(
      /\n {2}task\s+metric\s+value\s+95% CI\s+n\s+status\n {2}perplexity\s+perplexity\s+[\d.]+\s+\[[\d.]+, [\d.]+\]\s+20\s+ok\n/,
    );
    expect(err).to.contain(`result JSON: ${out}\n`);
    const bad = memoryIo();
    expect(await main(['run', 'perplexity', '--model', model, '--progress', 'fancy', '--out', out], bad)).to.equal(2);
    expect(bad.err.join('')).to.equal('bench: --progress: must be none, bar or lines, got "fancy"\n');
  });
});
