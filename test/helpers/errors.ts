import { expect } from 'chai';
import { BenchError } from '../../src/util/errors.js';

/**
 * Holds `fn` (sync or async) to the library's bad-input contract: it throws a BenchError with `code`,
 * one line, matching `pattern`.
 */
export async function expectBenchError(fn: () => unknown, pattern: RegExp, code = 'E_DATA'): Promise<void> {
  try {
    await fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BenchError);
    expect((e as BenchError).code).to.equal(code);
    expect((e as Error).message).to.match(pattern);
    expect((e as Error).message).to.not.include('\n');
    return;
  }
  expect.fail('expected a BenchError');
}
