import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { schemaDir } from './paths.js';

export type SchemaName = 'card' | 'run' | 'leaderboard' | 'baselines' | 'gate-config' | 'scaling-laws' | 'baseline-runs';

const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    const schema = JSON.parse(readFileSync(resolve(schemaDir, `${name}.schema.json`), 'utf8')) as object;
    v = ajv.compile(schema);
    compiled.set(name, v);
  }
  return v;
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
    const extra = e.params && 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : '';
    const allowed = e.params && 'allowedValues' in e.params ? ` (${(e.params['allowedValues'] as unknown[]).join(', ')})` : '';
    return `${where} ${e.message ?? 'invalid'}${extra}${allowed}`;
  });
}
