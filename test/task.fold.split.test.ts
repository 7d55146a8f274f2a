import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFasta } from '../src/bio/fasta.js';
import { sha256 } from '../src/util/hash.js';
import { sourceDataPath } from '../src/util/source-data.js';
import { Rng } from '../src/util/rng.js';
import { builtinTasksDir } from '../src/util/paths.js';
import task from '../tasks/fold/index.js';
import {
  buildSplit,
  parseDomains,
  smokeSubset,
  splitViolation,
  summarize,
  LEVELS,
  ROLES,
  SMOKE_CAPS,
  SMOKE_FOLDS,
  type Domain,
  type Role,
} from '../tasks/fold/split.js';
import { buildFiles, SOURCE_DEFAULT } from '../tasks/fold/data/build_split.js';
import { astralFasta, syntheticScop } from '../models/fixtures/synthetic-probe-data.js';
import { parseFasta } from '../src/bio/fasta.js';

const dir = resolve(builtinTasksDir, 'fold');
const bundledPath = join(dir, 'data/astral40-fold-v1.fasta.gz');
const golden = JSON.parse(readFileSync(resolve(import.meta.dirname, 'golden/fold/split_golden.json'), 'utf8')) as {
  source_sha256: string;
  domains: number;
  sizes: Record<Role, { folds: number; superfamilies: number; families: number; domains: number; residues: number }>;
  assignment_sha256: string;
};

function bundled(): (Domain & { role: Role })[] {
  const recs = readFasta(bundledPath);
  return parseDomains(recs, bundledPath).map((d, i) => ({ ...d, role: /role=(\S+)/.exec(recs[i]!.header)![1] as Role }));
}

