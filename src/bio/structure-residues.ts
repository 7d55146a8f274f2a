/**
 * Residue names to one-letter codes.
 *
 * The 20 standard amino acids, plus a small map of common modified residues to their parent (the
 * parents follow the wwPDB Chemical Component Dictionary, `mon_nstd_parent_comp_id`). A file's own
 * MODRES records (PDB) extend the map for that file. Names in none of these are unknown: an ATOM
 * record with an unknown name is a polymer residue coded `X`; a HETATM record with an unknown name is
 * treated as a ligand and skipped (see `pdb.ts`), so its position on the reference stays unobserved.
 */

export const STANDARD_RESIDUES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ALA: 'A',
    ARG: 'R',
    ASN: 'N',
    ASP: 'D',
    CYS: 'C',
    GLN: 'Q',
    GLU: 'E',
    GLY: 'G',
    HIS: 'H',
    ILE: 'I',
    LEU: 'L',
    LYS: 'K',
    MET: 'M',
    PHE: 'F',
    PRO: 'P',
    SER: 'S',
    THR: 'T',
    TRP: 'W',
    TYR: 'Y',
    VAL: 'V',
  }),
);

/** Modified and non-standard residues seen often in PDB chains, by their parent's one-letter code. */
export const MODIFIED_RESIDUES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // selenium and the 21st/22nd amino acids
    MSE: 'M',
    SEC: 'U',
    PYL: 'O',
    // phosphorylation
    SEP: 'S',
    TPO: 'T',
    PTR: 'Y',
    // cysteine oxidation and adducts
    CSO: 'C',
    CSD: 'C',
    CME: 'C',
    OCS: 'C',
    CAS: 'C',
    CSX: 'C',
    SCH: 'C',
    SMC: 'C',
    // lysine modifications
    KCX: 'K',
    LLP: 'K',
    MLY: 'K',
    M3L: 'K',
    ALY: 'K',
    // others
    HYP: 'P',
    PCA: 'Q',
    CGU: 'E',
    HIC: 'H',
    FME: 'M',
    CXM: 'M',
    TYS: 'Y',
    TRQ: 'W',
    MEN: 'N',
    MLE: 'L',
    NLE: 'L',
    MVA: 'V',
    ABA: 'A',
    AIB: 'A',
    SAR: 'G',
    // force-field protonation names written by simulation tools
    HID: 'H',
    HIE: 'H',
    HIP: 'H',
    HSD: 'H',
    HSE: 'H',
    HSP: 'H',
    CYX: 'C',
    ASH: 'D',
    GLH: 'E',
    LYN: 'K',
    // ambiguous and unknown
    ASX: 'B',
    GLX: 'Z',
    UNK: 'X',
  }),
);

/**
 * One-letter code of a residue name, or `undefined` when the name is neither standard, nor in
 * `MODIFIED_RESIDUES`, nor in `extra` (a file's MODRES map, name -> parent one-letter code).
 */
export function residueLetter(resName: string, extra?: ReadonlyMap<string, string>): string | undefined {
  const name = resName.trim().toUpperCase();
  return STANDARD_RESIDUES.get(name) ?? MODIFIED_RESIDUES.get(name) ?? extra?.get(name);
}
