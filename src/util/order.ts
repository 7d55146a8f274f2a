import { sha256 } from './hash.js';

/**
 * Keyed sha256 rank: hex sha256 of `key + ":" + name`, a fixed pseudo-random order that depends only on
 * the key and the name (the same on any machine).
 */
export function keyedRank(key: string, name: string): string {
  return sha256(`${key}:${name}`);
}

/**
 * `items` in keyed sha256 order of their names (`keyedRank(key, name(item))`, compared as strings); items
 * of equal rank (equal names) keep their input order. Returns a new array.
 */
export function byRank<T>(key: string, items: readonly T[], name: (t: T) => string): T[] {
  const r = new Map(items.map((t) => [t, keyedRank(key, name(t))]));
  return [...items].sort((a, b) => (r.get(a)! < r.get(b)! ? -1 : r.get(a)! > r.get(b)! ? 1 : 0));
}

/** Items grouped by key: groups in order of first appearance, members in input order. */
export function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const g = m.get(k);
    if (g) g.push(t);
    else m.set(k, [t]);
  }
  return m;
}
