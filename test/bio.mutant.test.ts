import { expect } from 'chai';
import {
  FlatSubstitutionsBuilder,
  MutantError,
  applyMutant,
  canonicalMutant,
  checkAgainstWildType,
  firstDifference,
  flatMutatedSequence,
  flatSubset,
  parseMutant,
  revertMutant,
} from '../src/bio/mutant.js';

// ProteinGym mutant strings: `A10C` or `A10C:K23E`, 1-based positions into the wild type.
describe('bio: mutant strings', () => {
  const wt = 'MKTAYIAKQR';

  it('parses single and multiple substitutions in the order written', () => {
    expect(parseMutant('K2A')).to.deep.equal([{ wt: 'K', position: 2, mt: 'A' }]);
    expect(parseMutant('T3W:M1C')).to.deep.equal([
      { wt: 'T', position: 3, mt: 'W' },
      { wt: 'M', position: 1, mt: 'C' },
    ]);
  });

  for (const bad of ['', 'K2', '2A', 'k2A', 'K0A', 'K02A', 'K2A:', 'K2A::T3W', 'K-2A', 'K2AA', 'K 2A']) {
    it(`rejects the malformed mutant "${bad}"`, () => {
      expect(() => parseMutant(bad)).to.throw(MutantError);
    });
  }

  it('rejects a mutant letter outside the 20 standard amino acids (ProteinGym AA_vocab), naming it', () => {
    expect(() => parseMutant('K2X')).to.throw(MutantError, /"X" is not one of the 20 standard amino acids/);
    expect(() => parseMutant('K2B')).to.throw(MutantError, /"B"/);
  });

  it('rejects a position substituted twice within one mutant', () => {
    expect(() => parseMutant('K2A:K2C')).to.throw(MutantError, /position 2 is substituted twice/);
  });

  it('applies substitutions to the wild type (1-based positions)', () => {
    expect(applyMutant(wt, 'M1C:R10W', parseMutant('M1C:R10W'))).to.equal('CKTAYIAKQW');
  });

  it('names the position and both letters when the wild-type letter does not match', () => {
    expect(() => {
      checkAgainstWildType('A2C', parseMutant('A2C'), wt);
    }).to.throw(MutantError, 'mutant "A2C": residue 2 of the wild type is K, not A');
  });

  it('rejects a position outside the wild type, giving the valid range', () => {
    expect(() => applyMutant(wt, 'A11C', parseMutant('A11C'))).to.throw(MutantError, 'position 11 is outside the wild type (1..10)');
  });

  it('reverts a mutated sequence to its wild type, and checks the mutant letters are there', () => {
    expect(revertMutant('CKTAYIAKQW', 'M1C:R10W', parseMutant('M1C:R10W'))).to.equal(wt);
    expect(() => revertMutant('MKTAYIAKQW', 'M1C:R10W', parseMutant('M1C:R10W'))).to.throw(
      MutantError,
      'residue 1 of mutated_sequence is M, not C',
    );
  });

  it('gives the same canonical key to the same substitutions written in another order', () => {
    expect(canonicalMutant(parseMutant('T3W:M1C'))).to.equal(canonicalMutant(parseMutant('M1C:T3W')));
    expect(canonicalMutant(parseMutant('T3W:M1C'))).to.equal('M1C:T3W');
    expect(canonicalMutant(parseMutant('M1C'))).to.not.equal(canonicalMutant(parseMutant('M1D')));
  });

  it('finds the first differing position, length differences included', () => {
    expect(firstDifference('ABC', 'ABC')).to.equal(0);
    expect(firstDifference('ABC', 'AXC')).to.equal(2);
    expect(firstDifference('ABC', 'ABCD')).to.equal(4);
  });

  it('holds many variants flat: built in order, applied to the wild type, subset in any order', () => {
    const mutants = ['M1A', 'K2C:T3D', 'Q9E:R10F:A4G'];
    const b = new FlatSubstitutionsBuilder();
    for (const m of mutants) b.push(parseMutant(m));
    const f = b.build();
    expect(Array.from(f.offsets)).to.deep.equal([0, 1, 3, 6]);
    expect(Array.from(f.positions)).to.deep.equal([0, 1, 2, 8, 9, 3]);
    expect(String.fromCharCode(...f.wtCodes)).to.equal('MKTQRA');
    expect(String.fromCharCode(...f.mtCodes)).to.equal('ACDEFG');
    mutants.forEach((m, v) => expect(flatMutatedSequence(wt, f, v)).to.equal(applyMutant(wt, m, parseMutant(m))));
    const s = flatSubset(f, [2, 0]);
    expect(Array.from(s.offsets)).to.deep.equal([0, 3, 4]);
    expect(flatMutatedSequence(wt, s, 0)).to.equal(flatMutatedSequence(wt, f, 2));
    expect(flatMutatedSequence(wt, s, 1)).to.equal('AKTAYIAKQR');
    expect(Array.from(flatSubset(f, []).offsets)).to.deep.equal([0]);
  });
});
