import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

/**
 * Runs the CLI in-process and holds it to the user-error contract: exit 2, one `bench: ...` line
 * matching `pattern` (the `--ep auto` fallback notices and `bench: warning:` lines about the model aside), no stack trace, and, when `dir` is
 * given, nothing written there (its listing is the same before and after). Returns the line.
 */
export async function expectUserError(argv: string[], pattern: RegExp, dir?: string): Promise<string> {
  const before = dir ? readdirSync(dir).sort() : [];
  const io = memoryIo();
  const code = await main(argv, io);
  const err = io.err.join('');
  expect(code, err).to.equal(2);
  const lines = err
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('bench: --ep auto') && !l.startsWith('bench: warning: '));
  expect(lines, err).to.have.length(1);
  expect(lines[0]).to.match(/^bench: /);
  expect(lines[0], lines[0]).to.match(pattern);
  expect(err).to.not.match(/\n\s+at /);
  if (dir) expect(readdirSync(dir).sort(), 'files written despite the error').to.deep.equal(before);
  return lines[0]!;
}
