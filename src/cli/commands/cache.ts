import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchError } from '../../util/errors.js';
import { defaultCacheDir } from '../../cache/store.js';
import { pruneCache, verifyCache, type CacheSurvey } from '../../cache/maintenance.js';
import type { CliIo } from '../io.js';

export const CACHE_HELP = `bench cache verify|prune [--cache-dir DIR]   check or compact the forward-pass cache
  verify: reads every record and checks its checksum; exit 0 when all are good, 1 when some are damaged
          (runs drop damaged records and recompute them; prune removes them for good).
  prune:  merges each shard's closed segments into one, without damaged or duplicate records, and deletes
          files of the old cache format; segments other runs are still writing are left alone.

  --cache-dir DIR       the cache (default ~/.cache/plmbench)
`;

export async function cacheCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'cache-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(CACHE_HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (action !== 'verify' && action !== 'prune')
    throw new BenchError('E_USAGE', `bench cache: name verify or prune, got ${action === undefined ? 'nothing' : `"${action}"`}`);
  if (extra.length > 0) throw new BenchError('E_USAGE', `bench cache ${action}: unexpected argument "${extra[0]}"`);
  const dir = values['cache-dir'] ? resolve(io.cwd, values['cache-dir']) : defaultCacheDir();
  if (!existsSync(dir)) {
    io.stdout(`cache ${dir}: empty (no such folder)\n`);
    return 0;
  }
  if (!statSync(dir).isDirectory()) throw new BenchError('E_IO', `--cache-dir ${dir}: not a directory`);
  try {
    if (action === 'verify') {
      const s = verifyCache(dir);
      io.stdout(describe(s));
      if (s.damaged > 0) {
        io.stdout(`cache ${dir}: ${s.damaged} damaged record(s); runs recompute them; bench cache prune removes them\n`);
        return 1;
      }
      return 0;
    }
    const r = pruneCache(dir);
    io.stdout(`before: ${describe(r.before)}after:  ${describe(r.after)}removed ${r.removedFiles} file(s)\n`);
    return 0;
  } catch (e) {
    if (e instanceof BenchError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && err.code.startsWith('E'))
      throw new BenchError('E_IO', `cache ${err.path ?? dir}: cannot ${action} (${err.code})`);
    throw e;
  }
}

function describe(s: CacheSurvey): string {
  return (
    `cache ${s.dir}: ${s.shards} shard(s), ${s.segments} segment(s) (${s.openSegments} open), ${s.records} record(s) for ${s.keys} key(s), ` +
    `${s.duplicates} duplicate(s), ${s.damaged} damaged, ${s.legacyFiles} old-format file(s), ${(s.bytes / 1048576).toFixed(1)} MiB\n`
  );
}
