import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { dirname, basename, join, relative, isAbsolute, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BenchError } from './errors.js';

/**
 * Caps on what one data file may hold, so that a small hostile file (1 GB of zeros gzipped to 4.6 MB)
 * fails with one line instead of exhausting memory: `maxInputBytes` caps a file's size after
 * decompression, `maxRecordBytes` one line (a FASTA line, a CSV record). Set once by the CLI
 * (--max-input-mb, --max-record-kb); the defaults fit every public data set the tasks read: the
 * largest ProteinGym substitution assay is tens of MB, the longest known protein (titin) 35k residues.
 */
export interface ReadLimits {
  maxInputBytes: number;
  maxRecordBytes: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = { maxInputBytes: 256 * 1048576, maxRecordBytes: 1048576 };
// Kept on globalThis: task plugins may load their own instance of this module (see isBenchError).
const LIMITS_KEY = Symbol.for('plmbench.readLimits');
const store = globalThis as { [LIMITS_KEY]?: ReadLimits };

export function setReadLimits(l: Partial<ReadLimits>): void {
  store[LIMITS_KEY] = { ...DEFAULT_READ_LIMITS, ...l };
}

export function readLimits(): Readonly<ReadLimits> {
  return store[LIMITS_KEY] ?? DEFAULT_READ_LIMITS;
}

const mib = (n: number) => `${+(n / 1048576).toFixed(3)} MiB`;
const kib = (n: number) => `${+(n / 1024).toFixed(3)} KiB`;

/**
 * At most `max` characters of `text`, for messages that must show what a file holds: anything not
 * printable ASCII is escaped (`\n`, `\x1b`, `\u00e9`), and the rest is cut with "…", so that a data
 * path pointing at a secret (a symlink to /proc/self/environ) cannot put it in a CI log.
 */
export function excerpt(text: string, max = 40): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const shown =
      c >= 0x20 && c < 0x7f
        ? ch
        : c === 10
          ? '\\n'
          : c === 9
            ? '\\t'
            : c === 13
              ? '\\r'
              : c < 0x100
                ? `\\x${c.toString(16).padStart(2, '0')}`
                : `\\u{${c.toString(16)}}`;
    if (out.length + shown.length > max) return `${out}…`;
    out += shown;
  }
  return out;
}

/** Pseudo file systems and devices: never data, never an output. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

function specialRoot(real: string): string | null {
  return SPECIAL_ROOTS.find((r) => real === r || real.startsWith(r + '/')) ?? null;
}

function kindOf(st: Stats): string | null {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return null;
}

function ioError(what: string, e: unknown, verb = 'cannot read'): BenchError {
  if (e instanceof BenchError) return e;
  return new BenchError('E_IO', `${what}: ${verb} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
}

/**
 * Refuses a path that is not a plain file or folder (FIFOs would block a reader forever, devices never
 * end) or that resolves into /proc, /sys or /dev. Checked with stat before any open.
 */
export function assertNotSpecial(path: string, what = path): void {
  let st: Stats;
  let real: string;
  try {
    st = statSync(path);
    real = realpathSync(path);
  } catch (e) {
    throw ioError(what, e, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'cannot read');
  }
  const kind = kindOf(st);
  if (kind) throw new BenchError('E_IO', `${what}: is ${kind}, not a data file`);
  const root = specialRoot(real);
  if (root) throw new BenchError('E_IO', `${what}: resolves into ${root} (${excerpt(real, 60)}), which holds no data`);
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r));
}

/**
 * Checks a user's data path before the run: it exists, and neither it nor anything under it (a folder
 * is walked, up to 20,000 entries) is a special file, or a symlink that resolves outside the data
 * folder (the folder given, or the file's own folder), unless `followSymlinks`: a symlink in a pull
 * request pointing at /etc/passwd must not have its first line quoted in CI logs.
 */
export function checkDataPath(path: string, what: string, followSymlinks: boolean): void {
  assertNotSpecial(path, what);
  const isDir = statSync(path).isDirectory();
  const root = isDir ? path : dirname(path);
  const realRoot = realpathSync(root);
  const check = (p: string, shown: string) => {
    let l: Stats;
    try {
      l = lstatSync(p);
    } catch (e) {
      throw ioError(shown, e);
    }
    if (l.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(p);
      } catch (e) {
        throw ioError(shown, e, 'broken symlink');
      }
      if (!followSymlinks && !inside(real, realRoot))
        throw new BenchError(
          'E_IO',
          `${shown}: a symlink that resolves outside the data folder ${root} (refused; --follow-symlinks allows it)`,
        );
    }
    assertNotSpecial(p, shown);
  };
  if (!isDir) {
    check(path, what);
    return;
  }
  let budget = 20000;
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw ioError(`${what}: ${dir}`, e);
    }
    for (const n of names) {
      if (--budget < 0) return;
      const p = join(dir, n);
      check(p, `${what}: ${relative(path, p)}`);
      if (depth < 4 && statSync(p).isDirectory() && !lstatSync(p).isSymbolicLink()) walk(p, depth + 1);
    }
  };
  walk(path, 0);
}

