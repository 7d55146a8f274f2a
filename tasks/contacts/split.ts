/**
 * The fixed train / evaluation split of the bundled chains, and the rule that made it.
 *
 * Rule (version `plmbench-contacts-split-v1`), applied to the rows of `data/index.csv`:
 * 1. each chain gets `hash = sha256("plmbench-contacts-split-v1:" + pdb_id + chain)` (hex);
 * 2. chains are sorted by reference length (SEQRES), ties by hash;
 * 3. consecutive pairs in that order (1st+2nd, 3rd+4th, ...) are length strata: in each pair the chain with
 *    the smaller hash fits the regression (`train`), the other is evaluated (`eval`); with an odd count the
 *    last (longest) chain is evaluated. So train and eval have matching length distributions;
 * 4. the smoke tier: the evaluation chains sorted by length, cut into consecutive strata of 3 (the last may be
 *    shorter), and in each stratum the chain with the smallest hash.
 *
 * `data/split.csv` is this rule's output; a test recomputes it from `index.csv`.
 */
import { sha256 } from '../../src/util/hash.js';

export const SPLIT_RULE = 'plmbench-contacts-split-v1';

export interface SplitInput {
  id: string;
  pdbId: string;
  chain: string;
  length: number;
}

export interface SplitRow extends SplitInput {
  role: 'train' | 'eval';
  smoke: boolean;
  hash: string;
}

export function splitHash(pdbId: string, chain: string): string {
  return sha256(`${SPLIT_RULE}:${pdbId}${chain}`);
}

/** Applies the rule; rows come back in the input order. */
export function deriveSplit(rows: readonly SplitInput[]): SplitRow[] {
  const withHash = rows.map((r): SplitRow => ({ ...r, hash: splitHash(r.pdbId, r.chain), role: 'eval', smoke: false }));
  const byLength = [...withHash].sort((a, b) => a.length - b.length || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  for (let k = 0; k + 1 < byLength.length; k += 2) {
    const a = byLength[k]!;
    const b = byLength[k + 1]!;
    (a.hash < b.hash ? a : b).role = 'train';
  }
  const evalByLength = byLength.filter((r) => r.role === 'eval');
  for (let k = 0; k < evalByLength.length; k += 3) {
    const stratum = evalByLength.slice(k, k + 3);
    stratum.reduce((best, r) => (r.hash < best.hash ? r : best)).smoke = true;
  }
  return withHash;
}

export const SPLIT_HEADER = 'id,pdb_id,chain,length,role,smoke,hash';

export function formatSplitCsv(rows: readonly SplitRow[]): string {
  return (
    [SPLIT_HEADER, ...rows.map((r) => [r.id, r.pdbId, r.chain, r.length, r.role, r.smoke ? 1 : 0, r.hash].join(','))].join('\n') + '\n'
  );
}
