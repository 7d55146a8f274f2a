import { BenchError } from '../../src/util/errors.js';
import { applyCaps, type Domain, type Role } from './split.js';

/**
 * DeepSF's three-level split (Hou et al. 2018, dataset D2, SCOP 1.75; the split TAPE's remote-homology task
 * uses) joined by domain id to SCOPe 2.07 ASTRAL-40 sequences. DeepSF's lists hold ids, lengths and fold
 * labels but no sequences; only the ids that ASTRAL-40 2.07 still holds can be embedded.
 */

/** A DeepSF list file's role and name, in `D2_Three_levels_dataset/`. */
export const DEEPSF_LISTS: { file: string; role: Role }[] = [
  { file: 'Traindata.list', role: 'train' },
  { file: 'validation.list', role: 'valid' },
  { file: 'test_dataset.list_fold', role: 'test_fold' },
  { file: 'test_dataset.list_superfamily', role: 'test_superfamily' },
  { file: 'test_dataset.list_family', role: 'test_family' },
];

export interface DeepsfRow {
  id: string;
  /** The DeepSF fold label (SCOP 1.75), column 3. */
  fold: string;
  role: Role;
}

/** Parses one DeepSF list: `id <TAB> length <TAB> fold <TAB> fold`, one domain per line. */
export function parseDeepsfList(text: string, source: string, role: Role): DeepsfRow[] {
  const out: DeepsfRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/^\d+$/.test(f[1]!) || !/^[a-l]\.\d+$/.test(f[2]!)) {
      throw new BenchError('E_DATA', `${source}:${i + 1}: expected "id length fold fold", got "${line}"`);
    }
    out.push({ id: f[0]!, fold: f[2]!, role });
  });
  return out;
}

/** Training domains kept per fold (round-robin over SCOPe families), to bound the cost. */
export const DEEPSF_TRAIN_CAP = 4;

export interface DeepsfCounts {
  listed: Record<Role, number>;
  joined: Record<Role, number>;
  nonstandard: number;
  /** Training and validation domains of folds absent from the joined test lists. */
  foldNotTested: number;
  /** Test domains whose fold has no joined training domain. */
  foldNotTrained: number;
  capped: number;
  /**
   * Test domains dropped because, in SCOPe 2.07 terms and after the join and the cap, their level no longer
   * holds: superfamily level without a training domain of its superfamily, family level without one of its
   * family, fold level with one of its superfamily.
   */
  levelLost: number;
}

/**
 * The joined split: DeepSF's roles and fold labels, SCOPe 2.07 sequences and sccs (for the family of the
 * round-robin cap). Rules: (1) ids found in ASTRAL-40 2.07 whose sequence has only the 20 standard amino
 * acids; (2) training and validation restricted to the folds of the joined test lists (the probe's label
 * space); (3) test domains whose fold has no joined training domain dropped; (4) training capped at
 * `DEEPSF_TRAIN_CAP` per fold, round-robin over families in the rank order of `plmbench-deepsf-v1`; (5) test
 * domains whose level no longer holds in SCOPe 2.07 terms after (1)-(4) dropped (see `levelLost`), so the
 * levels mean what the remote-homology split's do.
 */
export function joinDeepsf(rows: DeepsfRow[], astral: Domain[]): { domains: (Domain & { role: Role })[]; counts: DeepsfCounts } {
  const byId = new Map(astral.map((d) => [d.id, d]));
  const zero = () => ({ train: 0, valid: 0, test_fold: 0, test_superfamily: 0, test_family: 0 });
  const counts: DeepsfCounts = {
    listed: zero(),
    joined: zero(),
    nonstandard: 0,
    foldNotTested: 0,
    foldNotTrained: 0,
    capped: 0,
    levelLost: 0,
  };
  const seen = new Set<string>();
  let joined: (Domain & { role: Role })[] = [];
  for (const r of rows) {
    counts.listed[r.role]++;
    if (seen.has(r.id)) throw new BenchError('E_DATA', `DeepSF lists: domain ${r.id} is listed twice`);
    seen.add(r.id);
    const d = byId.get(r.id);
    if (!d) continue;
    if (!/^[ACDEFGHIKLMNPQRSTVWY]+$/.test(d.sequence)) {
      counts.nonstandard++;
      continue;
    }
    counts.joined[r.role]++;
    joined.push({ ...d, fold: r.fold, role: r.role });
  }
  const tested = new Set(joined.filter((d) => d.role.startsWith('test_')).map((d) => d.fold));
  const before = joined.length;
  joined = joined.filter((d) => d.role.startsWith('test_') || tested.has(d.fold));
  counts.foldNotTested = before - joined.length;
  const trained = new Set(joined.filter((d) => d.role === 'train').map((d) => d.fold));
  const beforeTest = joined.length;
  joined = joined.filter((d) => d.role === 'train' || trained.has(d.fold));
  counts.foldNotTrained = beforeTest - joined.length;
  // Cap training (the other caps are set above any fold's size); applyCaps then drops the superfamily- and
  // family-level test domains whose superfamily or family kept no training domain.
  const big = Number.MAX_SAFE_INTEGER;
  const capped = applyCaps(joined, { train: DEEPSF_TRAIN_CAP, valid: big, test: big }, 'plmbench-deepsf-v1');
  counts.capped = capped.capped;
  const trainSf = new Set(capped.domains.filter((d) => d.role === 'train').map((d) => d.superfamily));
  const domains = capped.domains.filter((d) => !(d.role === 'test_fold' && trainSf.has(d.superfamily)));
  counts.levelLost = capped.orphaned + capped.domains.length - domains.length;
  return { domains, counts };
}
