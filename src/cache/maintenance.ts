import { readdirSync, statSync, unlinkSync, rmdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CACHE_FORMAT_DIR, encodeRecords, listSegments, readFrom, replaceFile, scanSegment, type CachedArray } from './store.js';

/** What `bench cache verify` found (and `prune` did). */
export interface CacheSurvey {
  dir: string;
  shards: number;
  segments: number;
  /** Segments still open: being written now, or left by a writer that died. */
  openSegments: number;
  records: number;
  keys: number;
  /** Records whose key another record of the same shard already holds (concurrent writers computing one pass). */
  duplicates: number;
  damaged: number;
  /** Files of the old format (no checksums): never read, deleted by prune. */
  legacyFiles: number;
  bytes: number;
}

function dirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Old-format logs: `<dir>/<model 16 hex>/<namespace 32 hex>.log`. */
function legacyLogs(dir: string): string[] {
  const out: string[] = [];
  for (const m of dirs(dir)) {
    if (!/^[0-9a-f]{16}$/.test(m)) continue;
    for (const f of readdirSync(join(dir, m))) if (/^[0-9a-f]{32}\.log$/.test(f)) out.push(join(dir, m, f));
  }
  return out;
}

function shardDirs(dir: string): string[] {
  const root = join(dir, CACHE_FORMAT_DIR);
  return dirs(root).flatMap((m) => dirs(join(root, m)).map((n) => join(root, m, n)));
}

/** Reads every shard and counts records, keys, duplicates and damage; changes nothing. */
export function verifyCache(dir: string): CacheSurvey {
  const s: CacheSurvey = {
    dir,
    shards: 0,
    segments: 0,
    openSegments: 0,
    records: 0,
    keys: 0,
    duplicates: 0,
    damaged: 0,
    legacyFiles: 0,
    bytes: 0,
  };
  for (const f of legacyLogs(dir)) {
    s.legacyFiles++;
    s.bytes += statSync(f).size;
  }
  for (const shard of shardDirs(dir)) {
    s.shards++;
    const keys = new Set<string>();
    for (const seg of listSegments(shard)) {
      const buf = readFrom(join(shard, seg.name));
      if (!buf) continue;
      s.segments++;
      s.bytes += buf.length;
      if (!seg.sealed) s.openSegments++;
      const scan = scanSegment(buf);
      s.damaged += scan.damaged + (seg.sealed && scan.tail > 0 ? 1 : 0);
      for (const r of scan.records) {
        s.records++;
        if (keys.has(r.key)) s.duplicates++;
        else keys.add(r.key);
      }
    }
    s.keys += keys.size;
  }
  return s;
}

/** Whether an open segment's writer is a process of this host that no longer exists. */
function abandoned(name: string): boolean {
  const m = /^(.*)-(\d+)-[0-9a-f]+\.open$/.exec(name);
  if (!m || m[1] !== hostname().replace(/[^A-Za-z0-9_.]/g, '_')) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Compacts every shard into one sealed segment of good, distinct records: sealed segments and open
 * segments abandoned by a dead process of this host are merged (written to a temporary file, renamed
 * in, and only then are the inputs deleted, so a concurrent reader sees every good record at all
 * times, perhaps twice); segments other writers may still append to are left alone. Old-format logs
 * and leftover temporary files are deleted. Returns the survey after pruning.
 */
export function pruneCache(dir: string): { before: CacheSurvey; after: CacheSurvey; removedFiles: number } {
  const before = verifyCache(dir);
  let removedFiles = 0;
  for (const f of legacyLogs(dir)) {
    unlinkSync(f);
    removedFiles++;
  }
  for (const shard of shardDirs(dir)) {
    for (const f of readdirSync(shard)) {
      if (f.startsWith('.') && f.endsWith('.tmp') && Date.now() - statSync(join(shard, f)).mtimeMs > 3600e3) {
        unlinkSync(join(shard, f));
        removedFiles++;
      }
    }
    const inputs = listSegments(shard).filter((s) => s.sealed || abandoned(s.name));
    const entries = new Map<string, CachedArray>();
    let damaged = 0;
    for (const seg of inputs) {
      const buf = readFrom(join(shard, seg.name));
      if (!buf) continue;
      const scan = scanSegment(buf);
      damaged += scan.damaged + (scan.tail > 0 ? 1 : 0);
      for (const r of scan.records) if (!entries.has(r.key)) entries.set(r.key, r.value);
    }
    const alreadyCompact = inputs.length === 1 && inputs[0]!.sealed && damaged === 0;
    if (inputs.length === 0 || alreadyCompact) continue;
    if (entries.size > 0) {
      const packed = join(shard, `pack-${randomBytes(6).toString('hex')}.seg`);
      replaceFile(packed, encodeRecords([...entries].map(([key, value]) => ({ key, value }))));
    }
    for (const seg of inputs) {
      try {
        unlinkSync(join(shard, seg.name));
        removedFiles++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    removeIfEmpty(shard);
  }
  for (const m of dirs(join(dir, CACHE_FORMAT_DIR))) removeIfEmpty(join(dir, CACHE_FORMAT_DIR, m));
  return { before, after: verifyCache(dir), removedFiles };
}

function removeIfEmpty(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    /* not empty, or already gone */
  }
}
