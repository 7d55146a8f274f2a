import { BenchError } from '../../src/util/errors.js';
import { byRank, groupBy } from '../../src/util/order.js';
import type { FastaRecord } from '../../src/bio/fasta.js';

/**
 * The remote-homology split of SCOP(e) domains into a training set, a validation set and three test
 * levels, in the spirit of DeepSF (Hou et al. 2018) and TAPE (Rao et al. 2019). Every choice is a rule
 * on the data plus a keyed sha256 rank, so the same input gives the same split on any machine.
 */

export type Role = 'train' | 'valid' | 'test_fold' | 'test_superfamily' | 'test_family';
export const ROLES: readonly Role[] = ['train', 'valid', 'test_fold', 'test_superfamily', 'test_family'];
export type Level = 'fold' | 'superfamily' | 'family';
export const LEVELS: readonly Level[] = ['fold', 'superfamily', 'family'];
export const testRole = (level: Level): Role => `test_${level}` as Role;

export interface Domain {
  id: string;
  /** `class.fold.superfamily.family`, e.g. `a.1.1.1`. */
  sccs: string;
  fold: string;
  superfamily: string;
  family: string;
  sequence: string;
  /** 1-based header line in the source file. */
  line: number;
}

export interface SplitRules {
  /** Version tag mixed into every hash rank. */
  key: string;
  /** SCOP classes kept (a-g: the true classes; h-l are coiled coils, low resolution, peptides, designed, artifacts). */
  classes: string;
  /** A superfamily takes part when it has at least this many domains (after filtering). */
  minSuperfamilyDomains: number;
  /** A fold takes part when it has at least this many such superfamilies. */
  minSuperfamiliesPerFold: number;
  /** Of k superfamilies of a fold, floor(k / d) are held out for the fold level (never the largest). */
  foldDivisor: number;
  /** Of f families of a training superfamily, floor(f / d) are held out for the superfamily level (never the largest). */
  superfamilyDivisor: number;
  /** Of m domains of a training family, floor(m / d) are held out for the family level. */
  familyDivisor: number;
  /** Validation: every `validEvery`-th remaining training domain of a fold (in hash order) goes to validation. */
  validEvery: number;
  /** Per-fold caps (round-robin over families, so caps thin large families first). */
  capTrain: number;
  capValid: number;
  capTest: number;
}

export const SPLIT_RULES_V1: SplitRules = {
  key: 'plmbench-fold-v1',
  classes: 'abcdefg',
  minSuperfamilyDomains: 3,
  minSuperfamiliesPerFold: 2,
  foldDivisor: 2,
  superfamilyDivisor: 2,
  familyDivisor: 3,
  validEvery: 6,
  capTrain: 60,
  capValid: 8,
  capTest: 15,
};

export interface SplitCounts {
  /** Records read. */
  records: number;
  /** Dropped: class outside `rules.classes`. */
  otherClass: number;
  /** Dropped: a letter outside the 20 standard amino acids (ASTRAL writes X for unknown residues). */
  nonstandard: number;
  /** Dropped: in a superfamily or fold too small to take part. */
  ineligible: number;
  /** Dropped by the per-fold caps. */
  capped: number;
  /** Test domains dropped because the caps left their superfamily (or family) without a training domain. */
  orphaned: number;
}

export interface Split {
  /** Domains with a role, in source order. */
  domains: (Domain & { role: Role })[];
  counts: SplitCounts;
  rules: SplitRules;
}

const SCCS = /^([a-l])\.(\d+)\.(\d+)\.(\d+)$/;
const STANDARD = /^[ACDEFGHIKLMNPQRSTVWY]+$/;

/**
 * Reads the sccs label of each ASTRAL record (the second header token, `>d1dlwa_ a.1.1.1 (A:) ...`).
 * A header without one is an error naming the file and line. Sequences are upper-cased by the parser.
 */
export function parseDomains(records: FastaRecord[], source: string): Domain[] {
  const seen = new Map<string, number>();
  return records.map((r) => {
    const sccs = r.header.split(/\s+/)[1] ?? '';
    const m = SCCS.exec(sccs);
    if (!m) {
      throw new BenchError(
        'E_DATA',
        `${source}:${r.line}: record ${r.id}: the second header token must be an sccs label like a.1.1.1 (class.fold.superfamily.family), got "${sccs}"`,
      );
    }
    const prev = seen.get(r.id);
    if (prev !== undefined) throw new BenchError('E_DATA', `${source}:${r.line}: domain ${r.id} appears twice (first at line ${prev})`);
    seen.set(r.id, r.line);
    const [, c, f, s] = m;
    return {
      id: r.id,
      sccs,
      fold: `${c}.${f}`,
      superfamily: `${c}.${f}.${s}`,
      family: sccs,
      sequence: r.sequence.toUpperCase(),
      line: r.line,
    };
  });
}

/**
 * Of k groups, holds out floor(k/2), never the largest (largest by size, ties by rank): the held-out
 * ones are the first floor(k/2) of the others in rank order. Returns [kept, heldOut] group names.
 */
