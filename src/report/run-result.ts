import { BenchError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { schemaErrorSummary, schemaErrors, serializeValidated } from '../util/schema.js';
import type { RunResult } from '../task/run.js';

export type { RunResult } from '../task/run.js';

/** Non-finite numbers to null, typed arrays to plain arrays (the run's JSON form; defined with the serialiser). */
export { toJsonSafe } from '../util/schema.js';

function invalidRun(where: string, errors: string[]): BenchError {
  return new BenchError('E_RESULT', `${where}: invalid run result: ${schemaErrorSummary(errors, 8)}`);
}

export function validateRun(run: unknown, where: string): void {
  const errors = schemaErrors('run', run);
  if (errors.length > 0) throw invalidRun(where, errors);
}

/** Serialises a run deterministically (sorted keys), after validating it against the schema. */
export function serializeRun(run: RunResult): string {
  return serializeValidated('run', run, (errors) => invalidRun('run result', errors));
}

/** Validates and writes atomically; nothing is written when validation fails. */
export function writeRun(path: string, run: RunResult): string {
  const text = serializeRun(run);
  writeFileAtomic(path, text);
  return text;
}
