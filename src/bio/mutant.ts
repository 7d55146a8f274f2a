/**
 * Mutant strings as ProteinGym writes them: one or more substitutions `<wt><position><mut>` joined
 * by `:`, positions 1-based into the assay's wild-type sequence (`A10C`, `A10C:K23E`). The parsing
 * and the checks follow ProteinGym's `get_mutated_sequence` (proteingym/utils/scoring_utils.py):
 * the wild-type letter must match the sequence at that position, and the mutant letter must be one
 * of the 20 standard amino acids (its `AA_vocab`).
 *
 * Functions throw {@link MutantError} with a message that names the mutant and the rule; callers add
 * the file and line.
 */

/** ProteinGym's `AA_vocab`: the 20 standard amino acids a substitution may introduce. */
export const STANDARD_AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

export interface Substitution {
  /** Wild-type letter. */
  wt: string;
  /** 1-based position in the wild type. */
  position: number;
  /** Mutant letter. */
  mt: string;
}

export class MutantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutantError';
  }
}

const SUBSTITUTION = /^([A-Z])([1-9][0-9]*)([A-Z])$/;

/**
 * Parses `A10C` or `A10C:K23E` into substitutions in the order written. Rejects empty parts, lower
 * case, position 0, a mutant letter outside the 20 standard amino acids, and a position given twice.
 */
export function parseMutant(mutant: string): Substitution[] {
  if (mutant.length === 0) throw new MutantError('empty mutant');
  const out: Substitution[] = [];
  const seen = new Set<number>();
  for (const part of mutant.split(':')) {
    const m = SUBSTITUTION.exec(part);
    if (!m)
      throw new MutantError(
        `mutant "${mutant}": "${part}" is not a substitution like A10C (wild-type letter, 1-based position, mutant letter)`,
      );
    const position = Number(m[2]);
    if (!Number.isSafeInteger(position)) throw new MutantError(`mutant "${mutant}": position ${m[2]} is too large`);
    const mt = m[3]!;
    if (!STANDARD_AMINO_ACIDS.includes(mt)) {
      throw new MutantError(
        `mutant "${mutant}": mutant letter "${mt}" is not one of the 20 standard amino acids (${STANDARD_AMINO_ACIDS})`,
      );
    }
    if (seen.has(position)) throw new MutantError(`mutant "${mutant}": position ${position} is substituted twice`);
    seen.add(position);
    out.push({ wt: m[1]!, position, mt });
  }
  return out;
}

/** Checks every substitution against the wild type: position inside it, wild-type letter equal. */
export function checkAgainstWildType(mutant: string, subs: readonly Substitution[], wildType: string): void {
  for (const s of subs) {
    if (s.position > wildType.length) {
      throw new MutantError(`mutant "${mutant}": position ${s.position} is outside the wild type (1..${wildType.length})`);
    }
    const actual = wildType[s.position - 1]!;
    if (actual !== s.wt) {
      throw new MutantError(`mutant "${mutant}": residue ${s.position} of the wild type is ${actual}, not ${s.wt}`);
    }
  }
}

/** The mutated sequence: the wild type with each substitution applied (checked first). */
export function applyMutant(wildType: string, mutant: string, subs: readonly Substitution[]): string {
  checkAgainstWildType(mutant, subs, wildType);
  if (subs.length === 1) {
    const p = subs[0]!.position - 1;
    return wildType.slice(0, p) + subs[0]!.mt + wildType.slice(p + 1);
  }
  const chars = wildType.split('');
  for (const s of subs) chars[s.position - 1] = s.mt;
  return chars.join('');
}

/**
 * The wild type implied by one mutated sequence and its substitutions: each substituted position
 * set back to its wild-type letter. The mutated sequence must carry the mutant letters there.
 */
export function revertMutant(mutatedSequence: string, mutant: string, subs: readonly Substitution[]): string {
  const chars = mutatedSequence.split('');
  for (const s of subs) {
    if (s.position > mutatedSequence.length) {
      throw new MutantError(`mutant "${mutant}": position ${s.position} is outside mutated_sequence (1..${mutatedSequence.length})`);
    }
    const actual = mutatedSequence[s.position - 1]!;
    if (actual !== s.mt) throw new MutantError(`mutant "${mutant}": residue ${s.position} of mutated_sequence is ${actual}, not ${s.mt}`);
    chars[s.position - 1] = s.wt;
  }
  return chars.join('');
}

