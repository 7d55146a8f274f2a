import type { Logger, ProgressReporter } from '../task/types.js';
import type { CliIo } from './io.js';

/**
 * Progress on stderr: a redrawn bar on a terminal; nothing on a pipe (CI logs stay readable, task
 * start and end lines are printed by the command). `quiet` silences everything but warnings.
 */
export function stderrProgress(io: CliIo, quiet: boolean): ProgressReporter {
  return {
    phase(label, total) {
      let done = 0;
      let last = 0;
      const draw = (force = false) => {
        if (!io.isTTY || quiet) return;
        const now = Date.now();
        if (!force && now - last < 100) return;
        last = now;
        const frac = total > 0 ? Math.min(1, done / total) : 1;
        const width = 24;
        const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
        io.stderr(`\r  ${label} [${bar}] ${done}/${total}\x1b[K`);
      };
      draw(true);
      return {
        tick(n = 1) {
          done += n;
          draw();
        },
        set(d) {
          done = d;
          draw();
        },
        end() {
          done = total;
          draw(true);
          if (io.isTTY && !quiet) io.stderr('\r\x1b[K');
        },
      };
    },
  };
}

export function stderrLogger(io: CliIo, quiet: boolean): Logger {
  return {
    info(message) {
      if (!quiet) io.stderr(`${message}\n`);
    },
    warn(message) {
      io.stderr(`bench: warning: ${message}\n`);
    },
  };
}