describe('fold task: the remote-homology split', () => {
  it('the bundled split equals an independent Python implementation of the rules (test/golden/fold/make_split_golden.py)', () => {
    const ds = bundled();
    expect(ds).to.have.length(golden.domains);
    const lines = ds.map((d) => `${d.id}\t${d.sccs}\t${d.role}`).sort();
    expect(sha256(lines.join('\n') + '\n')).to.equal(golden.assignment_sha256);
    expect(summarize(ds)).to.deep.equal(golden.sizes);
  });

  it('every level means what it says on the bundled split', () => {
    const ds = bundled();
    expect(splitViolation(ds)).to.equal(null);
    const train = ds.filter((d) => d.role === 'train');
    // Direct restatement of the three levels.
    for (const d of ds.filter((x) => x.role === 'test_fold'))
      expect(
        train.some((t) => t.superfamily === d.superfamily),
        d.id,
      ).to.equal(false);
    for (const d of ds.filter((x) => x.role === 'test_superfamily')) {
      expect(
        train.some((t) => t.family === d.family),
        d.id,
      ).to.equal(false);
      expect(
        train.some((t) => t.superfamily === d.superfamily),
        d.id,
      ).to.equal(true);
    }
    for (const d of ds.filter((x) => x.role === 'test_family'))
      expect(
        train.some((t) => t.family === d.family),
        d.id,
      ).to.equal(true);
    // Sequences are upper-case standard amino acids; no domain in two roles.
    for (const d of ds) expect(d.sequence).to.match(/^[ACDEFGHIKLMNPQRSTVWY]+$/);
    expect(new Set(ds.map((d) => d.id)).size).to.equal(ds.length);
  });

  it('describe() states the bundled file, its record count and the sizes in the tier text', () => {
    const info = task.describe();
    expect(info.data.map((d) => d.file)).to.deep.equal(['data/astral40-fold-v1.fasta.gz', 'data/deepsf-joined-v1.fasta.gz']);
    expect(info.data[0]!.rows).to.equal(golden.domains);
    expect(sha256(readFileSync(bundledPath))).to.equal(info.data[0]!.sha256);
    const s = golden.sizes;
    expect(info.tiers.full).to.include(`${s.train.folds} folds`);
    for (const n of [s.train.domains, s.valid.domains, s.test_fold.domains, s.test_superfamily.domains, s.test_family.domains]) {
      expect(info.tiers.full).to.include(n.toLocaleString('en-US'));
    }
    expect(info.headline).to.equal('accuracy_fold');
  });

  it('the build script reproduces the bundled file from the SCOPe source (when $PLMBENCH_SOURCE_DATA is given)', function () {
    if (SOURCE_DEFAULT === null || !existsSync(SOURCE_DEFAULT)) this.skip();
    const src = readFileSync(SOURCE_DEFAULT);
    expect(sha256(src)).to.equal(golden.source_sha256);
    const { fasta, build } = buildFiles(src, SOURCE_DEFAULT);
    expect(fasta).to.equal(gunzipSync(readFileSync(bundledPath)).toString('utf8'));
    const recorded = JSON.parse(readFileSync(join(dir, 'data/astral40-fold-v1.build.json'), 'utf8')) as Record<string, unknown>;
    expect(recorded['sourceSha256']).to.equal(golden.source_sha256);
    expect(recorded['outputSha256']).to.equal(task.describe().data[0]!.sha256);
    expect(build['counts']).to.deep.equal(recorded['counts']);
  });

  it('rules on a balanced synthetic hierarchy: counts per fold, largest groups never held out, deterministic and order-free', () => {
    const doms = syntheticScop({
      folds: 3,
      superfamiliesPerFold: 5,
      familiesPerSuperfamily: 4,
      domainsPerFamily: 4,
      signal: 0,
      seed: 'rules',
      minLength: 30,
      maxLength: 30,
    });
    // Make a.1.1 the largest superfamily and a.1.2.1 the largest family of a.1.2, so "never the largest" is tested.
    const extra = [...Array(6)].map((_, i) => ({ id: `x${i}`, sccs: i < 3 ? 'a.1.1.1' : 'a.1.2.1', sequence: 'ACDEFGHIKLMNPQRSTVWY' }));
    const text = astralFasta([...doms, ...extra]);
    const parsed = parseDomains(parseFasta(text, 'syn'), 'syn');
    const s = buildSplit(parsed);
    const fold1 = s.domains.filter((d) => d.fold === 'a.1');
    const heldSf = new Set(fold1.filter((d) => d.role === 'test_fold').map((d) => d.superfamily));
    expect(heldSf.size).to.equal(2); // floor(5/2)
    expect(heldSf.has('a.1.1')).to.equal(false);
    // Of the 3 training superfamilies' 4 families, floor(4/2) held out each, and a.1.2.1 never.
    const heldFam = new Set(fold1.filter((d) => d.role === 'test_superfamily').map((d) => d.family));
    expect(heldFam.size).to.equal(6);
    expect(heldFam.has('a.1.2.1')).to.equal(false);
    // Family level: floor(4/3) = 1 of each remaining family of 4 (2 of the grown ones: 7 members).
    for (const fam of new Set(fold1.filter((d) => d.role === 'test_family').map((d) => d.family))) {
      const n = fold1.filter((d) => d.family === fam && d.role === 'test_family').length;
      expect(n).to.equal(fam === 'a.1.1.1' || fam === 'a.1.2.1' ? 2 : 1);
    }
    expect(splitViolation(s.domains)).to.equal(null);
    // Same set in another order: same roles.
    const shuffled = new Rng(5).shuffle([...parsed]);
    const again = new Map(buildSplit(shuffled).domains.map((d) => [d.id, d.role]));
    expect(new Map(s.domains.map((d) => [d.id, d.role]))).to.deep.equal(again);
  });

  it('filters: classes outside a-g and non-standard letters are dropped and counted', () => {
    const doms = syntheticScop({
      folds: 2,
      superfamiliesPerFold: 2,
      familiesPerSuperfamily: 2,
      domainsPerFamily: 3,
      signal: 0,
      seed: 'filters',
    });
    const odd = [
      { id: 'h1', sccs: 'h.1.1.1', sequence: 'ACDEFGHIK' },
      { id: 'x1', sccs: 'a.1.1.1', sequence: 'ACDXFGHIK' },
      { id: 'z1', sccs: 'a.1.1.1', sequence: 'acdzfghik' },
    ];
    const s = buildSplit(parseDomains(parseFasta(astralFasta([...doms, ...odd]), 'f'), 'f'));
    expect(s.counts.otherClass).to.equal(1);
    expect(s.counts.nonstandard).to.equal(2);
    expect(s.domains.map((d) => d.id)).to.not.include.members(['h1', 'x1', 'z1']);
  });

  it('smoke subset: pinned by hash (the documented rule, recomputed here), at most 20 folds, per-fold caps, every level present, levels still valid', () => {
    const ds = bundled();
    const a = smokeSubset(ds);
    const b = smokeSubset([...ds].reverse());
    // a function of the data only: the same domains whatever the order they come in
    expect(a.map((d) => d.id).sort()).to.deep.equal(b.map((d) => d.id).sort());
    // the folds: the 20 first in sha256("plmbench-fold-smoke-v1:" + fold) order among the folds with test domains at all three levels
    const complete = [...new Set(ds.map((d) => d.fold))].filter((f) =>
      LEVELS.every((l) => ds.some((d) => d.fold === f && d.role === `test_${l}`)),
    );
    const byHash = complete
      .map((f) => [sha256(`plmbench-fold-smoke-v1:${f}`), f] as const)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .slice(0, SMOKE_FOLDS)
      .map(([, f]) => f);
    expect([...new Set(a.map((d) => d.fold))].sort()).to.deep.equal(byHash.sort());
    expect(new Set(a.map((d) => d.fold)).size).to.equal(SMOKE_FOLDS);
    for (const fold of new Set(a.map((d) => d.fold))) {
      const f = a.filter((d) => d.fold === fold);
      expect(f.filter((d) => d.role === 'train').length).to.be.within(1, SMOKE_CAPS.train);
      expect(f.filter((d) => d.role === 'valid').length).to.be.at.most(SMOKE_CAPS.valid);
      for (const l of LEVELS) expect(f.filter((d) => d.role === `test_${l}`).length).to.be.at.most(SMOKE_CAPS.test);
    }
    for (const r of ROLES)
      expect(
        a.some((d) => d.role === r),
        r,
      ).to.equal(true);
    expect(a.length).to.be.within(200, 400);
    expect(splitViolation(a)).to.equal(null);
  });
});

