import { expect } from 'chai';
import { proteingymRound } from '../src/metrics/index.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { userDir } from './golden/fitness/user-data.js';
import { GOLDEN, bundledAssays, distinctPositionCount, getOptimalWindow, logSoftmax, runFitness, subs } from './golden/fitness/fixtures.js';

// Known-answer models: logits at position t are row t of a fixed table whatever the input, so every
// variant's score can be computed by hand from the table, and the metrics checked against scipy /
// sklearn / ProteinGym's own functions (test/golden/fitness/make_golden.py).
describe('fitness: known-answer models', function () {
  this.timeout(60000);
  const assays = bundledAssays();

  describe('masked-marginals on a site-independent masked model (maxLength 128: three assays windowed)', () => {
    const m = siteIndependentModel('mlm', { maxLength: GOLDEN.model.maxLength, seed: GOLDEN.model.seed, scale: GOLDEN.model.scale });
    const V = m.vocab.size;
    let run: Awaited<ReturnType<typeof runFitness>>;
    before(async () => {
      run = await runFitness(await loadTestModel(m.path), { tier: 'full', options: { scores: 'true' } });
    });

    it('uses the table the golden script rebuilt (guards the fixture against drift)', () => {
      expect(Array.from(m.table.slice(0, 5))).to.deep.equal(GOLDEN.model.tableFirst);
      expect(Array.from(m.table).reduce((s, x) => s + x, 0)).to.be.closeTo(GOLDEN.model.tableSum, 1e-6);
    });

    it('gives every variant the score computed by hand from the table, windows included', () => {
      let checked = 0;
      for (const a of assays) {
        const n = a.wt.length + 2; // <cls> + residues + <eos>
        const got = run.scores.get(a.id)!;
        expect(got.size, a.id).to.equal(a.rows.length);
        for (const r of a.rows) {
          let s = 0;
          for (const [p, wt, mt] of subs(r.mutant)) {
            const t = 1 + p;
            const [start] = n > GOLDEN.model.maxLength ? getOptimalWindow(t, n, GOLDEN.model.maxLength) : [0];
            const row = logSoftmax(m.table, V, t - start);
            s += row[m.vocab.residueId(mt)]! - row[m.vocab.residueId(wt)]!;
          }
          expect(got.get(r.mutant), `${a.id} ${r.mutant}`).to.be.closeTo(s, 1e-9);
          checked++;
        }
      }
      expect(checked).to.equal(17548);
    });

    it('agrees with the scores the Python golden script computed', () => {
      for (const [id, g] of Object.entries(GOLDEN.assays)) {
        for (const [mutant, s] of Object.entries(g.sampleScores))
          expect(run.scores.get(id)!.get(mutant), `${id} ${mutant}`).to.be.closeTo(s, 1e-9);
      }
    });

    it('gives per-assay Spearman, AUC, MCC, NDCG and top recall equal to scipy / sklearn / ProteinGym to 1e-9', () => {
      expect(run.outcome.items.map((i) => i.id).sort()).to.deep.equal(Object.keys(GOLDEN.assays).sort());
      for (const item of run.outcome.items) {
        const g = GOLDEN.assays[item.id]!;
        expect(item.n).to.equal(g.n);
        for (const [k, v] of Object.entries(g.metrics)) expect(item.metrics[k], `${item.id} ${k}`).to.be.closeTo(v, 1e-9);
      }
    });

    it('aggregates as ProteinGym (per UniProt and selection type, per selection type, mean) and as a plain mean, to 1e-9', () => {
      for (const [k, v] of Object.entries(GOLDEN.aggregate)) {
        expect(run.outcome.metrics[k]!.value, k).to.be.closeTo(v, 1e-9);
        expect(run.outcome.metrics[k]!.n).to.equal(6);
        const ci = run.outcome.metrics[k]!.ci95!;
        expect(ci[0]).to.be.at.most(ci[1]);
      }
    });

    it('does one forward pass per distinct mutated position of each assay, and records the windowed variants', () => {
      const expected = assays.reduce((s, a) => s + distinctPositionCount(a.rows.map((r) => r.mutant)), 0);
      expect(run.meter.forwardPasses).to.equal(expected);
      const windowed = assays.filter((a) => GOLDEN.assays[a.id]!.windowed).reduce((s, a) => s + a.rows.length, 0);
      expect(run.outcome.protocol['variantsWindowed']).to.equal(windowed);
      expect(run.outcome.protocol['strategy']).to.equal('masked-marginals');
    });
  });

  describe('tied scores: a copy of the six assays with DMS_score rounded to one decimal, on the same model', () => {
    // Ties at the 90th percentile are where ProteinGym's calc_toprecall at bb685245 (>=) and before (>) differ; the
    // golden values come from ProteinGym's own functions at that commit (test/golden/fitness/make_golden.py).
    const m = siteIndependentModel('mlm', { maxLength: GOLDEN.model.maxLength, seed: GOLDEN.model.seed, scale: GOLDEN.model.scale });
    let run: Awaited<ReturnType<typeof runFitness>>;
    before(async () => {
      const spec = Object.fromEntries(Object.keys(GOLDEN.tied.assays).map((id) => [id, 'all' as const]));
      // np.round(DMS_score, 1) is rint(x * 10) / 10, which proteingymRound reproduces
      const { dir } = userDir(spec, {
        edit: (_id, lines) => [
          lines[0]!,
          ...lines.slice(1).map((l) => {
            const f = l.split(',');
            f[2] = String(proteingymRound(Number(f[2]), 1));
            return f.join(',');
          }),
        ],
      });
      run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
    });

    it('has ties: few distinct DMS scores per assay', () => {
      for (const g of Object.values(GOLDEN.tied.assays)) expect(g.distinctDmsScores).to.be.below(100);
    });

    it("gives per-assay metrics equal to ProteinGym's functions at bb685245, top recall with >=, to 1e-9", () => {
      expect(run.outcome.items.map((i) => i.id).sort()).to.deep.equal(Object.keys(GOLDEN.tied.assays).sort());
      for (const item of run.outcome.items) {
        const g = GOLDEN.tied.assays[item.id]!;
        for (const [k, v] of Object.entries(g.metrics)) expect(item.metrics[k], `${item.id} ${k}`).to.be.closeTo(v, 1e-9);
      }
    });

    it('is not the strict ">" of the older code: it differs on every tied assay (R1AB: 0.0994 vs 0, BCHB: 0.1220 vs 0.0909)', () => {
      for (const item of run.outcome.items) {
        const g = GOLDEN.tied.assays[item.id]!;
        expect(Math.abs(item.metrics['top_recall']! - g.top_recall_a6fc27f), item.id).to.be.greaterThan(1e-4);
      }
      const r1ab = run.outcome.items.find((i) => i.id === 'R1AB_SARS2_Flynn_2022')!;
      expect(r1ab.metrics['top_recall']).to.be.closeTo(0.0994, 1e-4);
      expect(GOLDEN.tied.assays['R1AB_SARS2_Flynn_2022']!.top_recall_a6fc27f).to.equal(0);
    });

    it('aggregates as ProteinGym (per-assay values rounded to 3 decimals, then grouped means; pandas in the golden), to 1e-9', () => {
      for (const [k, v] of Object.entries(GOLDEN.tied.aggregate)) expect(run.outcome.metrics[k]!.value, k).to.be.closeTo(v, 1e-9);
    });
  });

  describe('wt-marginals and pseudo-ppl on the same model', () => {
    // Site-independent logits ignore the mask, so on sequences that fit (no window) all three
    // strategies give the same score: a check of wt-marginals and of the PLL difference.
    const m = siteIndependentModel('mlm', { maxLength: 128, seed: 5 });
    const short = assays.filter((a) => a.wt.length + 2 <= 128).map((a) => a.id);

    it('wt-marginals: equal to masked-marginals on the assays that fit; on long ones, each row read from its best overlapping window', async () => {
      const model = await loadTestModel(m.path);
      const V = m.vocab.size;
      const { dir, assays } = userDir({
        A0A1I9GEU1_NEIME_Kennouche_2019: 120,
        BBC1_YEAST_Tsuboyama_2023_1TG0: 120,
        R1AB_SARS2_Flynn_2022: 120,
      });
      const mm = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true' } });
      const wt = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true', strategy: 'wt-marginals' } });
      expect(wt.outcome.protocol['strategy']).to.equal('wt-marginals');
      expect(wt.scores.get('BBC1_YEAST_Tsuboyama_2023_1TG0')!.size).to.equal(120);
      for (const [mutant, s] of mm.scores.get('BBC1_YEAST_Tsuboyama_2023_1TG0')!)
        expect(wt.scores.get('BBC1_YEAST_Tsuboyama_2023_1TG0')!.get(mutant), mutant).to.be.closeTo(s, 1e-9);
      for (const a of assays.filter((x) => !short.includes(x.id))) {
        // windows of 128 tokens, stride 64, the last aligned to the end; each token read from the
        // window where its distance to a window edge that is not a sequence edge is largest (first on ties)
        const n = a.wt.length + 2;
        const starts: number[] = [];
        for (let s = 0; ; s += 64) {
          if (s + 128 >= n) {
            starts.push(n - 128);
            break;
          }
          starts.push(s);
        }
        const bestStart = (t: number) => {
          let best = -1;
          let margin = -1;
          for (const s of starts) {
            if (t < s || t >= s + 128) continue;
            const left = s === 0 ? Infinity : t - s;
            const right = s + 128 === n ? Infinity : s + 127 - t;
            if (Math.min(left, right) > margin) [best, margin] = [s, Math.min(left, right)];
          }
          return best;
        };
        for (const [mutant, got] of wt.scores.get(a.id)!) {
          let s = 0;
          for (const [p, w, mt] of subs(mutant)) {
            const row = logSoftmax(m.table, V, 1 + p - bestStart(1 + p));
            s += row[m.vocab.residueId(mt)]! - row[m.vocab.residueId(w)]!;
          }
          expect(got, `${a.id} ${mutant}`).to.be.closeTo(s, 1e-9);
        }
      }
      // one pass per wild-type window actually read: 1 when the protein fits, 4 windows for R1AB's 308 tokens
      expect(wt.outcome.items.find((i) => i.id === 'BBC1_YEAST_Tsuboyama_2023_1TG0')!.extra!['forwardPasses']).to.equal(1);
      expect(wt.outcome.items.find((i) => i.id === 'R1AB_SARS2_Flynn_2022')!.extra!['forwardPasses']).to.be.within(2, 4);
    });

    it('pseudo-ppl equals masked-marginals where no window is needed (one assay, 40 variants)', async () => {
      const { dir } = userDir({ BCHB_CHLTE_Tsuboyama_2023_2KRU: 40 });
      const model = await loadTestModel(m.path);
      const mm = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true' } });
      const pp = await runFitness(model, { dataPath: dir, tier: 'full', options: { scores: 'true', strategy: 'pseudo-ppl' } });
      const got = pp.scores.get('BCHB_CHLTE_Tsuboyama_2023_2KRU')!;
      expect(got.size).to.equal(40);
      for (const [mutant, s] of mm.scores.get('BCHB_CHLTE_Tsuboyama_2023_2KRU')!) expect(got.get(mutant), mutant).to.be.closeTo(s, 1e-9);
      expect(pp.meter.forwardPasses).to.equal(41 * 52); // (wild type + 40 variants) x 52 residues
    });
  });

  describe('causal models (progen2 vocabulary, maxLength 128: two of the assays windowed)', () => {
    const m = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 128, seed: 11 });
    // 150 variants of a short assay with multi-mutants and of two long ones (161 and 306 residues)
    const { dir, assays } = userDir({
      A0A1I9GEU1_NEIME_Kennouche_2019: 150,
      DNJA1_HUMAN_Tsuboyama_2023_2LO1: 150,
      R1AB_SARS2_Flynn_2022: 150,
    });
    const V = m.vocab.size;
    const maxResidues = 126;
    const id = (c: string) => m.vocab.residueId(c);

    it('causal-llr: both directions, averaged, with the barycenter window, by hand', async () => {
      const run = await runFitness(await loadTestModel(m.path), {
        dataPath: dir,
        tier: 'full',
        options: { scores: 'true', strategy: 'causal-llr' },
      });
      expect(run.outcome.protocol['strategy']).to.equal('causal-llr');
      expect(run.outcome.protocol['directions']).to.deep.equal(['N-to-C', 'C-to-N']);
      let checked = 0;
      for (const a of assays) {
        for (const [mutant, got] of run.scores.get(a.id)!) {
          const ss = subs(mutant);
          const L = a.wt.length;
          const bary = Math.floor(ss.reduce((s, [p]) => s + p, 0) / ss.length);
          const [s0, e0] = L <= maxResidues ? [0, L] : getOptimalWindow(bary, L, maxResidues);
          const w = e0 - s0;
          let fwd = 0;
          let rev = 0;
          for (const [p, wt, mt] of ss) {
            const j = p - s0; // residue index in the window; token 1 + j is predicted by row j (N to C)
            const f = logSoftmax(m.table, V, j);
            fwd += f[id(mt)]! - f[id(wt)]!;
            const r = logSoftmax(m.table, V, w - 1 - j); // reversed: token 1 + (w-1-j), predicted by row w-1-j
            rev += r[id(mt)]! - r[id(wt)]!;
          }
          expect(got, `${a.id} ${mutant}`).to.be.closeTo((fwd + rev) / 2, 1e-9);
          checked++;
        }
      }
      expect(checked).to.equal(450);
      expect(assays.some((a) => a.rows.some((r) => r.mutant.includes(':')))).to.equal(true);
      // one pass per variant per direction, plus one per distinct wild-type window per direction
      const wtWindows = run.outcome.items.reduce((s, i) => s + (i.extra!['forwardPasses'] as number) - 2 * i.n, 0);
      expect(run.meter.forwardPasses).to.equal(2 * 450 + wtWindows);
      expect(wtWindows).to.be.greaterThan(3 * 2); // the windowed assays have several wild-type windows
      expect(run.outcome.protocol['variantsWindowed']).to.equal(300);
    });

    it('progen2-proteingym is the default for a causal model with the progen2 vocabulary; the ProGen2 baselines say same protocol, the others not', async () => {
      const run = await runFitness(await loadTestModel(m.path), { dataPath: dir, tier: 'full' });
      expect(run.outcome.protocol['strategy']).to.equal('progen2-proteingym');
      const sets = run.outcome.baselines!;
      expect(sets.length).to.be.greaterThan(0);
      for (const set of sets) {
        const ids = Object.keys(set.scores);
        const progen2 = ids.every((id) => id.startsWith('progen2-'));
        expect(set.protocol, set.description).to.deep.equal({
          baseline: progen2 ? 'progen2-proteingym' : ids[0]!.startsWith('esm2-') ? 'masked-marginals' : 'site-independent-msa',
          run: 'progen2-proteingym',
          same: progen2,
        });
      }
      expect(sets.filter((x) => x.protocol!.same).length).to.be.greaterThan(0);
    });

    it('progen2-proteingym: ProteinGym calc_fitness by hand (raw residues, 25-letter softmax, chunks of 128, /2/len)', async () => {
      const run = await runFitness(await loadTestModel(m.path), {
        dataPath: dir,
        tier: 'full',
        options: { scores: 'true', strategy: 'progen2-proteingym' },
      });
      const C = 128;
      const meanLl = (seq: string) => {
        let s = 0;
        for (let j = 1; j < seq.length; j++) s += logSoftmax(m.table, V, j - 1, 5, 29)[id(seq[j]!)]!;
        return s / (seq.length - 1);
      };
      let checked = 0;
      for (const a of assays) {
        const seqOf = new Map(a.rows.map((r) => [r.mutant, r.mutated]));
        for (const [mutant, got] of run.scores.get(a.id)!) {
          const seq = seqOf.get(mutant)!;
          const chunks: string[] = [];
          if (seq.length < C) chunks.push(seq);
          else for (let k = 0; k < 1 + Math.floor(seq.length / C); k++) chunks.push(seq.slice(k * C, (k + 1) * C));
          let v = 0;
          for (const c of chunks) if (c.length >= 2) v += meanLl(c) + meanLl([...c].reverse().join(''));
          expect(got, `${a.id} ${mutant}`).to.be.closeTo(v / 2 / seq.length, 1e-12);
          checked++;
        }
      }
      expect(checked).to.equal(450);
      // 161 residues: chunks of 128 and 33; 306: 128, 128, 50; both directions each
      expect(run.meter.forwardPasses).to.equal(150 * 2 * (2 + 1 + 3));
    });
  });
});
