import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { writeTokenLookupModel } from '../models/fixtures/token-lookup.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';

const HEADER = 'input,dssp3,dssp8,disorder,cb513_mask';
const row = (
  seq: string,
  s3: string,
  s8: string,
  mask = seq
    .split('')
    .map(() => '1.0')
    .join(' '),
) => `${seq},${s3},${s8},${mask},${mask}`;

describe('secondary-structure task: bad input', function () {
  this.timeout(60000);
  const cases: [string, string, RegExp][] = [
    [
      'label and sequence lengths differ',
      [HEADER, row('MKVL', 'HHCC', 'HHCC'), row('MKVLA', 'HHCC', 'HHCCC')].join('\n'),
      /bad\.csv:3: dssp3 has 4 labels but the sequence has 5 residues/,
    ],
    [
      '8-state labels too short',
      [HEADER, row('MKVLA', 'HHCCC', 'HHCC')].join('\n'),
      /bad\.csv:2: dssp8 has 4 labels but the sequence has 5 residues/,
    ],
    [
      'mask of the wrong length',
      [HEADER, row('MKVL', 'HHCC', 'HHCC', '1.0 1.0 1.0')].join('\n'),
      /bad\.csv:2: cb513_mask has 3 values but the sequence has 4 residues/,
    ],
    [
      'an unknown state letter',
      [HEADER, row('MKVL', 'HHXC', 'HHCC')].join('\n'),
      /bad\.csv:2: dssp3 label "X" at residue 3 is not one of HEC/,
    ],
    [
      'a mask value that is not 0 or 1',
      [HEADER, row('MKVL', 'HHCC', 'HHCC', '1.0 0.5 1.0 1.0')].join('\n'),
      /bad\.csv:2: cb513_mask value "0.5" at residue 2 is not 0 or 1/,
    ],
    [
      'a missing column',
      ['input,dssp3,dssp8', 'MKVL,HHCC,HHCC'].join('\n'),
      /bad\.csv:1: header must name the columns input,dssp3,dssp8,disorder,cb513_mask/,
    ],
    [
      'too few proteins for the split',
      [HEADER, row('MKVL', 'HHCC', 'HHCC')].join('\n'),
      /bad\.csv: the hash split gives no (train|valid|test) protein with evaluated residues \(1 proteins\)/,
    ],
  ];
  for (const [what, text, pattern] of cases) {
    it(`${what}: exit 2 naming file and line`, async () => {
      const dir = tempDir();
      const csv = join(dir, 'bad.csv');
      writeFileSync(csv, text + '\n');
      await expectUserError(
        [
          'run',
          'secondary-structure',
          '--model',
          writeTokenLookupModel(dir),
          '--data',
          `secondary-structure=${csv}`,
          '--no-cache',
          '--out',
          join(dir, 'r.json'),
        ],
        pattern,
        dir,
      );
    });
  }

  it('a model without hidden_states: skipped with the reason', async () => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const io = memoryIo();
    const code = await main(
      [
        'run',
        'secondary-structure',
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
    const t = (JSON.parse(readFileSync(out, 'utf8')) as { tasks: Record<string, { status: string; reason: string }> }).tasks[
      'secondary-structure'
    ]!;
    expect(t.status).to.equal('skipped');
    expect(t.reason).to.equal('the model lacks a "hidden_states" output');
  });
});
