import { expect } from 'chai';
import { trainingCompute } from '../src/scaling/index.js';

describe('scaling: training compute C = 6 N D', () => {
  it("uses the card's non-embedding params and tokens", () => {
    expect(trainingCompute({ params: 1e6, trainTokens: 2e9 }, 5)).to.deep.equal({
      flops: 1.2e16,
      flopsSource: '6ND',
      params: 1e6,
      paramsSource: 'card.params',
      tokens: 2e9,
      tokensSource: 'card.trainTokens',
    });
  });

  it('falls back to the counted non-embedding params and says so', () => {
    const c = trainingCompute({ trainTokens: 1e9 }, 3000);
    expect(c.params).to.equal(3000);
    expect(c.paramsSource).to.equal('counted');
    expect(c.flops).to.equal(6 * 3000 * 1e9);
  });

  it("the card's trainFlops overrides 6ND", () => {
    const c = trainingCompute({ params: 1e6, trainTokens: 2e9, trainFlops: 5e15 }, 1);
    expect(c.flops).to.equal(5e15);
    expect(c.flopsSource).to.equal('card.trainFlops');
    expect(c.tokens).to.equal(2e9);
  });

  it('without tokens or FLOPs the compute is unknown, with the reason', () => {
    const c = trainingCompute({ params: 1e6 }, 1);
    expect(c.flops).to.equal(null);
    expect(c.reason).to.match(/neither trainTokens, trainFlops nor stages/);
  });
});