/** True when `bytes` start with the gzip magic bytes (1f 8b). */
export function isGzipBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. */
export function readMaybeGzip(path: string): Buffer {
  return readMaybeGzipWithRaw(path).data;
}

/**
 * {@link readMaybeGzip}, also returning the file's bytes as stored (`raw`, still gzipped), e.g. to hash
 * them. Special files are refused; the file's size, its size after decompression, and its longest line
 * are held to the read limits ({@link setReadLimits}), with one line naming the file and the cap.
 */
export function readMaybeGzipWithRaw(path: string): { raw: Buffer; data: Buffer } {
  assertNotSpecial(path);
  const { maxInputBytes } = readLimits();
  let buf: Buffer;
  try {
    if (statSync(path).size > maxInputBytes)
      throw new BenchError('E_DATA', `${path}: larger than the cap of ${mib(maxInputBytes)} per data file (--max-input-mb)`);
    buf = readFileSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
  let data = buf;
  if (isGzipBytes(buf)) {
    try {
      data = gunzipSync(buf, { maxOutputLength: maxInputBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new BenchError(
          'E_DATA',
          `${path}: decompresses to more than the cap of ${mib(maxInputBytes)} per data file (--max-input-mb)`,
        );
      }
      throw new BenchError('E_DATA', `${path}: corrupt gzip data`);
    }
  }
  assertRecordSizes(data, path);
  return { raw: buf, data };
}

/** Refuses text whose longest line is longer than the record cap (a file of zeros has one endless line). */
export function assertRecordSizes(data: Uint8Array, path: string): void {
  const max = readLimits().maxRecordBytes;
  if (data.length <= max) return;
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let start = 0;
  let line = 1;
  while (start < b.length) {
    let nl = b.indexOf(10, start);
    if (nl < 0) nl = b.length;
    if (nl - start > max)
      throw new BenchError('E_DATA', `${path}:${line}: a line longer than the cap of ${kib(max)} per record (--max-record-kb)`);
    start = nl + 1;
    line++;
  }
}

export function readTextMaybeGzip(path: string): string {
  return readMaybeGzip(path).toString('utf8');
}

/**
 * Checks early that `path` can be written (so a long run does not fail at the very end): not under
 * /proc, /sys or /dev, not a folder or special file, and its nearest existing folder takes a new file,
 * tried by creating and removing one (root passes access() everywhere, even where writing fails).
 */
export function assertWritable(path: string, what: string): void {
  try {
    if (existsSync(path)) {
      const st = statSync(path);
      if (st.isDirectory()) throw new BenchError('E_IO', `${what} ${path}: is a directory`);
      const kind = kindOf(st);
      if (kind) throw new BenchError('E_IO', `${what} ${path}: is ${kind}, not a file`);
    }
    probeFolder(dirname(path), what, path);
  } catch (e) {
    throw ioError(`${what} ${path}`, e, 'not writable');
  }
}

/**
 * {@link assertWritable} for a folder that will hold files (e.g. --cache-dir): not special, a folder if
 * it exists, and its nearest existing ancestor is a real, writable folder.
 */
export function assertWritableDir(path: string, what: string, requireWrite = true): void {
  try {
    if (existsSync(path) && !statSync(path).isDirectory()) throw new BenchError('E_IO', `${what} ${path}: not a directory`);
    probeFolder(path, what, path, requireWrite);
  } catch (e) {
    throw ioError(`${what} ${path}`, e, 'not writable');
  }
}

function probeFolder(dir: string, what: string, shown: string, requireWrite = true): void {
  let probe = dir;
  while (!existsSync(probe)) probe = dirname(probe);
  const real = realpathSync(probe);
  const root = specialRoot(real);
  if (root) throw new BenchError('E_IO', `${what} ${shown}: under ${root}, which holds no files of ours`);
  if (!statSync(probe).isDirectory()) throw new BenchError('E_IO', `${what} ${shown}: ${probe} is not a directory`);
  const tmp = join(probe, `.plmbench-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(tmp, 'wx'));
  } catch (e) {
    // A read-only cache is still read (its writes are skipped with a warning): only special places fail then.
    if (!requireWrite && ['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  unlinkSync(tmp);
}

/** Writes through a temporary file in the same folder and renames, so readers never see half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new BenchError('E_IO', `${path}: cannot create folder ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
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
    throw new BenchError('E_IO', `${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
