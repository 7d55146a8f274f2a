import type { Logger, ProgressReporter } from '../task/types.js';
import { BenchError } from '../util/errors.js';
import type { CliIo } from './io.js';

/**
 * How progress shows on stderr. `bar`: bars redrawn in place, one line per running phase (terminals);
 * `lines`: one plain line per running phase every `intervalSeconds` (CI logs: no escape codes, no
 * redraws); `none`: nothing.
 */
export type ProgressMode = 'none' | 'bar' | 'lines';

export const DEFAULT_PROGRESS_INTERVAL_S = 30;

/** The mode a run uses: --quiet wins, then --progress, else a bar on a terminal and lines elsewhere. */
export function progressMode(flag: string | undefined, quiet: boolean, isTTY: boolean): ProgressMode {
  if (flag !== undefined && flag !== 'none' && flag !== 'bar' && flag !== 'lines')
    throw new BenchError('E_USAGE', `--progress: must be none, bar or lines, got "${flag}"`);
  if (quiet) return 'none';
  if (flag) return flag;
  return isTTY ? 'bar' : 'lines';
}

/** Time source and timer, injected so tests can drive the clock. */
export interface ProgressClock {
  now(): number;
  /** Calls `fn` every `ms` milliseconds until the returned function is called; must not keep the process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const realClock: ProgressClock = {
  now: () => performance.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => {
      clearInterval(t);
    };
  },
};

interface Phase {
  label: string;
  total: number;
  done: number;
  started: number;
}

/** Stderr progress and log lines that share the terminal: a log line clears the bars, prints, redraws. */
export interface StderrUi {
  progress: ProgressReporter;
  log: Logger;
  /** Prints text above the bars (task start and end lines, the summary). */
  print(text: string): void;
  /** Stops the timer and clears the bars. */
  close(): void;
}

export function stderrUi(
  io: CliIo,
  opts: { mode: ProgressMode; quiet: boolean; intervalSeconds?: number; clock?: ProgressClock },
): StderrUi {
  const clock = opts.clock ?? realClock;
  const intervalMs = Math.max(1, (opts.intervalSeconds ?? DEFAULT_PROGRESS_INTERVAL_S) * 1000);
  const active: Phase[] = [];
  let drawn = 0; // bar lines currently on screen, below the cursor's line start
  let lastDraw = -Infinity;
  let stopTimer: (() => void) | null = null;

  const clearBars = () => {
    if (drawn === 0) return;
    // Cursor sits at the start of the line after the last bar: go up and clear to the end of the screen.
    io.stderr(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const drawBars = (force: boolean) => {
    const now = clock.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    clearBars();
    if (active.length === 0) return;
    io.stderr(active.map((p) => `${barLine(p, now)}\n`).join(''));
    drawn = active.length;
  };
  // Lines are due every interval from the first phase's start. The timer prints them; so does a tick
  // that finds them due, because a busy event loop (a long synchronous step) delays timers.
  let nextDue = Infinity;
  const printLines = () => {
    const now = clock.now();
    if (now < nextDue) return;
    nextDue = Math.max(nextDue + intervalMs, now + intervalMs / 2);
    for (const p of active) io.stderr(`${progressLine(p, now)}\n`);
  };
  const startTimer = () => {
    if (opts.mode !== 'lines' || stopTimer) return;
    nextDue = clock.now() + intervalMs;
    stopTimer = clock.every(intervalMs, printLines);
  };
  const stopIfIdle = () => {
    if (active.length === 0 && stopTimer) {
      stopTimer();
      stopTimer = null;
      nextDue = Infinity;
    }
  };

  const progress: ProgressReporter = {
    phase(label, total) {
      const p: Phase = { label, total: Number.isFinite(total) && total > 0 ? total : 0, done: 0, started: clock.now() };
      if (opts.mode === 'none') return { tick() {}, set() {}, end() {} };
      active.push(p);
      if (opts.mode === 'bar') drawBars(true);
      else startTimer();
      const update = () => {
        if (opts.mode === 'bar') drawBars(false);
        else printLines();
      };
      let ended = false;
      return {
        tick(n = 1) {
          p.done += n;
          update();
        },
        set(d) {
          p.done = d;
          update();
        },
        end() {
          if (ended) return;
          ended = true;
          const i = active.indexOf(p);
          if (i >= 0) active.splice(i, 1);
          if (opts.mode === 'bar') drawBars(true);
          stopIfIdle();
        },
      };
    },
  };
  const print = (text: string) => {
    if (opts.mode === 'bar') clearBars();
    io.stderr(text);
    if (opts.mode === 'bar' && active.length > 0) drawBars(true);
  };
  return {
    progress,
    print,
    log: {
      info(message) {
        if (!opts.quiet) print(`${message}\n`);
      },
      warn(message) {
        print(`bench: warning: ${message}\n`);
      },
    },
    close() {
      active.length = 0;
      if (opts.mode === 'bar') clearBars();
      stopIfIdle();
    },
  };
}

/** Fraction done, in [0, 1]; a phase of total 0 counts as done. */
function fraction(p: Phase): number {
  return p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 1;
}

/**
 * Rate in the phase's own units, or null for phases whose total is 1: those report a fraction done
 * (the task's own steps are not exposed), and a rate of "0.03/s" would mean nothing.
 */
function rate(p: Phase, now: number): string | null {
  const s = (now - p.started) / 1000;
  if (p.total <= 1 || s <= 0 || p.done <= 0) return null;
  const r = p.done / s;
  return `${r >= 100 ? Math.round(r) : Number(r.toPrecision(3))}/s`;
}

function eta(p: Phase, now: number): string {
  const f = fraction(p);
  const elapsed = (now - p.started) / 1000;
  if (f >= 1) return 'ETA 0s';
  if (f <= 0 || elapsed <= 0) return 'ETA --';
  return `ETA ${formatDuration((elapsed * (1 - f)) / f)}`;
}

/** Counts of a phase with integer steps ("301/698"); fractional phases show the percentage only. */
function counts(p: Phase): string | null {
  return p.total > 1 ? `${Math.min(p.done, p.total)}/${p.total}` : null;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function percent(p: Phase): string {
  return `${Math.floor(fraction(p) * 100)}%`;
}

/** `  fitness BLAT (masked-marginals) [#########...............]  38%  264/698  14.2/s  ETA 31s` */
export function barLine(p: Phase, now: number, width = 24): string {
  const filled = Math.round(fraction(p) * width);
  const parts = [
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    percent(p).padStart(4),
    counts(p),
    rate(p, now),
    eta(p, now),
  ].filter(Boolean);
  const label = p.label.length > 56 ? `${p.label.slice(0, 55)}…` : p.label;
  return `  ${label} ${parts.join('  ')}`;
}

/** `progress: fitness BLAT (masked-marginals): 38% (264/698), 14.2/s, ETA 31s, elapsed 19s` */
export function progressLine(p: Phase, now: number): string {
  const c = counts(p);
  const r = rate(p, now);
  return `progress: ${p.label}: ${percent(p)}${c ? ` (${c})` : ''}${r ? `, ${r}` : ''}, ${eta(p, now)}, elapsed ${formatDuration((now - p.started) / 1000)}`;
}
