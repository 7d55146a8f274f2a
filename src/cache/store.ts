import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../util/hash.js';
import { BenchError } from '../util/errors.js';

/** Values the cache stores: per-sequence reductions of model outputs, or per-item task results. */
export type CachedArray = Float32Array | Float64Array;

/*
 * On-disk format (version 2). Every shard (one per model and per thing computed) is a folder
 *   <cache-dir>/v2/<model sha256, 16 hex>/<namespace sha256, 32 hex>/
 * holding append-only segment files. Each writer (one process's shard) appends to its own segment
 *   <host>-<pid>-<random>.open     while it writes (created with O_EXCL: no two writers share a file)
 *   <same name>.seg                once closed (renamed: sealed segments never change again, except
 *                                  that a repair or `bench cache prune` replaces them whole by rename)
 * so no process ever writes a file another one writes, no lock is held, and the folder may live on a
 * shared file system (renames are atomic there; appends from several hosts to one file are not).
 * A segment is a sequence of records:
 *   offset 0   4 bytes  magic "PLMC"
 *          4   1 byte   dtype (1 = float32, 2 = float64)
 *          5   3 bytes  zero
 *          8   4 bytes  element count, uint32 little-endian
 *         12  32 bytes  key (sha256)
 *         44   count x width bytes of values, little-endian
 *          …  16 bytes  checksum: the first 16 bytes of sha256 over bytes 4 .. end of values
 *                       (dtype, count, key and values: any damage to any of them is detected)
 * A record that fails its checksum, or a sealed segment's record cut short, is dropped (its key is
 * recomputed and rewritten by whoever needs it next) and counted; the reader then looks for the next
 * magic to resynchronise. A record cut short at the end of another writer's open segment may still be
 * being written: it is neither used nor counted until it is complete.
 * Values that are not finite are never stored (the model produced them: they are recomputed, and
 * blamed on the model, every time).
 * Readers open files read-only. Before each batch, a writer re-reads what other writers appended
 * since (`refresh`), so a pass another writer has published is served from the cache, not recomputed:
 * see `Runner.run` for what this guarantees under concurrency.
 * Version-1 files (`<model>/<namespace>.log`, no checksums) are never read; `bench cache prune` deletes them.
 */
const MAGIC = Buffer.from('PLMC', 'latin1');
const KEY_BYTES = 32;
const HEADER_BYTES = 12 + KEY_BYTES;
const SUM_BYTES = 16;
const DTYPE_F32 = 1;
const DTYPE_F64 = 2;
export const CACHE_FORMAT_DIR = 'v2';

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'plmbench');
}

/** What a store reports to its user: damaged records found, or a cache it could not write to. */
export type CacheWarn = (message: string) => void;

/**
 * Content-addressed store of per-sequence results, shared safely by concurrent runs (see the format above).
 */
export class CacheStore {
  readonly dir: string | null;
  private readonly shards = new Map<string, CacheShard>();
  private readonly warn: CacheWarn;

  /** `dir` null keeps entries in memory only (`--no-cache`): nothing is read or written on disk. */
  constructor(dir: string | null, warn: CacheWarn = () => {}) {
    this.dir = dir;
    this.warn = warn;
  }

  shard(namespace: string, modelSha: string): CacheShard {
    const nsHash = sha256(namespace);
    const id = `${modelSha.slice(0, 16)}/${nsHash.slice(0, 32)}`;
    let s = this.shards.get(id);
    if (!s) {
      s = new CacheShard(this.dir ? join(this.dir, CACHE_FORMAT_DIR, modelSha.slice(0, 16), nsHash.slice(0, 32)) : null, this.warn);
      this.shards.set(id, s);
    }
    return s;
  }

  close(): void {
    for (const s of this.shards.values()) s.close();
    this.shards.clear();
  }
}

/** One parsed record, or a damaged stretch of a file. */
type Parsed = { kind: 'record'; key: string; value: CachedArray; end: number } | { kind: 'damaged'; end: number } | { kind: 'incomplete' };

