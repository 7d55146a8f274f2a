import { Rng } from '../../src/util/rng.js';

const AA = 'ACDEFGHIKLMNPQRSTVWY';

/** A distinct value per amino acid (a scrambled ladder), the letter effect of the synthetic assays. */
export function letterValue(a: string): number {
  return ((AA.indexOf(a) * 7) % 20) / 20;
}

export interface SyntheticAssay {
  wildType: string;
  csv: string;
  rows: number;
}

/**
 * Every single substitution of a random wild type of `length` residues, as a ProteinGym fold file:
 * `fold_random_5` random, `fold_modulo_5` = position mod 5, `fold_contiguous_5` = five blocks of positions.
 * `score(wt, mt, position)` gives DMS_score.
 */
export function syntheticFoldAssay(
  length: number,
  seed: string,
  score: (wt: string, mt: string, position: number, rng: Rng) => number,
): SyntheticAssay {
  const rng = new Rng(seed);
  let wildType = '';
  for (let i = 0; i < length; i++) wildType += AA[Math.floor(rng.next() * 20)];
  const lines = ['mutant,mutated_sequence,DMS_score,DMS_score_bin,fold_random_5,fold_modulo_5,fold_contiguous_5'];
  const block = Math.ceil(length / 5);
  let rows = 0;
  for (let p = 0; p < length; p++) {
    for (const mt of AA) {
      const wt = wildType[p]!;
      if (mt === wt) continue;
      const seq = wildType.slice(0, p) + mt + wildType.slice(p + 1);
      const s = score(wt, mt, p, rng);
      lines.push(`${wt}${p + 1}${mt},${seq},${s},${s > 0 ? 1 : 0},${Math.floor(rng.next() * 5)},${p % 5},${Math.floor(p / block)}`);
      rows++;
    }
  }
  return { wildType, csv: `${lines.join('\n')}\n`, rows };
}
