import { expect } from 'chai';
import { join } from 'node:path';
import { globalIdentity } from '../src/bio/index.js';
import { builtinTasksDir } from '../src/util/paths.js';
import { Rng } from '../src/util/rng.js';
import { loadControl, loadReference } from '../tasks/generation/data.js';
import {
  greedyClusters,
  KmerIndex,
  kmerSet,
  maxIdentity,
  maxIdentityBruteForce,
  meanPairwise,
  pairwiseIdentities,
  queryIdentity,
} from '../tasks/generation/identity.js';
import { NOVELTY_BINS } from '../tasks/generation/summary.js';
import { STANDARD } from '../tasks/generation/sequence.js';

const binOf = (x: number) => NOVELTY_BINS.findIndex(([lo, hi]) => x >= lo && x < hi);

describe('generation: identity, novelty prefilter and clustering', function () {
  this.timeout(60000);
  const dir = join(builtinTasksDir, 'generation');

  it('3-mer sets: distinct codes, letters outside the 20 skipped', () => {
    expect(Array.from(kmerSet('AAAA'))).to.deep.equal([0]);
    expect(kmerSet('ACDAC').length).to.equal(3); // ACD, CDA, DAC
    expect(kmerSet('ACXDE').length).to.equal(0);
  });

  it('the 3-mer prefilter finds the same maximum identity as aligning every reference (homologs at 55-95%, natural and random queries)', () => {
    const ref = loadReference(dir);
    const rng = new Rng('prefilter-check');
    // A reference subset small enough to align exhaustively here (the README reports the check on the whole set).
    const pool = ref.records.filter((r) => r.sequence.length <= 180 && /^[ACDEFGHIKLMNPQRSTVWY]+$/.test(r.sequence));
    const refs = rng.sampleIndices(pool.length, 250).map((i) => pool[i]!.sequence);
    const index = new KmerIndex(refs);
    const queries: { seq: string; source: number | null }[] = [];
    // Homologs: copies of references with 5-45% of residues substituted at random.
    for (const [k, f] of [0.05, 0.15, 0.25, 0.35, 0.4, 0.45].entries()) {
      const source = rng.int(refs.length);
      const s = refs[source]!.split('');
      for (const i of rng.sampleIndices(s.length, Math.round(f * s.length))) s[i] = STANDARD[rng.int(20)]!;
      // and a short deletion, so the alignment has a gap
      queries.push({ seq: s.join('').slice(0, 10 + k) + s.join('').slice(16 + k), source });
    }
    for (const r of loadControl(dir)
      .records.filter((c) => c.sequence.length <= 150)
      .slice(0, 5))
      queries.push({ seq: r.sequence, source: null });
    for (let q = 0; q < 5; q++)
      queries.push({ seq: Array.from({ length: 60 + 20 * q }, () => STANDARD[rng.int(20)]).join(''), source: null });
    let homologsFound = 0;
    for (const q of queries) {
      const fast = maxIdentity(q.seq, index);
      const brute = maxIdentityBruteForce(q.seq, refs);
      expect(binOf(fast.identity), `bin of ${q.seq.slice(0, 12)}`).to.equal(binOf(brute.identity));
      if (brute.identity >= 50) {
        expect(fast.identity).to.equal(brute.identity);
        homologsFound++;
      }
      if (q.source !== null) expect(fast.reference).to.equal(q.source);
      expect(fast.identity).to.be.at.most(brute.identity);
    }
    expect(homologsFound).to.be.at.least(5);
  });

  it('novelty identity is over the query: a short reference peptide does not make a sample its homolog (regression)', () => {
    // A random-like 150-residue sample of the example model and a 14-residue reference protein (P0DPN8): over the
    // shorter sequence they are "50% identical"; over the sample, 7 identical residues of 150.
    const sample =
      'MKGGVPIILEKANVTFSRPPYLNNRGFTETDKTKISDVTTDQDVKIDAFLLPVPQYTAERVEDPTYLIKIATAQTPAIYLIELPNKEIYSSNLLDKVALLTVVARFSGGTKVGIAAAVALTHTSKARRAARAAMALFMFSDPKAMFGTGE';
    const peptide = 'MFSKLAQSSIKAMF';
    expect(globalIdentity(sample, peptide)).to.equal(50);
    expect(queryIdentity(sample, peptide)).to.be.below(10);
    expect(queryIdentity(peptide, sample)).to.equal(globalIdentity(peptide, sample));
  });

  it('pairwise identities, their mean, and greedy clustering at 50% in CD-HIT order', () => {
    const a =
      'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWSTPSELGHAGLNGDILVWNPVLEDAFELSSMGIRVDADTLKHQLALTGDEDRLELEWHQALLRGEMPQTIGGGIGQSRLTMLLLQLPHIGQVQAGVWPAACRESVPALL';
    const b = a.slice(0, 100).replace(/K/g, 'R') + a.slice(100, 200); // ~90% identical to a's first 200
    const c = 'GSHMSLFDFFKNKGSAATATDRLKLLLE'.repeat(4);
    const d = c.slice(0, 80);
    const seqs = [b, c, a, d];
    const m = pairwiseIdentities(seqs);
    expect(m[0 * 4 + 2]).to.equal(globalIdentity(b, a));
    expect(m[2 * 4 + 0]).to.equal(m[0 * 4 + 2]);
    expect(m[1 * 4 + 1]).to.equal(100);
    expect(meanPairwise(m, 4, [0, 1, 2, 3])).to.be.closeTo(
      [m[1]!, m[2]!, m[3]!, m[6]!, m[7]!, m[11]!].reduce((x, y) => x + y, 0) / 6,
      1e-12,
    );
    // Longest first: a (rep), b joins a (>= 50%), c (rep), d joins c.
    const cl = greedyClusters(
      m,
      4,
      seqs.map((s) => s.length),
      50,
    );
    expect(cl.representatives).to.deep.equal([2, 1]);
    expect(Array.from(cl.assignment)).to.deep.equal([2, 1, 2, 1]);
    // A threshold above every pair: every sequence its own cluster.
    expect(
      greedyClusters(
        m,
        4,
        seqs.map((s) => s.length),
        100.5,
      ).representatives,
    ).to.have.length(4);
  });
});
