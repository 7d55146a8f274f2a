import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { GAP_IN_A, GAP_IN_B, globalAlign, globalIdentity, PAIR, placeOnReference } from '../src/bio/align.js';
import { BenchError } from '../src/util/errors.js';

interface AlignCase {
  a: string;
  b: string;
  score: number;
  n_optimal: number;
  identical: number;
}
const golden = JSON.parse(readFileSync(new URL('./golden/bio/align_golden.json', import.meta.url), 'utf8')) as { cases: AlignCase[] };

describe('bio/align: globalAlign and globalIdentity', () => {
  it('matches Biopython PairwiseAligner scores (BLOSUM62, open 10, extend 0.5, free end gaps)', () => {
    expect(golden.cases.length).to.be.greaterThan(5);
    for (const c of golden.cases) {
      const aln = globalAlign(c.a, c.b);
      expect(aln.score, `${c.a.length}x${c.b.length}`).to.equal(c.score);
      if (c.n_optimal === 1) {
        let same = 0;
        aln.aToB.forEach((j, i) => (same += j >= 0 && c.a[i] === c.b[j] ? 1 : 0));
        expect(same).to.equal(c.identical);
        expect(globalIdentity(c.a, c.b)).to.be.closeTo((100 * c.identical) / Math.min(c.a.length, c.b.length), 1e-12);
      }
    }
  });

  it('ops, aToB and bToA describe the same alignment', () => {
    const aln = globalAlign('HEAGAWGHEE', 'PAWHEAE', { freeEndGaps: false });
    let i = 0;
    let j = 0;
    for (const op of aln.ops) {
      if (op === PAIR) {
        expect(aln.aToB[i]).to.equal(j);
        expect(aln.bToA[j]).to.equal(i);
        i++;
        j++;
      } else if (op === GAP_IN_B) {
        expect(aln.aToB[i]).to.equal(-1);
        i++;
      } else {
        expect(op).to.equal(GAP_IN_A);
        expect(aln.bToA[j]).to.equal(-1);
        j++;
      }
    }
    expect([i, j]).to.deep.equal([10, 7]);
  });

  it('identity: denominators, case, empty sequences', () => {
    expect(globalIdentity('MKVLA', 'MKVLA')).to.equal(100);
    expect(globalIdentity('mkvla', 'MKVLA')).to.equal(100);
    expect(globalIdentity('MKVLAGHTRE', 'MKVLA')).to.equal(100); // shorter sequence
    expect(globalIdentity('MKVLAGHTRE', 'MKVLA', { denominator: 'longer' })).to.equal(50);
    expect(globalIdentity('MKVLAGHTRE', 'MKVLA', { denominator: 'alignment' })).to.equal(50);
    expect(globalIdentity('XXXX', 'XXXX')).to.equal(0); // X never counts as identical
    expect(globalIdentity('', 'MKV')).to.equal(0);
    expect(globalIdentity('A', 'W')).to.equal(0);
  });
});

describe('bio/align: placeOnReference', () => {
  it('masks unobserved residues at a chain break instead of shifting them', () => {
    const ref = 'MSTKGGGGAVLE';
    // observed: MSTKG | GAVLE with a break after the first G (three Gs unobserved)
    const breaks = Uint8Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const p = placeOnReference(ref, 'MSTKGGAVLE', { breaks });
    expect([...p.refIndex]).to.deep.equal([0, 1, 2, 3, 4, 7, 8, 9, 10, 11]);
    expect(p.disagreements).to.equal(0);
  });

  it('places the gap where the coordinates break, even among repeats', () => {
    const ref = 'AKGGGGGGDE';
    const obs = 'AKGGGGDE'; // two G unobserved; the break is after the second observed G
    const breaks = new Uint8Array(obs.length + 1);
    breaks[0] = breaks[obs.length] = 1;
    breaks[4] = 1;
    expect([...placeOnReference(ref, obs, { breaks }).refIndex]).to.deep.equal([0, 1, 2, 3, 6, 7, 8, 9]);
    breaks[4] = 0;
    breaks[2] = 1;
    expect([...placeOnReference(ref, obs, { breaks }).refIndex]).to.deep.equal([0, 1, 4, 5, 6, 7, 8, 9]);
  });

  it('unobserved termini are free', () => {
    const p = placeOnReference('MGSSHHHHHHSSGLVPRGSHMKVLAAGIIG', 'MKVLAAGIIG');
    expect([...p.refIndex]).to.deep.equal([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  });

  it('tolerates a few mismatches and counts them', () => {
    const ref = 'MKVLAAGIIGDERKTWYPQLMNSTRVCHEAGLIKDFPQ';
    const obs = ref.slice(0, 10) + 'W' + ref.slice(11);
    const p = placeOnReference(ref, obs, {
      breaks: Uint8Array.from({ length: obs.length + 1 }, (_, k) => (k === 0 || k === obs.length ? 1 : 0)),
    });
    expect(p.mismatches).to.equal(1);
    expect([...p.refIndex]).to.deep.equal([...Array(ref.length).keys()]);
  });

  it('a reference that disagrees with the coordinates is a one-line BenchError naming file and chain', () => {
    const ref = 'MKVLAAGIIGDERKTWYPQLMNSTRVCHEAGLIKDFPQ';
    const obs = 'MKVLAAGIIGDWWWWWWPQLMNSTRVCHEAGLIKDFPQ';
    try {
      placeOnReference(ref, obs, { file: 'x.pdb', chain: 'B' });
      expect.fail('expected a BenchError');
    } catch (e) {
      expect(e).to.be.instanceOf(BenchError);
      const msg = (e as Error).message;
      expect(msg).to.match(/^x\.pdb: chain B: coordinates disagree with the reference sequence at \d+ of 38 observed residues/);
      expect(msg).to.not.include('\n');
    }
  });

  it('reference residues missing between bonded residues count as disagreements', () => {
    const ref = 'MKVLAAGIIGDERKTWYPQLMNSTRVCHEAGLIKDFPQ';
    const obs = ref.slice(0, 15) + ref.slice(20); // 5 residues gone, but no break: coordinates say bonded
    expect(() => placeOnReference(ref, obs, { file: 'y.pdb', chain: 'A' })).to.throw(
      BenchError,
      /5 reference residues missing between bonded residues/,
    );
    const breaks = new Uint8Array(obs.length + 1);
    breaks[0] = breaks[15] = breaks[obs.length] = 1;
    expect(placeOnReference(ref, obs, { breaks }).disagreements).to.equal(0);
  });
});
