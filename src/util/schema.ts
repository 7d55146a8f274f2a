import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { stableStringify } from './json.js';
import { schemaDir } from './paths.js';

export type SchemaName = 'card' | 'run' | 'leaderboard' | 'baselines' | 'gate-config' | 'scaling-laws' | 'baseline-runs';

/** Schemas whose definitions another schema `$ref`s (by relative URI, e.g. `run.schema.json#/definitions/mcCompute`). */
const REFERENCED: Partial<Record<SchemaName, SchemaName[]>> = { leaderboard: ['run'], 'baseline-runs': ['run'] };

const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
const added = new Set<SchemaName>();

/** Adds `results/schema/<name>.schema.json` (once) under its name and its `$id`, with the schemas it references. */
function addSchema(name: SchemaName): void {
  if (added.has(name)) return;
  added.add(name);
  for (const dep of REFERENCED[name] ?? []) addSchema(dep);
  ajv.addSchema(JSON.parse(readFileSync(resolve(schemaDir, `${name}.schema.json`), 'utf8')) as object, name);
}

function validator(name: SchemaName): ValidateFunction {
  addSchema(name);
  return ajv.getSchema(name)!;
}

/**
 * Validates `data` against `results/schema/<name>.schema.json` (compiled once, strict, all errors,
 * never changing the data). Returns one `instancePath message` line per error; empty when valid.
 */
export function schemaErrors(name: SchemaName, data: unknown): string[] {
  const v = validator(name);
  if (v(data)) return [];
  return (v.errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra = 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : '';
    const allowed = 'allowedValues' in e.params ? ` (${(e.params['allowedValues'] as unknown[]).join(', ')})` : '';
    return `${where} ${e.message ?? 'invalid'}${extra}${allowed}`;
  });
}

/** The first `max` schema errors joined by '; ', then `; and N more` when there are more. */
export function schemaErrorSummary(errors: readonly string[], max: number): string {
  return `${errors.slice(0, max).join('; ')}${errors.length > max ? `; and ${errors.length - max} more` : ''}`;
}

/**
 * Replaces non-finite numbers (which JSON cannot hold) by null and typed arrays by plain arrays, so
 * a metric that is undefined on some item is recorded as null rather than breaking the file.
 */
export function toJsonSafe<T>(value: T): T {
  return JSON.parse(stableStringify(value)) as T;
}

/**
 * `value` made JSON-safe (toJsonSafe), validated against a schema, as deterministic bytes (sorted keys,
 * 2-space indent, final newline). When it does not validate, throws `invalid(errors)`.
 */
export function serializeValidated(name: SchemaName, value: unknown, invalid: (errors: string[]) => Error): string {
  const safe = toJsonSafe(value);
  const errors = schemaErrors(name, safe);
  if (errors.length > 0) throw invalid(errors);
  return stableStringify(safe, 2) + '\n';
}
