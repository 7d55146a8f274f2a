import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseFasta, readFasta, formatFasta } from '../src/bio/fasta.js';
import { BenchError } from '../src/util/errors.js';
import { tempDir } from './helpers/tmp.js';

describe('FASTA', () => {
  it('parses multi-line records, upper-cases, drops a final stop codon', () => {
    const r = parseFasta('>a first\nmkv\nLL*\n\n>b\nAC\n', 'x.fa');
    expect(r.map((x) => [x.id, x.header, x.sequence, x.line])).to.deep.equal([
      ['a', 'a first', 'MKVLL', 1],
      ['b', 'b', 'AC', 5],
    ]);
  });

  it('reads gzipped files and round-trips through formatFasta', () => {
    const dir = tempDir();
    const text = formatFasta([{ id: 'x', sequence: 'A'.repeat(130) }]);
    writeFileSync(join(dir, 'a.fa.gz'), gzipSync(text));
    expect(readFasta(join(dir, 'a.fa.gz'))[0]!.sequence).to.equal('A'.repeat(130));
  });

  it('rejects empty files, sequence before header, empty records', () => {
    expect(() => parseFasta('\n\n', 'e.fa')).to.throw(BenchError, /e.fa: no FASTA records/);
    expect(() => parseFasta('MKV\n>a\nM', 'f.fa')).to.throw(BenchError, /f.fa:1: sequence line before/);
    expect(() => parseFasta('>a\n>b\nM', 'g.fa')).to.throw(BenchError, /g.fa:1: record a has no sequence/);
  });
});
