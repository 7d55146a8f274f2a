import { expect } from 'chai';
import { evaluateFoldProbe, type LabelledRow } from '../tasks/fold/evaluate.js';
import type { Role } from '../tasks/fold/split.js';
import { Rng } from '../src/util/rng.js';

// The probe-and-score step on embeddings given directly: label-encoding embeddings must score 1.0,
// label-independent ones chance, and the chance figures must be what the protocol says they are.
describe('fold task: probe and scoring on given embeddings', function () {
  this.timeout(60000);

  function data(K: number, perClass: Record<Role, number>, dim: number, embed: (cls: number, rng: Rng) => number[], seed: string) {
    const rng = new Rng(seed);
    const rows: LabelledRow[] = [];
    const x: number[] = [];
    for (const role of Object.keys(perClass) as Role[]) {
      for (let c = 0; c < K; c++) {
        for (let i = 0; i < perClass[role]; i++) {
          rows.push({ id: `${role}-${c}-${i}`, fold: `b.${c + 1}`, role });
          const v = embed(c, rng);
          if (v.length !== dim) throw new Error('dim');
          x.push(...v);
        }
      }
    }
    return { rows, x: { data: Float32Array.from(x), rows: rows.length, cols: dim } };
  }
  const sizes = { train: 30, valid: 5, test_fold: 40, test_superfamily: 40, test_family: 40 };

  it('embeddings that encode the fold (one-hot + noise): accuracy and top-5 are 1.0 at every level', () => {
    const { rows, x } = data(
      20,
      sizes,
      24,
      (c, rng) => Array.from({ length: 24 }, (_, j) => (j === c ? 3 : 0) + 0.3 * rng.normal()),
      'encode',
    );
    const ev = evaluateFoldProbe(rows, x, 'synthetic');
    expect(ev.classes).to.have.length(20);
    for (const level of ['fold', 'superfamily', 'family'] as const) {
      const outs = ev.outcomes.filter((o) => o.level === level);
      expect(outs).to.have.length(800);
      expect(
        outs.every((o) => o.top1 === 1 && o.top5 === 1),
        level,
      ).to.equal(true);
    }
  });

  it('random embeddings: accuracy at chance (1/20) and top-5 at 5/20, within binomial bounds', () => {
    const { rows, x } = data(20, sizes, 24, (_c, rng) => Array.from({ length: 24 }, () => rng.normal()), 'noise');
    const ev = evaluateFoldProbe(rows, x, 'synthetic');
    const n = ev.outcomes.length; // 2400
    const top1 = ev.outcomes.reduce((s, o) => s + o.top1, 0) / n;
    const top5 = ev.outcomes.reduce((s, o) => s + o.top5, 0) / n;
    // sd of a Binomial(2400, p)/2400: 0.0044 at p = 0.05, 0.0088 at p = 0.25; bounds at ~4.5 sd.
    expect(top1).to.be.within(0.03, 0.07);
    expect(top5).to.be.within(0.21, 0.29);
    expect(ev.chance['fold'].uniform).to.equal(1 / 20);
    expect(ev.chance['fold'].uniformTop5).to.equal(5 / 20);
  });

  it("chance figures: majority fold of training, scored on each level's test domains (hand-counted)", () => {
    // Training: b.1 x4, b.2 x2, b.3 x2; validation one each; test_fold: b.1 x1, b.2 x3; other levels one b.3 each.
    const spec: [string, Role, number][] = [
      ['b.1', 'train', 4],
      ['b.2', 'train', 2],
      ['b.3', 'train', 2],
      ['b.1', 'valid', 1],
      ['b.2', 'valid', 1],
      ['b.3', 'valid', 1],
      ['b.1', 'test_fold', 1],
      ['b.2', 'test_fold', 3],
      ['b.3', 'test_superfamily', 1],
      ['b.3', 'test_family', 1],
    ];
    const rng = new Rng('chance');
    const rows: LabelledRow[] = [];
    const x: number[] = [];
    for (const [fold, role, n] of spec)
      for (let i = 0; i < n; i++) {
        rows.push({ id: `${fold}-${role}-${i}`, fold, role });
        x.push(rng.normal(), rng.normal());
      }
    const ev = evaluateFoldProbe(rows, { data: Float32Array.from(x), rows: rows.length, cols: 2 }, 'hand');
    expect(ev.chance.fold).to.deep.equal({ uniform: 1 / 3, uniformTop5: 1, majority: 0.25, majorityFold: 'b.1' });
    expect(ev.chance.superfamily.majority).to.equal(0);
    // Fewer than 5 classes: top-5 covers them all.
    expect(ev.outcomes.every((o) => o.top5 === 1)).to.equal(true);
  });

  it('rejects a test domain whose fold has no training domain, and a split without validation', () => {
    const rows: LabelledRow[] = [
      { id: 'a', fold: 'b.1', role: 'train' },
      { id: 'b', fold: 'b.2', role: 'train' },
      { id: 'c', fold: 'b.1', role: 'valid' },
      { id: 'd', fold: 'b.9', role: 'test_fold' },
    ];
    const x = { data: new Float32Array(8).map((_, i) => i), rows: 4, cols: 2 };
    expect(() => evaluateFoldProbe(rows, x, 'f.fa')).to.throw(
      /f\.fa: domain d \(test_fold\) is in fold b\.9, which has no training domain/,
    );
    expect(() =>
      evaluateFoldProbe(
        rows.map((r) => ({ ...r, role: r.role === 'valid' ? 'train' : r.role })),
        x,
        'f.fa',
      ),
    ).to.throw(/no validation domains/);
  });
});