/** A canonical key of a set of substitutions (sorted by position), so `A1C:D2E` and `D2E:A1C` compare equal. */
export function canonicalMutant(subs: readonly Substitution[]): string {
  return [...subs]
    .sort((a, b) => a.position - b.position)
    .map((s) => `${s.wt}${s.position}${s.mt}`)
    .join(':');
}

/** First 1-based position where two sequences differ (length differences count), or 0 when equal. */
export function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i + 1;
  return a.length === b.length ? 0 : n + 1;
}

/**
 * One row of a ProteinGym DMS file: its mutant parsed and checked against its `mutated_sequence`. The
 * wild type is the one given, or inferred from this row when none is known yet (the first row of a file
 * whose reference gives none). `wildTypeSource` says where the wild type came from, for the message.
 * Throws {@link MutantError}; callers add the file and line.
 */
export function checkDmsRow(
  mutant: string,
  mutated: string,
  wildType: string | null,
  wildTypeSource: string,
): { subs: Substitution[]; wildType: string } {
  const subs = parseMutant(mutant);
  const wt = wildType ?? revertMutant(mutated, mutant, subs);
  const expected = applyMutant(wt, mutant, subs);
  if (expected !== mutated) {
    const d = firstDifference(expected, mutated);
    const detail =
      expected.length !== mutated.length
        ? `mutated_sequence has ${mutated.length} residues, the wild type ${expected.length}`
        : `first difference at residue ${d}: ${expected[d - 1]} expected, ${mutated[d - 1]} found`;
    throw new MutantError(`mutant "${mutant}" applied to the wild type${wildTypeSource} does not give mutated_sequence (${detail})`);
  }
  return { subs, wildType: wt };
}

/**
 * The substitutions of many variants held flat, so an assay costs a few bytes per substitution instead of a string
 * or an object per variant: variant v's are entries `offsets[v] .. offsets[v + 1] - 1` of `positions` (0-based),
 * `wtCodes` and `mtCodes` (char codes). `offsets` has one more entry than there are variants.
 */
export interface FlatSubstitutions {
  offsets: Int32Array;
  positions: Int32Array;
  wtCodes: Uint8Array;
  mtCodes: Uint8Array;
}

/** Collects variants' substitutions, in order, into {@link FlatSubstitutions}. */
export class FlatSubstitutionsBuilder {
  private readonly offsets: number[] = [0];
  private readonly positions: number[] = [];
  private readonly wtCodes: number[] = [];
  private readonly mtCodes: number[] = [];

  /** Appends one variant. */
  push(subs: readonly Substitution[]): void {
    for (const s of subs) {
      this.positions.push(s.position - 1);
      this.wtCodes.push(s.wt.charCodeAt(0));
      this.mtCodes.push(s.mt.charCodeAt(0));
    }
    this.offsets.push(this.positions.length);
  }

  build(): FlatSubstitutions {
    return {
      offsets: Int32Array.from(this.offsets),
      positions: Int32Array.from(this.positions),
      wtCodes: Uint8Array.from(this.wtCodes),
      mtCodes: Uint8Array.from(this.mtCodes),
    };
  }
}

/** The sequence of variant `v`: the wild type with its substitutions applied. */
export function flatMutatedSequence(wildType: string, f: FlatSubstitutions, v: number): string {
  const chars = wildType.split('');
  for (let k = f.offsets[v]!; k < f.offsets[v + 1]!; k++) chars[f.positions[k]!] = String.fromCharCode(f.mtCodes[k]!);
  return chars.join('');
}

/** The substitutions of the variants `idx`, in that order. */
export function flatSubset(f: FlatSubstitutions, idx: readonly number[]): FlatSubstitutions {
  const offsets = new Int32Array(idx.length + 1);
  let total = 0;
  idx.forEach((v, i) => {
    total += f.offsets[v + 1]! - f.offsets[v]!;
    offsets[i + 1] = total;
  });
  const positions = new Int32Array(total);
  const wtCodes = new Uint8Array(total);
  const mtCodes = new Uint8Array(total);
  idx.forEach((v, i) => {
    const from = f.offsets[v]!;
    const to = f.offsets[v + 1]!;
    positions.set(f.positions.subarray(from, to), offsets[i]);
    wtCodes.set(f.wtCodes.subarray(from, to), offsets[i]);
    mtCodes.set(f.mtCodes.subarray(from, to), offsets[i]);
  });
  return { offsets, positions, wtCodes, mtCodes };
}