/** Encodes records in the format above. */
export function encodeRecords(items: { key: string; value: CachedArray }[]): Buffer {
  let total = 0;
  for (const { value } of items) total += HEADER_BYTES + value.byteLength + SUM_BYTES;
  const buf = Buffer.alloc(total);
  let off = 0;
  for (const { key, value } of items) {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`internal: cache key must be 64 hex characters, got "${key.slice(0, 70)}"`);
    MAGIC.copy(buf, off);
    buf[off + 4] = value instanceof Float32Array ? DTYPE_F32 : DTYPE_F64;
    buf.writeUInt32LE(value.length, off + 8);
    buf.write(key, off + 12, KEY_BYTES, 'hex');
    Buffer.from(value.buffer, value.byteOffset, value.byteLength).copy(buf, off + HEADER_BYTES);
    const end = off + HEADER_BYTES + value.byteLength;
    checksum(buf, off + 4, end).copy(buf, end);
    off = end + SUM_BYTES;
  }
  return buf;
}

function checksum(buf: Buffer, start: number, end: number): Buffer {
  return createHash('sha256').update(buf.subarray(start, end)).digest().subarray(0, SUM_BYTES);
}

/** Parses the record at `off` of `buf` (which holds the file's bytes from its start up to `buf.length`). */
export function parseRecord(buf: Buffer, off: number): Parsed {
  if (buf.length - off < HEADER_BYTES)
    return buf.length - off >= 4 && !buf.subarray(off, off + 4).equals(MAGIC)
      ? { kind: 'damaged', end: resync(buf, off + 1) }
      : { kind: 'incomplete' };
  if (!buf.subarray(off, off + 4).equals(MAGIC)) return { kind: 'damaged', end: resync(buf, off + 1) };
  const dtype = buf[off + 4];
  const width = dtype === DTYPE_F32 ? 4 : dtype === DTYPE_F64 ? 8 : 0;
  const count = buf.readUInt32LE(off + 8);
  if (width === 0 || buf[off + 5] !== 0 || buf[off + 6] !== 0 || buf[off + 7] !== 0) return { kind: 'damaged', end: resync(buf, off + 1) };
  const end = off + HEADER_BYTES + count * width;
  if (end + SUM_BYTES > buf.length) {
    // Either cut short, or a damaged count pointing past the end: a later magic means the latter.
    const next = resync(buf, off + 1);
    return next < buf.length ? { kind: 'damaged', end: next } : { kind: 'incomplete' };
  }
  if (!checksum(buf, off + 4, end).equals(buf.subarray(end, end + SUM_BYTES))) return { kind: 'damaged', end: resync(buf, off + 1) };
  const value = width === 4 ? new Float32Array(count) : new Float64Array(count);
  // Copied into an aligned buffer: typed arrays need offsets that are multiples of their width.
  Buffer.from(value.buffer).set(buf.subarray(off + HEADER_BYTES, end));
  return { kind: 'record', key: buf.toString('hex', off + 12, off + HEADER_BYTES), value, end: end + SUM_BYTES };
}

function resync(buf: Buffer, from: number): number {
  const i = buf.indexOf(MAGIC, from);
  return i < 0 ? buf.length : i;
}

/** What one segment file holds: its good records, how many damaged stretches, and a cut-short tail. */
export interface SegmentScan {
  records: { key: string; value: CachedArray }[];
  damaged: number;
  /** Bytes at the end that form the start of a record not yet complete. */
  tail: number;
}

export function scanSegment(buf: Buffer): SegmentScan {
  const records: SegmentScan['records'] = [];
  let damaged = 0;
  let off = 0;
  while (off < buf.length) {
    const p = parseRecord(buf, off);
    if (p.kind === 'incomplete') break;
    if (p.kind === 'damaged') damaged++;
    else records.push({ key: p.key, value: p.value });
    off = p.end;
  }
  return { records, damaged, tail: buf.length - off };
}

/** Reads a whole file (opened read-only) from `from` to its current end. */
export function readFrom(path: string, from = 0): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null; // merged away by prune meanwhile
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= from) return Buffer.alloc(0);
    const buf = Buffer.allocUnsafe(size - from);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function allFinite(v: CachedArray): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/** Segment files of a shard folder, by kind; none when the folder does not exist. */
export function listSegments(dir: string): { name: string; sealed: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => !n.startsWith('.') && (n.endsWith('.seg') || n.endsWith('.open')))
    .sort()
    .map((name) => ({ name, sealed: name.endsWith('.seg') }));
}

