import { BenchError, isBenchError, isPathError, pathErrorMessage } from '../util/errors.js';
import { harnessInfo } from '../report/harness.js';
import type { CliIo } from './io.js';
import { runCommand, RUN_HELP } from './commands/run.js';
import { listCommand, LIST_HELP } from './commands/list.js';
import { inspectCommand, INSPECT_HELP } from './commands/inspect.js';

/** A command: argv after the command name, injected I/O, exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  all: { run: (a, io) => runCommand(a, io, 'all'), help: RUN_HELP },
  run: { run: (a, io) => runCommand(a, io, 'run'), help: RUN_HELP },
  list: { run: listCommand, help: LIST_HELP },
  inspect: { run: inspectCommand, help: INSPECT_HELP },
};

/** Lets later modules add commands (leaderboard, gate, baseline) without touching the exit logic. */
export function registerCommand(name: string, run: Command, help: string): void {
  COMMANDS[name] = { run, help };
}

export function usage(): string {
  return [
    'usage: bench <command> [options]',
    '',
    // Each help's opening lines that start with `bench` (all and run share one help, both lines listed).
    ...Object.values(COMMANDS)
      .flatMap((c) =>
        c.help
          .split('\n\n')[0]!
          .split('\n')
          .filter((l, i) => i === 0 || l.startsWith('bench ')),
      )
      .filter((l, i, a) => a.indexOf(l) === i),
    '',
    'bench <command> --help for its options. Exit codes: 0 ok, 1 gate failed, 2 bad input, 3 internal error,',
    "4 the gate's baseline is from another task version (refresh it).",
    '',
  ].join('\n');
}

/**
 * The one exit point: user errors print one line `bench: <message>` and give 2 (stack only with
 * --debug), a failed gate gives 1 (decided by the gate command), anything else is an internal bug:
 * stack and versions, exit 3.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(usage());
      return name ? 0 : 2;
    }
    if (name === '--version') {
      const h = harnessInfo();
      io.stdout(`plmbench ${h.version}${h.commit ? ` (${h.commit.slice(0, 10)})` : ''}\n`);
      return 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) throw new BenchError('E_USAGE', `unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await cmd.run(rest, io);
  } catch (e) {
    if (isBenchError(e) || isParseArgsError(e) || isPathError(e)) {
      io.stderr(`bench: ${oneLine(isPathError(e) ? pathErrorMessage(e) : (e as Error).message)}\n`);
      if (debug) io.stderr(`${(e as Error).stack}\n`);
      return (e as { code?: string }).code === 'E_GATE_STALE' ? 4 : 2;
    }
    const h = harnessInfo();
    io.stderr(
      `bench: internal error (plmbench ${h.version}, ${h.commit ?? 'no commit'}, node ${process.version}):\n${(e instanceof Error ? e.stack : undefined) ?? String(e)}\n`,
    );
    return 3;
  }
}

/** One line, control characters escaped: parseArgs explains over three lines, and data may hold escapes. */
function oneLine(message: string): string {
  return (
    message
      .trim()
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ')
      // eslint-disable-next-line no-control-regex -- it matches control characters to escape them
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  );
}

/** util.parseArgs throws TypeErrors with these codes for unknown or malformed flags. */
function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string } | null | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
