import { expect } from 'chai';
import { proteingymAuc } from '../src/metrics/index.js';
import { expectClose, num, pairSets } from './golden/metrics/golden.js';

// ProteinGym: roc_auc_score(y_true=DMS_score_bin, y_score=model_score), NaN where it raises.
describe('metrics: proteingymAuc', () => {
  it('is the ROC AUC of the model scores against DMS_score_bin (by hand, with a tie)', () => {
    expectClose(proteingymAuc([1, 1, 2, 3], [0, 1, 0, 1]), 0.625, 'auc');
  });

  it('is NaN, not an error, when the assay has one class (ProteinGym catches and records NaN)', () => {
    expect(proteingymAuc([0.1, 0.2, 0.3], [1, 1, 1])).to.be.NaN;
  });

  for (const [name, s] of pairSets()) {
    it(`matches the ProteinGym transcription on ${name}`, () => {
      expectClose(proteingymAuc(s.pred, s.bin), num(s.expected.proteingym.auc), name);
    });
  }
});
