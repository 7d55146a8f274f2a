/**
 * Types shared by the coordinate parsers (`pdb.ts`, `structure-cif.ts`), the alignment onto a reference
 * sequence (`align.ts`), the contact maps (`contact-map.ts`) and the structure-set loader (`structure-set.ts`).
 */

/** Cartesian coordinates in Å. */
export type Vec3 = readonly [number, number, number];

/** One observed residue of the target chain (first model, one conformer per atom). */
export interface Residue {
  /** Author residue number (PDB columns 23-26, mmCIF `auth_seq_id`). */
  resSeq: number;
  /** Insertion code, `''` when none. */
  iCode: string;
  /** Residue name as written in the file (`MSE`, `ALA`...). */
  resName: string;
  /** One-letter code: the standard residue, the parent of a known modified residue, or `X`. */
  aa: string;
  /** True when the residue came from HETATM records (a modified residue inside the chain). */
  hetero: boolean;
  /** Heavy atoms by name (hydrogens dropped), one conformer each: the highest occupancy, ties to the first listed. */
  atoms: ReadonlyMap<string, Vec3>;
}

/** The target chain of one structure file. */
export interface ParsedChain {
  /** File name used in error messages. */
  file: string;
  /** Chain identifier (PDB column 22, mmCIF `auth_asym_id`). */
  chain: string;
  /** PDB id from the HEADER record or `_entry.id`, `''` when absent. */
  pdbId: string;
  format: 'pdb' | 'mmcif';
  /** Observed residues in file order. */
  residues: Residue[];
  /** One-letter codes of `residues`, concatenated. */
  sequence: string;
  /** SEQRES of the chain (PDB `SEQRES`, mmCIF `_pdbx_poly_seq_scheme`), `null` when the file has none. */
  seqres: string | null;
}

/** One chain of a structure set, placed on its reference sequence. */
export interface StructureEntry {
  /** Row id (`id` or `shiftx2_id` column, else the file name without extensions). */
  id: string;
  pdbId: string;
  chain: string;
  /** Path of the coordinate file relative to the structure folder, as the index names it. */
  file: string;
  /** SHA-256 (hex) of the coordinate file's bytes as stored (gzipped or not). */
  sha256: string;
  /** The reference sequence; every array below is indexed by its positions. */
  sequence: string;
  /** L: `sequence.length`. */
  length: number;
  /** 1 where the residue is observed with a Cβ position (real or virtual), else 0. */
  observed: Uint8Array;
  /** Number of 1s in `observed`. */
  nObserved: number;
  /** Cβ coordinates, `[x0, y0, z0, x1, ...]` (3L), NaN where unobserved. */
  cb: Float64Array;
  /** Contact map, row-major L*L: 1 where both residues are observed and Cβ-Cβ < threshold, else 0 (diagonal included). */
  contacts: Uint8Array;
}
