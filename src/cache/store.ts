import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, ftruncateSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../util/hash.js';
import { BenchError } from '../util/errors.js';

/** Values the cache stores: per-sequence reductions of model outputs, or per-item task results. */
export type CachedArray = Float32Array | Float64Array;

const KEY_BYTES = 32;
const HEADER_BYTES = KEY_BYTES + 1 + 4; // key, dtype, element count
const DTYPE_F32 = 1;
const DTYPE_F64 = 2;

export function defaultCacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'plmbench');
}

/**
 * Content-addressed store. Entries live in shards, one per namespace (model hash + what was computed);
 * a shard is an append-only log of `[sha256 key][dtype][count][data]` records, appended after every
 * batch, so a run interrupted half-way resumes without repeating a forward pass. A torn last record
 * (the process died mid-write) is detected by its length and cut off on the next open.
 */
export class CacheStore {
  readonly dir: string | null;
  private readonly shards = new Map<string, CacheShard>();

  /** `dir` null keeps entries in memory only (`--no-cache`): nothing is read or written on disk. */
  constructor(dir: string | null) {
    this.dir = dir;
  }

  shard(namespace: string, modelSha: string): CacheShard {
    const nsHash = sha256(namespace);
    const id = `${modelSha.slice(0, 16)}/${nsHash.slice(0, 32)}`;
    let s = this.shards.get(id);
    if (!s) {
      s = new CacheShard(this.dir ? join(this.dir, modelSha.slice(0, 16), `${nsHash.slice(0, 32)}.log`) : null);
      this.shards.set(id, s);
    }
    return s;
  }

  close(): void {
    for (const s of this.shards.values()) s.close();
    this.shards.clear();
  }
}

export class CacheShard {
  private readonly entries = new Map<string, CachedArray>();
  private fd: number | null = null;
  private readonly path: string | null;

  constructor(path: string | null) {
    this.path = path;
    if (path) this.load(path);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedArray | undefined {
    return this.entries.get(key);
  }

  /** Stores entries; on disk they are appended in one write. `key` is a 64-char hex sha256. */
  putMany(items: { key: string; value: CachedArray }[]): void {
    if (items.length === 0) return;
    for (const { key, value } of items) this.entries.set(key, value);
    if (!this.path) return;
    let total = 0;
    for (const { value } of items) total += HEADER_BYTES + value.byteLength;
    const buf = Buffer.allocUnsafe(total);
    let off = 0;
    for (const { key, value } of items) {
      buf.write(key, off, KEY_BYTES, 'hex');
      buf[off + KEY_BYTES] = value instanceof Float32Array ? DTYPE_F32 : DTYPE_F64;
      buf.writeUInt32LE(value.length, off + KEY_BYTES + 1);
      off += HEADER_BYTES;
      Buffer.from(value.buffer, value.byteOffset, value.byteLength).copy(buf, off);
      off += value.byteLength;
    }
    try {
      if (this.fd === null) {
        mkdirSync(join(this.path, '..'), { recursive: true });
        this.fd = openSync(this.path, 'a');
      }
      writeSync(this.fd, buf);
    } catch (e) {
      throw new BenchError('E_IO', `cache ${this.path}: cannot write (${(e as NodeJS.ErrnoException).code ?? e}); use --cache-dir or --no-cache`);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private load(path: string): void {
    if (!existsSync(path)) return;
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) read += readSync(fd, buf, read, size - read, read);
      let off = 0;
      while (off + HEADER_BYTES <= size) {
        const key = buf.toString('hex', off, off + KEY_BYTES);
        const dtype = buf[off + KEY_BYTES];
        const count = buf.readUInt32LE(off + KEY_BYTES + 1);
        const width = dtype === DTYPE_F32 ? 4 : dtype === DTYPE_F64 ? 8 : 0;
        if (width === 0 || off + HEADER_BYTES + count * width > size) break;
        const start = off + HEADER_BYTES;
        const bytes = buf.subarray(start, start + count * width);
        // Copy into an aligned buffer: typed arrays need offsets that are multiples of their width.
        const value = width === 4 ? new Float32Array(count) : new Float64Array(count);
        Buffer.from(value.buffer).set(bytes);
        this.entries.set(key, value);
        off = start + count * width;
      }
      if (off < size) ftruncateSync(fd, off);
    } finally {
      closeSync(fd);
    }
  }
}
