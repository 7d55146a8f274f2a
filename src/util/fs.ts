import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { BenchError } from './errors.js';

/** True when `bytes` start with the gzip magic bytes (1f 8b). */
export function isGzipBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(path: string): Buffer {
  return readMaybeGzipWithRaw(path).data;
}

/** {@link readMaybeGzip}, also returning the file's bytes as stored (`raw`, still gzipped), e.g. to hash them. */
export function readMaybeGzipWithRaw(path: string): { raw: Buffer; data: Buffer } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new BenchError('E_IO', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  if (isGzipBytes(buf)) {
    try {
      return { raw: buf, data: gunzipSync(buf) };
    } catch {
      throw new BenchError('E_DATA', `${path}: corrupt gzip data`);
    }
  }
  return { raw: buf, data: buf };
}

export function readTextMaybeGzip(path: string): string {
  return readMaybeGzip(path).toString('utf8');
}

/**
 * Checks early that `path` can be written (so a long run does not fail at the very end), without
 * creating it: the folder must exist or be creatable, and an existing file must be writable.
 */
export function assertWritable(path: string, what: string): void {
  const dir = dirname(path);
  try {
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) throw new BenchError('E_IO', `${what} ${path}: is a directory`);
      accessSync(path, constants.W_OK);
      return;
    }
    let probe = dir;
    while (!existsSync(probe)) probe = dirname(probe);
    if (!statSync(probe).isDirectory()) throw new BenchError('E_IO', `${what} ${path}: ${probe} is not a directory`);
    accessSync(probe, constants.W_OK);
  } catch (e) {
    if (e instanceof BenchError) throw e;
    throw new BenchError('E_IO', `${what} ${path}: not writable (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/** Writes through a temporary file in the same folder and renames, so readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new BenchError('E_IO', `${path}: cannot create folder ${dir} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the temporary file may not exist */
    }
    throw new BenchError('E_IO', `${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}
