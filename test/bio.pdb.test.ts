import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chainBreaks, decodeStructureBytes, parsePdb, parseStructure, parseStructureText, readStructureFile } from '../src/bio/pdb.js';
import { expectBenchError } from './helpers/errors.js';
import { atomLine, residueLines, seqresLines, syntheticPdb } from './golden/bio/fixtures.js';

describe('bio/pdb: parser', () => {
  it('reads the target chain, SEQRES, HEADER id, and drops hydrogens, waters and other chains', () => {
    const text = [
      'HEADER    HYDROLASE                               19-NOV-01   1KF3',
      ...seqresLines('A', 'MKA'),
      ...seqresLines('B', 'GG'),
      ...residueLines('M', 'A', 1, 0),
      atomLine('H', 'MET', 'A', 1, [0, 0, 1], { element: 'H' }),
      atomLine('1HB', 'MET', 'A', 1, [0, 0, 2], { element: '' }), // no element column: name rule
      ...residueLines('K', 'A', 2, 1),
      ...residueLines('A', 'A', 3, 2),
      'TER',
      ...residueLines('G', 'B', 1, 5),
      atomLine('O', 'HOH', 'A', 201, [9, 9, 9], { het: true }),
      'END',
    ].join('\n');
    const c = parsePdb(text, 'A', 'x.pdb');
    expect(c.pdbId).to.equal('1KF3');
    expect(c.sequence).to.equal('MKA');
    expect(c.seqres).to.equal('MKA');
    expect(c.residues.map((r) => r.resSeq)).to.deep.equal([1, 2, 3]);
    expect([...c.residues[0]!.atoms.keys()]).to.deep.equal(['N', 'CA', 'C', 'O', 'CB']);
    expect(c.residues[0]!.atoms.get('CA')).to.deep.equal([1.2, 0.8, 0]);
    expect(parsePdb(text, 'B', 'x.pdb').sequence).to.equal('G');
  });

  it('alternate locations: highest occupancy per atom, ties to the first listed', () => {
    const text = [
      ...residueLines('A', 'A', 1, 0),
      atomLine('N', 'SER', 'A', 2, [3.8, 0, 0]),
      atomLine('CA', 'SER', 'A', 2, [5.0, 0.8, 0], { alt: 'A', occ: 0.4 }),
      atomLine('CA', 'SER', 'A', 2, [5.1, 0.9, 0], { alt: 'B', occ: 0.6 }),
      atomLine('CB', 'SER', 'A', 2, [5.0, 1.5, 1.2], { alt: 'A', occ: 0.5 }),
      atomLine('CB', 'SER', 'A', 2, [5.5, 1.5, 1.2], { alt: 'B', occ: 0.5 }),
      atomLine('OG', 'SER', 'A', 2, [6.0, 2.0, 1.0], { alt: 'B', occ: 0.3 }),
      atomLine('OG', 'SER', 'A', 2, [6.5, 2.0, 1.0], { alt: 'C', occ: 0.7 }),
      atomLine('C', 'SER', 'A', 2, [6.3, 0, 0]),
    ].join('\n');
    const r = parsePdb(text, 'A', 'alt.pdb').residues[1]!;
    expect(r.aa).to.equal('S');
    expect(r.atoms.get('CA')).to.deep.equal([5.1, 0.9, 0]);
    expect(r.atoms.get('CB')).to.deep.equal([5.0, 1.5, 1.2]); // tie: first listed
    expect(r.atoms.get('OG')).to.deep.equal([6.5, 2.0, 1.0]);
  });

  it('microheterogeneity: two residue names at one number keep the more occupied one', () => {
    const text = [...residueLines('S', 'A', 1, 0, { alt: 'A', occ: 0.3 }), ...residueLines('T', 'A', 1, 0, { alt: 'B', occ: 0.7 })].join(
      '\n',
    );
    expect(parsePdb(text, 'A', 'm.pdb').sequence).to.equal('T');
  });

  it('MSE and MODRES-named HETATM residues are kept; unknown HETATM and HETATM after TER are not', () => {
    const text = [
      'MODRES 1ABC XYZ A    3  LYS  MODIFIED LYSINE',
      ...residueLines('A', 'A', 1, 0),
      ...residueLines('M', 'A', 2, 1, { het: true, resName: 'MSE' }),
      atomLine('SE', 'MSE', 'A', 2, [5, 3, 3], { het: true, element: 'SE' }),
      ...residueLines('K', 'A', 3, 2, { het: true, resName: 'XYZ' }),
      ...residueLines('S', 'A', 4, 3, { het: true, resName: 'SEP' }),
      ...residueLines('A', 'A', 5, 4, { het: true, resName: 'QQQ' }), // unknown: treated as a ligand
      ...residueLines('L', 'A', 6, 5),
      ...residueLines('U', 'A', 7, 6, { resName: 'ZZZ' }), // unknown ATOM residue: X
      'TER      99      ZZZ A   7',
      ...residueLines('L', 'A', 331, 20, { het: true }), // standard name after TER: a ligand
      atomLine('CA', ' CA', 'A', 400, [1, 1, 1], { het: true, element: 'CA' }), // calcium ion
    ].join('\n');
    const c = parsePdb(text, 'A', 'mse.pdb');
    expect(c.sequence).to.equal('AMKSLX');
    expect(c.residues.map((r) => r.resName)).to.deep.equal(['ALA', 'MSE', 'XYZ', 'SEP', 'LEU', 'ZZZ']);
    expect(c.residues[1]!.hetero).to.equal(true);
    expect(c.residues[1]!.atoms.has('SE')).to.equal(true);
    const breaks = chainBreaks(c.residues);
    expect([...breaks]).to.deep.equal([1, 0, 0, 0, 1, 0, 1]); // 4 -> 6 skips the unknown residue 5
  });

  it('insertion codes make distinct residues, in file order', () => {
    const text = [
      ...residueLines('A', 'A', 52, 0),
      ...residueLines('G', 'A', 52, 1, { iCode: 'A' }),
      ...residueLines('V', 'A', 52, 2, { iCode: 'B' }),
      ...residueLines('W', 'A', 53, 3),
    ].join('\n');
    const c = parsePdb(text, 'A', 'ins.pdb');
    expect(c.sequence).to.equal('AGVW');
    expect(c.residues.map((r) => `${r.resSeq}${r.iCode}`)).to.deep.equal(['52', '52A', '52B', '53']);
    expect([...chainBreaks(c.residues)]).to.deep.equal([1, 0, 0, 0, 1]);
  });

  it('reads the first MODEL only', () => {
    const text = [
      'MODEL        1',
      ...residueLines('A', 'A', 1, 0),
      ...residueLines('K', 'A', 2, 1),
      'ENDMDL',
      'MODEL        2',
      ...residueLines('A', 'A', 1, 0, { shift: 5 }),
      ...residueLines('K', 'A', 2, 1, { shift: 5 }),
      ...residueLines('W', 'A', 3, 2, { shift: 5 }),
      'ENDMDL',
    ].join('\n');
    const c = parsePdb(text, 'A', 'nmr.pdb');
    expect(c.sequence).to.equal('AK');
    expect(c.residues[0]!.atoms.get('N')).to.deep.equal([0, 0, 0]);
  });

  it('detects gzip by magic bytes, whatever the file name', async () => {
    const text = syntheticPdb('A', 'MKGAL', 'MK-AL');
    const plain = parseStructure(Buffer.from(text), 'A', 'p.pdb');
    const gz = parseStructure(gzipSync(Buffer.from(text)), 'A', 'p.pdb');
    expect(gz).to.deep.equal(plain);
    const dir = mkdtempSync(join(tmpdir(), 'plmbench-bio-'));
    writeFileSync(join(dir, 'no-extension'), gzipSync(Buffer.from(text)));
    const fromFile = await readStructureFile(join(dir, 'no-extension'), 'A', 'no-extension');
    expect(fromFile.sequence).to.equal('MKAL');
    expect(fromFile.seqres).to.equal('MKGAL');
  });

  it('reads mmCIF _atom_site (label_seq_id decides polymer membership) and _pdbx_poly_seq_scheme', () => {
    const rows = (
      seq: string,
      resName: string,
      group: string,
      labelSeq: string,
      atoms: Array<[string, number, number, number, string, string?]>,
    ) =>
      atoms.map(
        ([name, x, y, z, el, alt]) =>
          `${group} ${el} ${name} ${alt ?? '.'} ${resName} A ${labelSeq} ${seq} ? ${x} ${y} ${z} ${alt === 'B' ? 0.6 : alt === 'A' ? 0.4 : 1} 1`,
      );
    const text = [
      'data_1ABC',
      '_entry.id 1ABC',
      '#',
      'loop_',
      '_pdbx_poly_seq_scheme.asym_id',
      '_pdbx_poly_seq_scheme.seq_id',
      '_pdbx_poly_seq_scheme.mon_id',
      '_pdbx_poly_seq_scheme.pdb_strand_id',
      'A 1 GLY A',
      'A 2 MSE A',
      'A 3 "ALA" A',
      'A 4 TRP A',
      '#',
      '_struct.title',
      ';A title on',
      'two lines',
      ';',
      'loop_',
      '_atom_site.group_PDB',
      '_atom_site.type_symbol',
      '_atom_site.label_atom_id',
      '_atom_site.label_alt_id',
      '_atom_site.label_comp_id',
      '_atom_site.auth_asym_id',
      '_atom_site.label_seq_id',
      '_atom_site.auth_seq_id',
      '_atom_site.pdbx_PDB_ins_code',
      '_atom_site.Cartn_x',
      '_atom_site.Cartn_y',
      '_atom_site.Cartn_z',
      '_atom_site.occupancy',
      '_atom_site.pdbx_PDB_model_num',
      ...rows('1', 'GLY', 'ATOM', '1', [
        ['N', 0, 0, 0, 'N'],
        ['CA', 1.2, 0.8, 0, 'C'],
        ['C', 2.5, 0, 0, 'C'],
        ['H', 0, 0, 1, 'H'],
      ]),
      ...rows('2', 'MSE', 'HETATM', '2', [
        ['N', 3.8, 0, 0, 'N'],
        ['CA', 5, 0.8, 0, 'C', 'A'],
        ['CA', 5.1, 0.9, 0, 'C', 'B'],
        ['C', 6.3, 0, 0, 'C'],
        ['CB', 5, 1.5, 1.2, 'C'],
      ]),
      ...rows('4', 'TRP', 'ATOM', '4', [
        ['N', 11.4, 0, 0, 'N'],
        ['CA', 12.6, 0.8, 0, 'C'],
        ['C', 13.9, 0, 0, 'C'],
      ]),
      ...rows('5', 'MSE', 'HETATM', '.', [
        ['N', 15.2, 0, 0, 'N'],
        ['CA', 16.4, 0.8, 0, 'C'],
        ['C', 17.7, 0, 0, 'C'],
      ]), // no label_seq_id (Biopython MMCIFIO)
      ...rows('6', 'LEU', 'HETATM', '.', [
        ['N', 30, 0, 0, 'N'],
        ['CA', 31, 0.8, 0, 'C'],
        ['C', 32, 0, 0, 'C'],
      ]), // a free amino acid: ligand
      ...rows('101', 'HOH', 'HETATM', '.', [['O', 9, 9, 9, 'O']]),
      ...rows('102', 'GOL', 'HETATM', '.', [['C1', 9, 9, 9, 'C']]),
      'ATOM N N . GLY A 1 1 ? 50 50 50 1 2',
      '#',
    ].join('\n');
    const c = parseStructureText(text, 'A', 'x.cif');
    expect(c.format).to.equal('mmcif');
    expect(c.pdbId).to.equal('1ABC');
    expect(c.sequence).to.equal('GMWM');
    expect(c.seqres).to.equal('GMAW');
    expect(c.residues[1]!.atoms.get('CA')).to.deep.equal([5.1, 0.9, 0]);
    expect(c.residues[0]!.atoms.get('N')).to.deep.equal([0, 0, 0]); // model 2 ignored
    expect([...chainBreaks(c.residues)]).to.deep.equal([1, 0, 1, 0, 1]);
  });
});