function holdOut(key: string, groups: Map<string, Domain[]>, divisor: number): [string[], string[]] {
  const names = [...groups.keys()];
  if (names.length < 2) return [names, []];
  const ranked = byRank(key, names, (n) => n);
  const largest = [...ranked].sort((a, b) => groups.get(b)!.length - groups.get(a)!.length)[0]!;
  const others = ranked.filter((n) => n !== largest);
  const k = Math.floor(names.length / divisor);
  return [[largest, ...others.slice(k)], others.slice(0, k)];
}

/**
 * At most `cap` domains, taken round-robin over families (families and members in rank order), so
 * a cap thins the large families first and keeps as many families as it can.
 */
export function roundRobinCap(key: string, domains: Domain[], cap: number): Domain[] {
  if (domains.length <= cap) return domains;
  const families = byRank(key, [...groupBy(domains, (d) => d.family).entries()], ([f]) => f).map(([, ds]) => byRank(key, ds, (d) => d.id));
  const out: Domain[] = [];
  for (let round = 0; out.length < cap; round++) {
    for (const fam of families) {
      if (round < fam.length && out.length < cap) out.push(fam[round]!);
    }
  }
  return out;
}

/**
 * The split, rule by rule (`SPLIT_RULES_V1` gives the numbers):
 *  1. keep classes a-g and sequences of the 20 standard amino acids;
 *  2. a superfamily takes part with >= 3 domains, a fold with >= 2 such superfamilies (the rest is dropped);
 *  3. fold level: of the k superfamilies of a fold, floor(k/2) are held out whole (never the largest);
 *  4. superfamily level: of the f families of each remaining superfamily, floor(f/2) are held out whole
 *     (never the largest);
 *  5. family level: of the m domains of each remaining family, floor(m/3) are held out (rank order);
 *  6. validation: every 6th of the remaining training domains of a fold, in rank order;
 *  7. caps per fold: 60 training, 8 validation, 15 per test level (round-robin over families), then test
 *     domains whose superfamily (superfamily level) or family (family level) lost all its training
 *     domains to the cap are dropped, so every level means what it says (`applyCaps`).
 */
export function buildSplit(all: Domain[], rules: SplitRules = SPLIT_RULES_V1): Split {
  const key = rules.key;
  const counts: SplitCounts = { records: all.length, otherClass: 0, nonstandard: 0, ineligible: 0, capped: 0, orphaned: 0 };
  const kept: Domain[] = [];
  for (const d of all) {
    if (!rules.classes.includes(d.sccs[0]!)) counts.otherClass++;
    else if (!STANDARD.test(d.sequence)) counts.nonstandard++;
    else kept.push(d);
  }
  const role = new Map<Domain, Role>();
  for (const [, foldDomains] of groupBy(kept, (d) => d.fold)) {
    const sfs = groupBy(foldDomains, (d) => d.superfamily);
    const eligible = new Map([...sfs].filter(([, ds]) => ds.length >= rules.minSuperfamilyDomains));
    if (eligible.size < rules.minSuperfamiliesPerFold) {
      counts.ineligible += foldDomains.length;
      continue;
    }
    counts.ineligible += foldDomains.length - [...eligible.values()].reduce((s, ds) => s + ds.length, 0);
    const [trainSfs, heldSfs] = holdOut(key, eligible, rules.foldDivisor);
    for (const s of heldSfs) for (const d of eligible.get(s)!) role.set(d, 'test_fold');
    const pool: Domain[] = [];
    for (const s of trainSfs) {
      const fams = groupBy(eligible.get(s)!, (d) => d.family);
      const [trainFams, heldFams] = holdOut(key, fams, rules.superfamilyDivisor);
      for (const f of heldFams) for (const d of fams.get(f)!) role.set(d, 'test_superfamily');
      for (const f of trainFams) {
        const members = byRank(key, fams.get(f)!, (d) => d.id);
        const k = Math.floor(members.length / rules.familyDivisor);
        members.forEach((d, i) => {
          if (i < k) role.set(d, 'test_family');
          else pool.push(d);
        });
      }
    }
    byRank(key, pool, (d) => `valid:${d.id}`).forEach((d, i) => role.set(d, (i + 1) % rules.validEvery === 0 ? 'valid' : 'train'));
  }
  const labelled = kept.filter((d) => role.has(d)).map((d) => ({ ...d, role: role.get(d)! }));
  const capped = applyCaps(labelled, { train: rules.capTrain, valid: rules.capValid, test: rules.capTest }, key);
  counts.capped = capped.capped;
  counts.orphaned = capped.orphaned;
  return { domains: capped.domains, counts, rules };
}

export interface Caps {
  train: number;
  valid: number;
  /** Per test level. */
  test: number;
}

/**
 * Caps each role per fold (round-robin over families, in the order of `key`), then drops the test
 * domains of the superfamily level whose superfamily, and of the family level whose family, kept no
 * training domain. Domains keep their source order.
 */
