import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { contactStats } from '../src/bio/contact-map.js';
import { readStructureFile } from '../src/bio/pdb.js';
import { loadStructureSet, type StructureSet } from '../src/bio/structure-set.js';
import { expectBenchError } from './helpers/errors.js';
import { structuresDir, syntheticPdb } from './golden/bio/fixtures.js';

const SEQ40 = 'MKVLAAGIIGDERKTWYPQLMNSTRVCHEAGLIKDFPQGS';

function folder(index: string, files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plmbench-structures-'));
  writeFileSync(join(dir, 'index.csv'), index);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const expectLoadError = (dir: string, pattern: RegExp) => expectBenchError(() => loadStructureSet(dir), pattern);

describe('bio/structure-set: loader', () => {
  it('loads a folder: reference from the index, else SEQRES; gzipped or not; .gz fallback', async () => {
    const observed = SEQ40.slice(0, 12) + '---' + SEQ40.slice(15);
    const pdb = syntheticPdb('A', SEQ40, observed);
    const dir = folder(
      'file,chain,id,pdb_id,seqres_sequence\n' +
        `pdb/one.pdb,A,one,9XYZ,${SEQ40}\n` +
        'pdb/two.pdb.gz,A,two,,\n' +
        'pdb/three.pdb,A,three,,\n',
      { 'pdb/one.pdb': pdb, 'pdb/two.pdb.gz': gzipSync(Buffer.from(pdb)), 'pdb/three.pdb.gz': gzipSync(Buffer.from(pdb)) },
    );
    const set = await loadStructureSet(dir);
    expect(set.index.rows).to.equal(3);
    expect(set.entries.map((e) => [e.id, e.pdbId])).to.deep.equal([
      ['one', '9XYZ'],
      ['two', '1ABC'],
      ['three', '1ABC'],
    ]);
    for (const e of set.entries) {
      expect(e.sequence).to.equal(SEQ40);
      expect(e.length).to.equal(40);
      expect([...e.observed].join('')).to.equal('1'.repeat(12) + '000' + '1'.repeat(25));
      expect(e.nObserved).to.equal(37);
      expect(e.contacts.length).to.equal(1600);
      expect(e.cb.length).to.equal(120);
      expect(Number.isNaN(e.cb[3 * 13])).to.equal(true);
      expect(e.sha256).to.match(/^[0-9a-f]{64}$/);
    }
    // straight-line synthetic chain: 3.8 Å per residue, so |i-j| <= 2 are contacts, 3 are not
    const e = set.entries[0]!;
    expect(e.contacts[0 * 40 + 2]).to.equal(1);
    expect(e.contacts[0 * 40 + 3]).to.equal(0);
    expect(e.contacts[11 * 40 + 12]).to.equal(0); // 12 is unobserved
  });

  it('a PDB without the named chain', async () => {
    const dir = folder(`file,chain,sequence\nx.pdb,B,${SEQ40}\n`, { 'x.pdb': syntheticPdb('A', SEQ40, SEQ40) });
    await expectLoadError(dir, /x\.pdb: no chain "B" \(chains in the file: A\)$/);
  });

  it('a chain with fewer than 30 observed residues', async () => {
    const observed = SEQ40.slice(0, 20) + '-'.repeat(20);
    const dir = folder(`file,chain,sequence\nx.pdb,A,${SEQ40}\n`, { 'x.pdb': syntheticPdb('A', SEQ40, observed) });
    await expectLoadError(dir, /x\.pdb: chain A has 20 observed residues, fewer than the 30 required$/);
  });

  it('a file that is not PDB', async () => {
    const dir = folder(`file,chain,sequence\nx.pdb,A,${SEQ40}\n`, { 'x.pdb': `>x\n${SEQ40}\n` });
    await expectLoadError(dir, /x\.pdb: not a PDB file \(no ATOM or HETATM records\)$/);
  });

  it('a sequence mismatch between the index and the coordinates', async () => {
    const other = 'MKVLAWWWWWWWWWWWWPQLMNSTRVCHEAGLIKDFPQGS';
    const dir = folder(`file,chain,sequence\nx.pdb,A,${other}\n`, { 'x.pdb': syntheticPdb('A', SEQ40, SEQ40) });
    await expectLoadError(dir, /x\.pdb: chain A: coordinates disagree with the reference sequence at \d+ of 40 observed residues/);
  });

  it('a missing file', async () => {
    const dir = folder(`file,chain,sequence\npdb/gone.pdb,A,${SEQ40}\n`, {});
    await expectLoadError(dir, /pdb\/gone\.pdb: file not found$/);
  });

  it('index problems: missing column, duplicate id, no reference anywhere, bad letters', async () => {
    const pdb = syntheticPdb('A', SEQ40, SEQ40);
    await expectLoadError(folder('path,chain\nx.pdb,A\n', { 'x.pdb': pdb }), /index\.csv: missing column "file" \(columns: path, chain\)$/);
    await expectLoadError(folder('file,chain,id\nx.pdb,A,a\nx.pdb,A,a\n', { 'x.pdb': pdb }), /index\.csv:3: duplicate id "a"$/);
    const noSeqres = pdb
      .split('\n')
      .filter((l) => !l.startsWith('SEQRES'))
      .join('\n');
    await expectLoadError(folder('file,chain\nx.pdb,A\n', { 'x.pdb': noSeqres }), /x\.pdb: chain A: no reference sequence/);
    await expectLoadError(folder('file,chain,sequence\nx.pdb,A,MK1V\n', { 'x.pdb': pdb }), /not a residue letter: "1"$/);
    await expectBenchError(() => loadStructureSet(join(tmpdir(), 'plmbench-no-such-folder')), /plmbench-no-such-folder/, 'E_IO');
  });
});

describe('bio/structure-set: the 41 chains of the source-data structures folder', () => {
  const dir = structuresDir();
  let set: StructureSet;
  before(async function () {
    if (!dir) return this.skip(); // the shared data folder is not on this machine
    set = await loadStructureSet(dir);
  });

  it('all load, observed counts and sequences agree with index.csv', async () => {
    const rows = parse(readFileSync(`${dir}/index.csv`), { columns: true }) as Record<string, string>[];
    expect(set.entries.length).to.equal(41);
    expect(set.index.rows).to.equal(41);
    const lengths = set.entries.map((e) => e.length);
    expect(Math.min(...lengths)).to.equal(59);
    expect(Math.max(...lengths)).to.equal(517);
    for (const [k, e] of set.entries.entries()) {
      const row = rows[k]!;
      expect(e.id).to.equal(row['shiftx2_id']);
      expect(e.sequence).to.equal(row['seqres_sequence']);
      expect(e.nObserved, e.id).to.equal(Number(row['n_observed_residues']));
      // the index's observed sequence lists residues with a CA atom
      const parsed = await readStructureFile(`${dir}/${e.file}`, e.chain);
      const withCa = parsed.residues
        .filter((r) => r.atoms.has('CA'))
        .map((r) => r.aa)
        .join('');
      expect(withCa, e.id).to.equal(row['observed_sequence']);
      expect(parsed.seqres, e.id).to.equal(row['seqres_sequence']);
    }
  });

  it('contact base rates are in the usual range', () => {
    const total = { short: [0, 0], medium: [0, 0], long: [0, 0] } as Record<'short' | 'medium' | 'long', [number, number]>;
    for (const e of set.entries) {
      const s = contactStats(e.contacts, e.observed);
      for (const band of ['short', 'medium', 'long'] as const) {
        total[band][0] += s[band].contacts;
        total[band][1] += s[band].pairs;
      }
    }
    const rate = (b: 'short' | 'medium' | 'long'): number => total[b][0] / total[b][1];
    expect(rate('short')).to.be.within(0.04, 0.2);
    expect(rate('medium')).to.be.within(0.02, 0.1);
    expect(rate('long')).to.be.within(0.005, 0.05);
  });
});
