/**
 * Partial runs: what one shard of `bench all --shard i/n` writes, and the checks `bench merge` makes
 * before it trusts a set of them. A partial holds no task results (those need all the data); it says
 * which run it belongs to (the fingerprint: harness, model, data, tier, seed, options, shard count),
 * where its cache is, and which batches of the single-run plan it computed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BenchError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { stableStringify } from '../util/json.js';
import type { HarnessInfo } from '../task/run.js';
import { balance, type ShardTaskRecord } from '../model/shard-plan.js';

export const PARTIAL_KIND = 'plmbench-partial-run';

/** The run options that decide results (not where they go, nor how loudly). */
export interface PartialCommand {
  /** The shard's working folder: relative paths in `options` are resolved from it. */
  cwd: string;
  options: Record<string, unknown>;
}

export interface PartialRun {
  kind: typeof PARTIAL_KIND;
  schemaVersion: 1;
  partial: true;
  runId: string;
  createdAt: string;
  harness: HarnessInfo;
  model: { path: string; sha256: string; id: string; ep: string };
  refModel?: { path: string; sha256: string };
  tier: 'smoke' | 'full';
  seed: number;
  shard: { index: number; count: number; cacheDir: string };
  command: PartialCommand;
  /** sha256 of each `--data` path (a folder: over its files' relative paths and hashes). */
  data: Record<string, string>;
  work: {
    tasks: Record<string, ShardTaskRecord>;
    /** Tokens (batch size x padded length) of the split batches given to each shard, as every shard plans them. */
    splitTokensPerShard: number[];
  };
  timings: { startedAt: string; seconds: number };
}

/** Hash of a `--data` path: a file's sha256, or over a folder's files (sorted relative paths and hashes). */
export async function hashDataPath(path: string): Promise<string> {
  if (!statSync(path).isDirectory()) return sha256File(path);
  const h = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) await walk(p);
      else h.update(`${relative(path, p)}\0${await sha256File(p)}\n`);
    }
  };
  await walk(path);
  return h.digest('hex');
}

export function serializePartial(p: PartialRun): string {
  return `${stableStringify(p, 2)}\n`;
}

/** Reads a partial run; anything else is one clear line. */
export function readPartial(file: string): PartialRun {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BenchError(code ? 'E_IO' : 'E_RESULT', `${file}: ${code ? `cannot read (${code})` : 'not JSON'}`);
  }
  const p = raw as Partial<PartialRun> | null;
  if (!p || typeof p !== 'object' || p.kind !== PARTIAL_KIND)
    throw new BenchError('E_RESULT', `${file}: not a partial run (a shard's output of bench all --shard i/n)`);
  if (p.schemaVersion !== 1)
    throw new BenchError('E_RESULT', `${file}: partial run schemaVersion ${String(p.schemaVersion)} is not supported (expected 1)`);
  const s = p.shard;
  const ok =
    p.partial === true &&
    s &&
    Number.isInteger(s.index) &&
    Number.isInteger(s.count) &&
    s.count >= 1 &&
    s.index >= 0 &&
    s.index < s.count &&
    typeof s.cacheDir === 'string' &&
    p.harness &&
    p.model &&
    typeof p.model.sha256 === 'string' &&
    p.command &&
    typeof p.command.cwd === 'string' &&
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON from disk: checked, not trusted
    p.command.options &&
    p.work &&
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON from disk: checked, not trusted
    p.work.tasks &&
    Array.isArray(p.work.splitTokensPerShard) &&
    p.data &&
    typeof p.seed === 'number' &&
    (p.tier === 'smoke' || p.tier === 'full');
  if (!ok)
    throw new BenchError('E_RESULT', `${file}: malformed partial run (missing or invalid shard, harness, model, command, data or work)`);
  return p as PartialRun;
}

/** The fields two shards of one run share, each with a name for the refusal. */
function identity(p: PartialRun): [string, string][] {
  return [
    ['harness version', stableStringify(p.harness)],
    ['model', p.model.sha256],
    ['execution provider', p.model.ep],
    ['reference model', p.refModel?.sha256 ?? 'none'],
    ['data', stableStringify(p.data)],
    ['tier', p.tier],
    ['seed', String(p.seed)],
    ['options', stableStringify(p.command.options)],
    ['shard count', String(p.shard.count)],
  ];
}

/**
 * Checks that the partials are the n shards of one run, each once, and that no batch was computed by
 * two of them. Returns them in shard order. Throws one line naming the file and the problem.
 */
export function checkPartials(files: string[], partials: PartialRun[], harness: HarnessInfo): PartialRun[] {
  if (partials.length === 0) throw new BenchError('E_USAGE', 'bench merge: name the partial runs to merge');
  const first = identity(partials[0]!);
  partials.forEach((p, k) => {
    const id = identity(p);
    id.forEach(([what, v], j) => {
      if (v !== first[j]![1])
        throw new BenchError(
          'E_RESULT',
          `${files[k]}: shard of a different run than ${files[0]}: ${what} differs (${short(v)} vs ${short(first[j]![1])})`,
        );
    });
  });
  const mine = stableStringify(harness);
  if (stableStringify(partials[0]!.harness) !== mine) {
    throw new BenchError(
      'E_RESULT',
      `${files[0]}: made by another plmbench (${short(stableStringify(partials[0]!.harness))}) than this merge (${short(mine)}); merge with the harness the shards ran`,
    );
  }
  const n = partials[0]!.shard.count;
  const byIndex = new Map<number, number>();
  partials.forEach((p, k) => {
    const prev = byIndex.get(p.shard.index);
    if (prev !== undefined) throw new BenchError('E_RESULT', `${files[k]}: shard ${p.shard.index}/${n} given twice (also ${files[prev]})`);
    byIndex.set(p.shard.index, k);
  });
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new BenchError(
      'E_RESULT',
      `bench merge: shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).join(', ')})`,
    );
  const owner = new Map<string, number>();
  partials.forEach((p, k) => {
    for (const [task, rec] of Object.entries(p.work.tasks)) {
      for (const id of rec.covered) {
        const key = `${task}|${id}`;
        const other = owner.get(key);
        if (other !== undefined)
          throw new BenchError('E_RESULT', `${files[k]}: overlaps ${files[other]}: both computed batch ${id} of task ${task}`);
        owner.set(key, k);
      }
    }
  });
  return Array.from({ length: n }, (_, i) => partials[byIndex.get(i)!]!);
}

/** Tokens per shard (split batches plus whole tasks on their owners) and their spread. */
export function shardBalance(partials: PartialRun[]): { tokens: number[]; max: number; mean: number; ratio: number } {
  const tokens = partials.map((p) => Object.values(p.work.tasks).reduce((s, r) => s + r.tokens, 0));
  return { tokens, ...balance(tokens) };
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
