import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { astralFasta, syntheticScop } from '../models/fixtures/synthetic-probe-data.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';

describe('fold task: bad input', function () {
  this.timeout(60000);
  const good = () =>
    syntheticScop({ folds: 3, superfamiliesPerFold: 4, familiesPerSuperfamily: 3, domainsPerFamily: 3, signal: 0.5, seed: 'bad-input' });

  it('a FASTA header without a parseable sccs label names the file and line', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'nolabel.fa');
    const text = astralFasta(good()).replace('>d00004_ a.1.1.2 (A:)', '>d00004_ (A:)');
    writeFileSync(fasta, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('>d00004_')) + 1;
    const model = writeTokenLookupModel(dir);
    await expectUserError(
      ['run', 'fold', '--model', model, '--data', `fold=${fasta}`, '--no-cache', '--out', join(dir, 'r.json')],
      new RegExp(
        `^bench: .*nolabel\\.fa:${line}: record d00004_: the second header token must be an sccs label like a\\.1\\.1\\.1 .*got "\\(A:\\)"`,
      ),
      dir,
    );
    // Malformed labels too (a fold without a family).
    writeFileSync(fasta, astralFasta(good()).replace(' a.1.1.2 ', ' a.1.1 '));
    await expectUserError(
      ['run', 'fold', '--model', model, '--data', `fold=${fasta}`, '--no-cache', '--out', join(dir, 'r.json')],
      /nolabel\.fa:\d+: record d00004_: .*got "a\.1\.1"/,
      dir,
    );
  });

  it('a split with no test domains at one level names the level and what it needs', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'onefamily.fa');
    // One family per superfamily: no family can be held out of a seen superfamily.
    writeFileSync(
      fasta,
      astralFasta(
        syntheticScop({
          folds: 3,
          superfamiliesPerFold: 3,
          familiesPerSuperfamily: 1,
          domainsPerFamily: 6,
          signal: 0.5,
          seed: 'one-family',
        }),
      ),
    );
    await expectUserError(
      ['run', 'fold', '--model', writeTokenLookupModel(dir), '--data', `fold=${fasta}`, '--no-cache', '--out', join(dir, 'r.json')],
      /onefamily\.fa: the remote-homology split has no test domains at the superfamily level \(it needs a training superfamily with at least 2 families.*54 records/,
      dir,
    );
  });

  it('a FASTA with no fold that has 2 superfamilies: the fold level is empty', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'flat.fa');
    writeFileSync(
      fasta,
      astralFasta(
        syntheticScop({ folds: 4, superfamiliesPerFold: 1, familiesPerSuperfamily: 3, domainsPerFamily: 3, signal: 0.5, seed: 'flat' }),
      ),
    );
    await expectUserError(
      ['run', 'fold', '--model', writeTokenLookupModel(dir), '--data', `fold=${fasta}`, '--no-cache', '--out', join(dir, 'r.json')],
      /flat\.fa: the remote-homology split has no test domains at the fold level \(it needs a fold with at least 2 superfamilies of at least 3 domains.*36 in superfamilies or folds too small/,
      dir,
    );
  });

  it('a duplicated domain id names both lines', async () => {
    const dir = tempDir();
    const fasta = join(dir, 'dup.fa');
    const text = astralFasta(good()).replace('>d00002_ ', '>d00001_ ');
    writeFileSync(fasta, text);
    const second = text.split('\n').findIndex((l, i) => i > 0 && l.startsWith('>d00001_')) + 1;
    await expectUserError(
      ['run', 'fold', '--model', writeTokenLookupModel(dir), '--data', `fold=${fasta}`, '--no-cache', '--out', join(dir, 'r.json')],
      new RegExp(`dup\\.fa:${second}: (domain d00001_ appears twice|duplicate id d00001_) \\(first at line 1\\)`),
      dir,
    );
  });

  it('a model without hidden_states: the task is skipped with the reason, the run succeeds', async () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const io = memoryIo();
    const code = await main(
      [
        'run',
        'fold',
        '--model',
        writeTokenLookupModel(dir, { hiddenStates: false }),
        '--tier',
        'smoke',
        '--no-cache',
        '--out',
        out,
        '--quiet',
      ],
      io,
    );
    expect(code, io.err.join('')).to.equal(0);
    const fold = (JSON.parse(readFileSync(out, 'utf8')) as { tasks: Record<string, { status: string; reason: string }> }).tasks['fold']!;
    expect(fold.status).to.equal('skipped');
    expect(fold.reason).to.equal('the model lacks a "hidden_states" output');
  });
});

describe('fold task: options', function () {
  this.timeout(60000);
  it('an unknown split, an unknown option, and deepsf with --data are usage errors (exit 2)', async () => {
    const dir = tempDir();
    const model = writeTokenLookupModel(dir);
    const fasta = join(dir, 'x.fa');
    writeFileSync(
      fasta,
      astralFasta(
        syntheticScop({ folds: 3, superfamiliesPerFold: 4, familiesPerSuperfamily: 3, domainsPerFamily: 3, signal: 0.5, seed: 'opt' }),
      ),
    );
    const base = ['run', 'fold', '--model', model, '--no-cache', '--out', join(dir, 'r.json')];
    await expectUserError(
      [...base, '--option', 'fold.split=tape'],
      /--option fold\.split: must be remote-homology or deepsf, got "tape"/,
      dir,
    );
    await expectUserError([...base, '--option', 'fold.levels=2'], /--option fold\.levels: unknown option \(fold takes: split\)/, dir);
    await expectUserError(
      [...base, '--option', 'fold.split=deepsf', '--data', `fold=${fasta}`],
      /--option fold\.split=deepsf and --data fold=.*x\.fa conflict/,
      dir,
    );
  });
});
