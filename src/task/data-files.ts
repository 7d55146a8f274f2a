import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { sha256 } from '../util/hash.js';
import type { DataFileInfo } from './types.js';

/**
 * Hash and row count of a data file as a task reads it: `rows` is what the task calls a row (FASTA records,
 * CSV data rows...), the sha256 is of the file's bytes as stored (not gunzipped). A caller that has already
 * read the file passes those `bytes`, so that it is not read a second time.
 */
export function describeDataFile(path: string, label: string, rows: number, bytes?: Uint8Array): DataFileInfo {
  return { file: label, sha256: sha256(bytes ?? readFileSync(path)), rows };
}

/** Absolute path of a task's bundled data file, and the label results record for it. */
export function bundledData(taskDir: string, file: string): { path: string; label: string } {
  const path = resolve(taskDir, 'data', file);
  return { path, label: relative(taskDir, path) };
}
