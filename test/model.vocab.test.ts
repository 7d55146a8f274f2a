import { expect } from 'chai';
import { Vocabulary } from '../src/model/vocab.js';
import { BenchError } from '../src/util/errors.js';

describe('vocabularies', () => {
  it('esm: the ESM-1b/ESM-2 alphabet, ids as the model contract in README.md lists them', () => {
    const v = Vocabulary.from('esm');
    expect(v.size).to.equal(33);
    expect([v.start, v.pad, v.end, v.unk, v.mask]).to.deep.equal([0, 1, 2, 3, 32]);
    const order = 'LAGVSERTIDPKQNFYMHWCXBUZO';
    for (let i = 0; i < order.length; i++) expect(v.residueId(order[i]!), order[i]).to.equal(4 + i);
    expect(v.tokens[29]).to.equal('.');
    expect(v.tokens[30]).to.equal('-');
    expect(v.tokens[31]).to.equal('<null_1>');
    expect(v.residueId('.')).to.equal(-1);
    expect(Array.from(v.encode('MKV'))).to.deep.equal([0, 20, 15, 7, 2]);
  });

  it('progen2: 32 logits, `1` + residues + `2`, reverse `2` + reversed + `1`', () => {
    const v = Vocabulary.from('progen2');
    expect(v.size).to.equal(32);
    expect([v.pad, v.start, v.end]).to.deep.equal([0, 3, 4]);
    expect(v.tokens.slice(0, 5)).to.deep.equal(['<|pad|>', '<|bos|>', '<|eos|>', '1', '2']);
    const letters = 'ABCDEFGHIKLMNOPQRSTUVWXYZ';
    for (let i = 0; i < letters.length; i++) expect(v.residueId(letters[i]!), letters[i]).to.equal(5 + i);
    expect(v.residueId('J')).to.equal(-1);
    expect(Array.from(v.encode('MKV'))).to.deep.equal([3, 16, 14, 25, 4]);
    expect(Array.from(v.encode('MKV', 'reverse'))).to.deep.equal([4, 25, 14, 16, 3]);
  });

  it('a custom token table', () => {
    const tokens = ['<s>', '<p>', '</s>', ...'ACDEFGHIKLMNPQRSTVWY'.split(''), '<m>'];
    const v = Vocabulary.from({ tokens, pad: '<p>', start: '<s>', end: '</s>', mask: '<m>' });
    expect(v.size).to.equal(24);
    expect(Array.from(v.encode('AY'))).to.deep.equal([0, 3, 22, 2]);
    expect(v.mask).to.equal(23);
  });

  it('rejects letters outside the vocabulary, naming the residue', () => {
    const v = Vocabulary.from('progen2');
    expect(v.firstInvalid('MKJV')).to.equal(2);
    expect(() => v.encode('MKJV')).to.throw(BenchError, /"J" at residue 3/);
    expect(() => Vocabulary.from({ tokens: ['a', 'b'], pad: 'x' })).to.throw(BenchError, /pad token "x"/);
  });
});
