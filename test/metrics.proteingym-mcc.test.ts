import { expect } from 'chai';
import { proteingymMcc } from '../src/metrics/index.js';
import { expectClose, pairSets } from './golden/metrics/golden.js';

// ProteinGym: model scores binarised as `1 if x >= median else 0`, then matthews_corrcoef vs DMS_score_bin.
describe('metrics: proteingymMcc', () => {
  it('counts a score equal to the median as positive (>=), by hand', () => {
    // median 3: >= gives [0,0,1,1,1] = labels, MCC 1; '>' would give [0,0,0,1,1], MCC 2/3
    expect(proteingymMcc([1, 2, 3, 4, 5], [0, 0, 1, 1, 1])).to.equal(1);
  });

  it('uses the mean of the two middle values as the median for even n, by hand', () => {
    // median 2.5 -> [0,0,1,1]; a lower-middle median (2) would make it [0,1,1,1]
    expect(proteingymMcc([4, 1, 3, 2], [1, 0, 1, 0])).to.equal(1);
  });

  it('is 0 for a constant model (all predicted positive)', () => {
    expect(proteingymMcc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).to.equal(0);
  });

  for (const [name, s] of pairSets()) {
    it(`matches the ProteinGym transcription on ${name}`, () => {
      expectClose(proteingymMcc(s.pred, s.bin), s.expected.proteingym.mcc, name);
    });
  }
});