/** Rewrites a file through a temporary one and a rename (readers see the old or the new file, whole). */
export function replaceFile(path: string, data: Buffer): void {
  const tmp = `${join(path, '..')}/.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx');
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

export class CacheShard {
  private readonly entries = new Map<string, CachedArray>();
  private readonly dir: string | null;
  private readonly warn: CacheWarn;
  /** Bytes of each segment already parsed (so a refresh reads only what was appended since). */
  private readonly seen = new Map<string, number>();
  private readonly own: string;
  private fd: number | null = null;
  /** Writes failed (read-only cache): entries are kept in memory only. */
  private readOnly = false;
  private unreported = 0;

  constructor(dir: string | null, warn: CacheWarn = () => {}) {
    this.dir = dir;
    this.warn = warn;
    this.own = `${hostname().replace(/[^A-Za-z0-9_.]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}.open`;
    if (dir) this.refresh();
  }

  get size(): number {
    return this.entries.size;
  }

  get onDisk(): boolean {
    return this.dir !== null;
  }

  /** Whether another writer has an open segment here now (or left one behind). */
  get othersWriting(): boolean {
    return this.dir !== null && listSegments(this.dir).some((s) => !s.sealed && s.name !== this.own);
  }

  get(key: string): CachedArray | undefined {
    return this.entries.get(key);
  }

  /** Damaged records found since the last call (each one means a pass recomputed instead of served). */
  takeDamaged(): number {
    const n = this.unreported;
    this.unreported = 0;
    return n;
  }

  /** Reads what other writers appended since the last look. Returns the number of new entries. */
  refresh(): number {
    if (!this.dir) return 0;
    let added = 0;
    let segments: { name: string; sealed: boolean }[];
    try {
      segments = listSegments(this.dir);
    } catch (e) {
      throw new BenchError(
        'E_IO',
        `cache ${this.dir}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); use --cache-dir or --no-cache`,
      );
    }
    for (const s of segments) {
      if (s.name === this.own) continue;
      const path = join(this.dir, s.name);
      const from = this.seen.get(s.name) ?? 0;
      if (s.sealed && this.seen.has(s.name)) continue; // sealed segments never grow
      let buf: Buffer | null;
      try {
        buf = readFrom(path, from);
      } catch (e) {
        throw new BenchError(
          'E_IO',
          `cache ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); use --cache-dir or --no-cache`,
        );
      }
      if (!buf || buf.length === 0) continue;
      const scan = scanSegment(buf);
      // A sealed segment is complete: a cut-short tail there is damage. An open one may still be growing.
      const damaged = scan.damaged + (s.sealed && scan.tail > 0 ? 1 : 0);
      this.seen.set(s.name, from + buf.length - (s.sealed ? 0 : scan.tail));
      for (const r of scan.records) {
        if (!this.entries.has(r.key)) {
          this.entries.set(r.key, r.value);
          added++;
        }
      }
      if (damaged > 0) {
        this.unreported += damaged;
        this.warn(`cache ${path}: ${damaged} damaged record(s) dropped (checksum or length wrong); their passes are recomputed`);
        if (s.sealed && from === 0) this.repair(path, scan);
      }
    }
    return added;
  }

  /** A sealed segment is rewritten with its good records only (best effort: a read-only cache stays as it is). */
  private repair(path: string, scan: SegmentScan): void {
    try {
      replaceFile(path, encodeRecords(scan.records));
    } catch {
      /* not ours to fix: the next reader drops the same records */
    }
  }

  /** Stores entries; on disk they are appended in one write to this writer's own segment. `key` is a 64-char hex sha256. */
  putMany(items: { key: string; value: CachedArray }[]): void {
    const fresh = items.filter(({ key, value }) => !this.entries.has(key) && allFinite(value));
    for (const { key, value } of fresh) this.entries.set(key, value);
    if (!this.dir || this.readOnly || fresh.length === 0) return;
    const buf = encodeRecords(fresh);
    try {
      if (this.fd === null) {
        mkdirSync(this.dir, { recursive: true });
        this.fd = openSync(join(this.dir, this.own), 'ax');
      }
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        // A shared read-only cache is still worth reading: this run's results are just not kept.
        this.readOnly = true;
        this.warn(`cache ${this.dir}: not writable (${code}); this run's results are not cached`);
        return;
      }
      throw new BenchError('E_IO', `cache ${this.dir}: cannot write (${code ?? String(e)}); use --cache-dir or --no-cache`);
    }
  }

  close(): void {
    if (this.fd === null || !this.dir) return;
    closeSync(this.fd);
    this.fd = null;
    try {
      renameSync(join(this.dir, this.own), join(this.dir, this.own.replace(/\.open$/, '.seg')));
    } catch {
      /* left open: readers still use it; prune seals it */
    }
  }
}
