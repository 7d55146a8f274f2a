import { expect } from 'chai';
import { topKAccuracy } from '../src/metrics/index.js';
import { expectClose, golden } from './golden/metrics/golden.js';

describe('metrics: topKAccuracy', () => {
  it('counts a row as a hit when its label is among the k best classes, by hand', () => {
    const m = [
      [0.1, 0.5, 0.4], // order 1, 2, 0
      [0.7, 0.2, 0.1], // order 0, 1, 2
    ];
    expect(topKAccuracy(m, [2, 0], 1)).to.equal(0.5);
    expect(topKAccuracy(m, [2, 0], 2)).to.equal(1);
    expect(topKAccuracy(m, [0, 2], 2)).to.equal(0);
    expect(topKAccuracy(m, [0, 2], 3)).to.equal(1);
  });

  it('breaks ties by class index, lower first (k = 1 is np.argmax)', () => {
    const m = [[1, 3, 3, 0]];
    expect(topKAccuracy(m, [1], 1)).to.equal(1);
    expect(topKAccuracy(m, [2], 1)).to.equal(0);
    expect(topKAccuracy(m, [2], 2)).to.equal(1);
  });

  it('rejects labels that are not class indices and k outside [1, classes]', () => {
    expect(() => topKAccuracy([[1, 2]], [2], 1)).to.throw(RangeError, /class index/);
    expect(() => topKAccuracy([[1, 2]], [0], 3)).to.throw(RangeError, /k must be/);
    expect(() => topKAccuracy([[1, 2], [1]], [0, 0], 1)).to.throw(RangeError, /classes/);
  });

  it('matches sklearn.metrics.top_k_accuracy_score on tie-free scores, every k', () => {
    const g = golden.classification.continuous_80x6;
    for (const [k, v] of Object.entries(g.sklearn_top_k_accuracy)) {
      expectClose(topKAccuracy(g.scores, g.labels, Number(k)), v, `k=${k}`);
    }
  });

  it('matches the lower-index-first reference on tie-heavy integer scores (sklearn differs there)', () => {
    const g = golden.classification.ties_50x5;
    for (const [k, v] of Object.entries(g.top_k_accuracy)) {
      expectClose(topKAccuracy(g.scores, g.labels, Number(k)), v, `k=${k}`);
    }
    expectClose(topKAccuracy(g.scores, g.labels, 1), g.argmax_accuracy, 'argmax');
  });
});