describe('fold task: the DeepSF split (--option fold.split=deepsf)', () => {
  const deepsfPath = join(dir, 'data/deepsf-joined-v1.fasta.gz');
  const scop = sourceDataPath('scop') ?? '';
  function deepsf(): (Domain & { role: Role })[] {
    const recs = readFasta(deepsfPath);
    return parseDomains(recs, deepsfPath).map((d, i) => ({
      ...d,
      fold: /deepsf_fold=(\S+)/.exec(recs[i]!.header)![1]!,
      role: /role=(\S+)/.exec(recs[i]!.header)![1] as Role,
    }));
  }

  it('describe() lists the file with its hash and record count; every level holds', () => {
    const f = task.describe().data.find((d) => d.file === 'data/deepsf-joined-v1.fasta.gz')!;
    expect(sha256(readFileSync(deepsfPath))).to.equal(f.sha256);
    const ds = deepsf();
    expect(ds).to.have.length(f.rows);
    expect(splitViolation(ds)).to.equal(null);
    const folds = new Set(ds.filter((d) => d.role === 'train').map((d) => d.fold));
    for (const fold of folds) expect(ds.filter((d) => d.role === 'train' && d.fold === fold).length).to.be.within(1, 4);
  });

  it("every domain has the role and fold label DeepSF's lists give it, and the ASTRAL 2.07 sequence (when $PLMBENCH_SOURCE_DATA is given)", function () {
    if (scop === '' || !existsSync(scop)) this.skip();
    const lists: [string, Role][] = [
      ['Traindata.list', 'train'],
      ['validation.list', 'valid'],
      ['test_dataset.list_fold', 'test_fold'],
      ['test_dataset.list_superfamily', 'test_superfamily'],
      ['test_dataset.list_family', 'test_family'],
    ];
    const listed = new Map<string, { role: Role; fold: string }>();
    for (const [file, role] of lists) {
      for (const line of readFileSync(join(scop, 'deepsf_scop1.75/D2_Three_levels_dataset', file), 'utf8').split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length === 4) listed.set(f[0]!, { role, fold: f[2]! });
      }
    }
    const astral = new Map(
      readFasta(join(scop, 'scope_2.07_astral40/astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa')).map((r) => [r.id, r.sequence]),
    );
    for (const d of deepsf()) {
      expect(listed.get(d.id), d.id).to.deep.equal({ role: d.role, fold: d.fold });
      expect(astral.get(d.id), d.id).to.equal(d.sequence);
    }
  });

  it('the build script reproduces the bundled file (when $PLMBENCH_SOURCE_DATA is given)', async function () {
    if (scop === '' || !existsSync(scop)) this.skip();
    const { buildDeepsfFiles } = await import('../tasks/fold/data/build_deepsf.js');
    expect(buildDeepsfFiles(scop).fasta).to.equal(gunzipSync(readFileSync(deepsfPath)).toString('utf8'));
  });
});
