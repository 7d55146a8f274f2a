import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { sha256 } from '../util/hash.js';
import type { DataFileInfo } from './types.js';

/**
 * Hash and row count of a data file as a task reads it. `countRows` receives the bytes (gunzipped
 * when the caller says so) and returns what the task calls a row (FASTA records, CSV data rows...).
 */
export function describeDataFile(path: string, label: string, rows: number): DataFileInfo {
  return { file: label, sha256: sha256(readFileSync(path)), rows };
}

/** Absolute path of a task's bundled data file, and the label results record for it. */
export function bundledData(taskDir: string, file: string): { path: string; label: string } {
  const path = resolve(taskDir, 'data', file);
  return { path, label: relative(taskDir, path) };
}
