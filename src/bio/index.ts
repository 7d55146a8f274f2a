// Public API of src/bio: sequences, structures, contact maps, alignment, mutants. Re-exports only.
export { parseFasta, readFasta, formatFasta } from './fasta.js';
export type { FastaRecord } from './fasta.js';
export {
  parsePdb,
  parseStructure,
  parseStructureText,
  readStructureFile,
  readStructureBytes,
  decodeStructureBytes,
  looksLikeMmcif,
  chainBreaks,
} from './pdb.js';
export { parseMmcif } from './structure-cif.js';
export type { ParsedChain, Residue, Vec3, StructureEntry } from './structure-types.js';
export { STANDARD_RESIDUES, MODIFIED_RESIDUES, residueLetter } from './structure-residues.js';
export { loadStructureSet, loadStructureChain, buildStructureEntry } from './structure-set.js';
export type { StructureLoadOptions, StructureSet } from './structure-set.js';
export {
  CONTACT_THRESHOLD,
  virtualCb,
  esmCb,
  residueCb,
  cbCoordinates,
  cbDistances,
  contactMap,
  SEPARATION_BANDS,
  separationBand,
  contactStats,
  contactPairs,
} from './contact-map.js';
export type { CbCoordinates, ContactBand, BandStats, VirtualCbMode } from './contact-map.js';
export { globalAlign, globalIdentity, placeOnReference, PAIR, GAP_IN_A, GAP_IN_B } from './align.js';
export type { PairAlignment, GlobalAlignOptions, IdentityOptions, PlacementOptions, Placement } from './align.js';