export function applyCaps(
  domains: (Domain & { role: Role })[],
  caps: Caps,
  key: string,
): { domains: (Domain & { role: Role })[]; capped: number; orphaned: number } {
  const keep = new Set<Domain>();
  let capped = 0;
  let orphaned = 0;
  for (const [, fold] of groupBy(domains, (d) => d.fold)) {
    const inRole = (r: Role) => fold.filter((d) => d.role === r);
    const cap = (ds: Domain[], n: number) => {
      const chosen = roundRobinCap(key, ds, n);
      chosen.forEach((d) => keep.add(d));
      capped += ds.length - chosen.length;
      return chosen;
    };
    const train = cap(inRole('train'), caps.train);
    cap(inRole('valid'), caps.valid);
    cap(inRole('test_fold'), caps.test);
    const trainSf = new Set(train.map((d) => d.superfamily));
    const trainFam = new Set(train.map((d) => d.family));
    for (const [r, seen, field] of [
      ['test_superfamily', trainSf, 'superfamily'],
      ['test_family', trainFam, 'family'],
    ] as const) {
      const ds = inRole(r);
      const ok = ds.filter((d) => seen.has(d[field]));
      orphaned += ds.length - ok.length;
      cap(ok, caps.test);
    }
  }
  return { domains: domains.filter((d) => keep.has(d)), capped, orphaned };
}

/** Smoke tier: this many folds, each capped as below. */
export const SMOKE_FOLDS = 20;
export const SMOKE_CAPS: Caps = { train: 8, valid: 2, test: 3 };
/** Rank key of the smoke tier: its subset is a function of the data only, never of --seed. */
export const SMOKE_KEY = 'plmbench-fold-smoke-v1';

/**
 * The smoke tier of a split: the `SMOKE_FOLDS` folds first in sha256("plmbench-fold-smoke-v1:" + fold)
 * order among those with test domains at all three levels (all of them when fewer), each capped by
 * `SMOKE_CAPS` (round-robin over families, families and members in the same keyed sha256 order), so every
 * level and fold class stays represented. A fixed function of the data: two runs with different seeds
 * score the same domains.
 */
export function smokeSubset(domains: (Domain & { role: Role })[]): (Domain & { role: Role })[] {
  const byFold = groupBy(domains, (d) => d.fold);
  const complete = [...byFold.keys()].sort().filter((f) => LEVELS.every((l) => byFold.get(f)!.some((d) => d.role === testRole(l))));
  const pool = complete.length >= 2 ? complete : [...byFold.keys()].sort();
  const chosen = new Set(byRank(SMOKE_KEY, pool, (f) => f).slice(0, SMOKE_FOLDS));
  return applyCaps(
    domains.filter((d) => chosen.has(d.fold)),
    SMOKE_CAPS,
    SMOKE_KEY,
  ).domains;
}

export interface SplitSummary {
  folds: number;
  superfamilies: number;
  families: number;
  domains: number;
  residues: number;
}

/** Folds, superfamilies, families, domains and residues of each role. */
export function summarize(domains: (Domain & { role: Role })[]): Record<Role, SplitSummary> {
  const out = {} as Record<Role, SplitSummary>;
  for (const r of ROLES) {
    const ds = domains.filter((d) => d.role === r);
    out[r] = {
      folds: new Set(ds.map((d) => d.fold)).size,
      superfamilies: new Set(ds.map((d) => d.superfamily)).size,
      families: new Set(ds.map((d) => d.family)).size,
      domains: ds.length,
      residues: ds.reduce((s, d) => s + d.sequence.length, 0),
    };
  }
  return out;
}

/**
 * Checks what each level promises, on any labelled split (bundled or built): every test fold is a
 * training fold; fold-level superfamilies are absent from training; superfamily-level families are
 * absent from training while their superfamily is present; family-level families are present.
 * Returns the first violation, or null.
 */
export function splitViolation(domains: (Domain & { role: Role })[]): string | null {
  const train = domains.filter((d) => d.role === 'train');
  const folds = new Set(train.map((d) => d.fold));
  const sfs = new Set(train.map((d) => d.superfamily));
  const fams = new Set(train.map((d) => d.family));
  for (const d of domains) {
    if (d.role === 'train') continue;
    if (!folds.has(d.fold)) return `${d.id} (${d.role}): fold ${d.fold} has no training domain`;
    if (d.role === 'test_fold' && sfs.has(d.superfamily)) return `${d.id} (test_fold): superfamily ${d.superfamily} is in training`;
    if (d.role === 'test_superfamily' && (fams.has(d.family) || !sfs.has(d.superfamily))) {
      return `${d.id} (test_superfamily): family ${d.family} must be absent from training and superfamily ${d.superfamily} present`;
    }
    if (d.role === 'test_family' && !fams.has(d.family)) return `${d.id} (test_family): family ${d.family} has no training domain`;
  }
  return null;
}
