import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import task from '../tasks/supervised-fitness/index.js';
import { readFoldAssay, SCHEMES, subsetFoldAssay, variantSequence } from '../tasks/supervised-fitness/data.js';
import { smokeSubset, SMOKE_VARIANTS } from '../tasks/supervised-fitness/tiers.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { sha256 } from '../src/util/hash.js';
import { builtinTasksDir } from '../src/util/paths.js';
import { expectUserError } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { letterValue, syntheticFoldAssay } from './helpers/supervised-data.js';

const DATA = join(builtinTasksDir, 'supervised-fitness', 'data');

describe('supervised-fitness: bundled data and smoke tier', () => {
  const files = task.describe().data.filter((d) => d.file.startsWith('data/cv_folds_singles/'));

  it("seven assays, GFP among them; every variant's mutated_sequence is the wild type with its mutant; five folds per scheme", () => {
    expect(files.map((f) => f.file)).to.include('data/cv_folds_singles/GFP_AEQVI_Sarkisyan_2016.csv.gz');
    expect(files).to.have.length(7);
    let total = 0;
    for (const f of files) {
      const a = readFoldAssay(join(builtinTasksDir, 'supervised-fitness', f.file), f.file);
      expect(a.n, f.file).to.equal(f.rows);
      total += a.n;
      for (const s of SCHEMES) expect([...new Set(a.folds[s])].sort(), `${f.file} ${s}`).to.deep.equal([0, 1, 2, 3, 4]);
      // readFoldAssay checked every row against mutated_sequence; spot-check the reconstruction.
      const text = gunzipSync(readFileSync(join(builtinTasksDir, 'supervised-fitness', f.file)))
        .toString('utf8')
        .split('\n');
      expect(variantSequence(a, a.n - 1)).to.equal(text[a.n]!.split(',')[1]);
    }
    expect(total).to.equal(15906);
  });

  it('the smoke subset is pinned: the same mutants for every run (sha256 of the DMS_id:mutant lists), all five folds of every scheme kept', () => {
    const lists: string[] = [];
    for (const f of [...files].sort((x, y) => (x.file < y.file ? -1 : 1))) {
      const a = readFoldAssay(join(builtinTasksDir, 'supervised-fitness', f.file), f.file);
      const s = subsetFoldAssay(a, smokeSubset(a));
      expect(s.n).to.equal(SMOKE_VARIANTS);
      for (const k of SCHEMES) expect(new Set(s.folds[k]).size, `${a.id} ${k}`).to.equal(5);
      lists.push(`${a.id}:${s.mutants.join(',')}`);
    }
    expect(sha256(lists.join('\n'))).to.equal('bcec2e8d6dc3b2b09b3d01642ae187a713842420531d1fcebfd246a5396bd372');
  });

  it('the published tables hold every bundled assay for every scheme, One-Hot Encodings included', () => {
    for (const s of SCHEMES) {
      const text = readFileSync(join(DATA, 'proteingym', `DMS_substitutions_Spearman_DMS_level_${s}.csv`), 'utf8');
      expect(text.split('\n')[0]).to.include('One-Hot Encodings');
      for (const f of files)
        expect(text, `${f.file} ${s}`).to.include(`\n${f.file.replace('data/cv_folds_singles/', '').replace('.csv.gz', '')},`);
    }
  });
});

describe('supervised-fitness: bad input is one line naming the file and row, exit 2, nothing written', function () {
  this.timeout(60000);

  function setup(edit: (lines: string[]) => string[]) {
    const dir = tempDir();
    const data = join(dir, 'assays');
    mkdirSync(data);
    const a = syntheticFoldAssay(12, 'supervised-bad', (wt, mt) => letterValue(mt) - letterValue(wt));
    writeFileSync(join(data, 'SYNTH_Bad_2024.csv'), `${edit(a.csv.trimEnd().split('\n')).join('\n')}\n`);
    const model = writeTokenLookupModel(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    return {
      argv: [
        'run',
        'supervised-fitness',
        '--model',
        model,
        '--data',
        `supervised-fitness=${data}`,
        '--tier',
        'full',
        '--no-cache',
        '--out',
        join(out, 'r.json'),
      ],
      out,
    };
  }
  const cell = (lines: string[], row: number, col: number, value: string) =>
    lines.map((l, i) =>
      i === row
        ? l
            .split(',')
            .map((c, j) => (j === col ? value : c))
            .join(',')
        : l,
    );

  it('a missing fold column', async () => {
    const { argv, out } = setup((l) => l.map((x) => x.split(',').slice(0, 6).join(',')));
    await expectUserError(argv, /SYNTH_Bad_2024\.csv:1: missing required column "fold_contiguous_5" \(columns: /, out);
  });

  it('folds that do not cover every row (an empty fold)', async () => {
    const { argv, out } = setup((l) => cell(l, 5, 5, ''));
    await expectUserError(argv, /SYNTH_Bad_2024\.csv:6: fold_modulo_5 is empty; the folds must cover every row/, out);
  });

  it('a fold that is not a fold number', async () => {
    const { argv, out } = setup((l) => cell(l, 3, 4, 'x'));
    await expectUserError(argv, /SYNTH_Bad_2024\.csv:4: fold_random_5 is "x"/, out);
  });

  it('a scheme with fewer than three folds', async () => {
    const { argv, out } = setup((l) => l.map((x, i) => (i === 0 ? x : cell([x], 0, 6, String(i % 2))[0]!)));
    await expectUserError(
      argv,
      /SYNTH_Bad_2024\.csv: fold_contiguous_5 has 2 folds; cross-validation with an inner validation fold needs at least 3/,
      out,
    );
  });

  it('a mutant that does not match the sequence', async () => {
    const { argv, out } = setup((l) => {
      const [m, seq] = l[4]!.split(',');
      const p = Number(m!.slice(1, -1)) - 1;
      const other = seq![p] === 'A' ? 'C' : 'A';
      return cell(l, 4, 1, seq!.slice(0, p) + other + seq!.slice(p + 1));
    });
    await expectUserError(
      argv,
      /SYNTH_Bad_2024\.csv:5: mutant "[A-Z]\d+[A-Z]" applied to the wild type \(from line 2\) does not give mutated_sequence \(first difference at residue \d+/,
      out,
    );
  });

  it('a mutant whose wild-type letter is wrong', async () => {
    const { argv, out } = setup((l) => {
      const m = l[3]!.split(',')[0]!;
      const wrong = m[0] === 'W' ? 'Y' : 'W';
      return cell(l, 3, 0, wrong + m.slice(1));
    });
    await expectUserError(argv, /SYNTH_Bad_2024\.csv:4: mutant "[A-Z]\d+[A-Z]": residue \d+ of the wild type is [A-Z], not [A-Z]/, out);
  });

  it('an unknown option and a bad embedding value', async () => {
    const { argv, out } = setup((l) => l);
    await expectUserError(
      [...argv, '--option', 'supervised-fitness.pool=mean'],
      /--option supervised-fitness\.pool: unknown option \(supervised-fitness takes: embedding\)/,
      out,
    );
    await expectUserError(
      [...argv, '--option', 'supervised-fitness.embedding=cls'],
      /--option supervised-fitness\.embedding: must be mean or mutated-position, got "cls"/,
      out,
    );
  });
});
