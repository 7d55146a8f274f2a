import { expect } from 'chai';
import { accuracy } from '../src/metrics/index.js';
import { expectClose, golden } from './golden/metrics/golden.js';

describe('metrics: accuracy', () => {
  it('is the fraction of exact matches, by hand', () => {
    expect(accuracy([0, 1, 2, 2], [0, 2, 2, 1])).to.equal(0.5);
    expect(accuracy([3], [3])).to.equal(1);
  });

  it('matches sklearn.metrics.accuracy_score', () => {
    const g = golden.classification.accuracy_70;
    expectClose(accuracy(g.predicted, g.labels), g.accuracy, 'accuracy');
  });
});
