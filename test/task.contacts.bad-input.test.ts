import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';
import { DATA_DIR, structureFolder } from './golden/contacts/fixtures.js';

// Bad user data (--data contacts=DIR) must stop the run with one line naming the file, and exit 2.
describe('contacts: bad input through the CLI', function () {
  this.timeout(60_000);
  let model: string;
  let out: string;

  before(() => {
    model = randomTransformer('mlm', { maxLength: 128 });
    out = join(tempDir(), 'run.json');
  });

  /** `bench run contacts` held to the user-error contract (helpers/cli.ts), nothing written beside `out`. */
  const expectRunError = (args: string[], pattern: RegExp) =>
    expectUserError(
      ['run', 'contacts', '--model', model, '--ep', 'cpu', '--no-cache', '--quiet', '--tier', 'full', '--out', out, ...args],
      pattern,
      dirname(out),
    );
  const expectDataError = (dir: string, pattern: RegExp) => expectRunError(['--data', `contacts=${dir}`], pattern);

  it('a PDB file without the named chain', async () => {
    const dir = structureFolder(['A040'], (row) => void (row['chain'] = 'Z'));
    await expectDataError(dir, /A040_1T8LB\.pdbH\.gz: no chain "Z" \(chains in the file: .*B/);
  });

  it('a chain with fewer than 30 observed residues', async () => {
    // A040 (chain B, 59 residues) cut down to the atoms of its first 25 residues; the SEQRES stays whole.
    const dir = structureFolder(['A040'], (row) => {
      const text = gunzipSync(readFileSync(join(DATA_DIR, row['file']!))).toString('latin1');
      const kept = new Set<string>();
      const lines = text.split('\n').filter((l) => {
        if (!/^(ATOM {2}|HETATM)/.test(l) || l[21] !== 'B') return !/^(ATOM {2}|HETATM)/.test(l);
        const res = l.slice(22, 27);
        if (kept.size < 25) kept.add(res);
        return kept.has(res);
      });
      return gzipSync(Buffer.from(lines.join('\n'), 'latin1'));
    });
    await expectDataError(dir, /A040_1T8LB\.pdbH\.gz: chain B has 25 observed residues, fewer than the 30 required/);
  });

  it('a file that is not PDB', async () => {
    const dir = structureFolder(['A040'], () => 'this is a FASTA file, not a structure\n>x\nMKV\n');
    await expectDataError(dir, /A040_1T8LB\.pdbH\.gz: not a PDB file/);
  });

  it('a sequence in the index that does not match the coordinates', async () => {
    const dir = structureFolder(['A040'], (row) => {
      const s = row['seqres_sequence']!;
      row['seqres_sequence'] = s.split('').reverse().join('');
    });
    await expectDataError(dir, /A040_1T8LB\.pdbH\.gz: chain B: coordinates disagree with the reference sequence/);
  });

  it('a folder without index.csv, a missing folder, an unknown option', async () => {
    const empty = tempDir();
    writeFileSync(join(empty, 'README'), 'nothing here\n');
    await expectDataError(empty, /index\.csv: not found/);
    await expectRunError(['--data', `contacts=${join(empty, 'nope')}`], /^bench: --data contacts=.*nope: not found$/);
    await expectRunError(
      ['--option', 'contacts.source=hidden'],
      /^bench: --option contacts\.source: must be auto, attentions or contacts, got "hidden"$/,
    );
  });
});
