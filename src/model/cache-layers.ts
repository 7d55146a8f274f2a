import type { CachedArray } from '../cache/store.js';
import type { ForwardCache } from './runner.js';

/** What a run needs of a cache: a shard per namespace (the store's CacheStore has this shape). */
export interface CacheLike {
  shard(namespace: string, modelSha: string): ForwardCache;
  close(): void;
}

/**
 * A cache that reads `layers` (other runs' caches, e.g. the shards of a sharded run) before its own
 * `primary`, and writes only to `primary`: a merge never writes into the shards' folders, so the
 * shards' caches stay as their writers left them and no two processes ever write one file.
 */
export class LayeredCache implements CacheLike {
  constructor(
    private readonly primary: CacheLike,
    private readonly layers: readonly CacheLike[],
  ) {}

  shard(namespace: string, modelSha: string): ForwardCache {
    const own = this.primary.shard(namespace, modelSha);
    const below = this.layers.map((l) => l.shard(namespace, modelSha));
    return {
      get: (key: string): CachedArray | undefined => {
        // The shards' values first: they were computed in the batches a single run computes them in.
        for (const l of below) {
          const v = l.get(key);
          if (v) return v;
        }
        return own.get(key);
      },
      putMany: (items) => {
        own.putMany(items);
      },
      refresh: () => own.refresh() + below.reduce((n, l) => n + l.refresh(), 0),
      onDisk: own.onDisk,
      takeDamaged: () => own.takeDamaged() + below.reduce((n, l) => n + l.takeDamaged(), 0),
    };
  }

  close(): void {
    this.primary.close();
    for (const l of this.layers) l.close();
  }
}