describe('bio/pdb: bad input', () => {
  it('a PDB without the named chain', async () => {
    await expectBenchError(
      () => parsePdb(syntheticPdb('A', 'MKGAL', 'MKGAL'), 'Q', 'x.pdb'),
      /^x\.pdb: no chain "Q" \(chains in the file: A\)$/,
    );
  });

  it('a file that is not PDB', async () => {
    await expectBenchError(() => parseStructure(Buffer.from('>seq1\nMKVLA\n'), 'A', 'seq.fasta'), /^seq\.fasta: not a PDB file/);
    await expectBenchError(
      () => parseStructure(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 1]), 'A', 'a.zip'),
      /^a\.zip: not a PDB or mmCIF file \(binary data\)$/,
    );
    await expectBenchError(() => decodeStructureBytes(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'bad.gz'), /^bad\.gz: corrupt gzip data/);
  });

  it('a chain with only ligands', async () => {
    const text = atomLine('C1', 'GOL', 'A', 1, [0, 0, 0], { het: true });
    await expectBenchError(() => parsePdb(text, 'A', 'lig.pdb'), /^lig\.pdb: chain A has no amino-acid residues$/);
  });

  it('bad coordinates name the line', async () => {
    const lines = syntheticPdb('A', 'MK', 'MK').split('\n');
    lines[3] = lines[3]!.slice(0, 30) + '  abc   ' + lines[3]!.slice(38);
    await expectBenchError(() => parsePdb(lines.join('\n'), 'A', 'c.pdb'), /^c\.pdb:4: bad coordinates in ATOM record$/);
  });

  it('a missing file', async () => {
    await expectBenchError(() => readStructureFile('/nonexistent/dir/x.pdb.gz', 'A', 'x.pdb.gz'), /^x\.pdb\.gz: file not found$/);
  });
});
