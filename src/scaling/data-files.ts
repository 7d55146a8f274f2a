import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BenchError, type BenchErrorCode } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { packageRoot } from '../util/paths.js';
import { schemaErrorSummary, schemaErrors, type SchemaName } from '../util/schema.js';

/** Folder of the baseline data: registry, laws, registered runs. */
export const baselinesDir = resolve(packageRoot, 'results/baselines');

/** A JSON data file, parsed and validated against its schema, with its hash and a display path. */
export interface LoadedJson<T> {
  data: T;
  sha256: string;
  /** Relative to the package root when inside it, else absolute. */
  file: string;
}

/** How a kind of JSON file is validated and named in the BenchErrors of readValidJson. */
export interface JsonFileKind {
  schema: SchemaName;
  /** Its name for readTextFile ("run file", "baseline registry"). */
  what: string;
  code: BenchErrorCode;
  /** After `<path>: `, before ` (<parser message>)`, when the text is not JSON. */
  notJson: string;
  /** After `<path>: `, before `: <schema errors>`, when it does not match its schema. */
  invalid: string;
  /** Schema errors shown before `; and N more`. */
  maxErrors: number;
}

/** Reads, parses and validates a JSON file (a BenchError naming the path otherwise), with the sha256 of its bytes. */
export function readValidJson(path: string, kind: JsonFileKind): { data: unknown; sha256: string } {
  const text = readTextFile(path, kind.what);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BenchError(kind.code, `${path}: ${kind.notJson} (${(e as Error).message})`);
  }
  const errors = schemaErrors(kind.schema, data);
  if (errors.length > 0) throw new BenchError(kind.code, `${path}: ${kind.invalid}: ${schemaErrorSummary(errors, kind.maxErrors)}`);
  return { data, sha256: sha256(text) };
}

/** Reads and validates a JSON data file; a missing, malformed or invalid file is a BenchError naming it. */
export function readJsonData<T>(path: string, schema: SchemaName, what: string): LoadedJson<T> {
  const { data, sha256 } = readValidJson(path, {
    schema,
    what,
    code: 'E_DATA',
    notJson: `${what} is not valid JSON`,
    invalid: `invalid ${what}`,
    maxErrors: 6,
  });
  return { data: data as T, sha256, file: displayPath(path) };
}

/**
 * The text of a file a user named. A missing path, a directory or another non-file, and a read error
 * are BenchErrors (E_IO, exit 2) whose message starts with the path: `<path>: <what> is a directory, not a file`.
 */
export function readTextFile(path: string, what: string): string {
  let isFile: boolean;
  let kind = 'not a regular file';
  try {
    const st = statSync(path);
    isFile = st.isFile();
    if (st.isDirectory()) kind = 'a directory';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BenchError('E_IO', `${path}: ${what} not found`);
    throw new BenchError('E_IO', `${path}: cannot read the ${what} (${code ?? (e as Error).message})`);
  }
  if (!isFile) throw new BenchError('E_IO', `${path}: the ${what} is ${kind}, not a file`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new BenchError('E_IO', `${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function displayPath(path: string): string {
  const rel = relative(packageRoot, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}
