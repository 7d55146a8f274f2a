/**
 * How contacts and L are defined when a chain is scored: the convention of ESM's evaluation (the default, the one
 * behind ESM-2's published P@L) or the SEQRES convention of this task's version 1.0.0.
 */
import type { StructureEntry, VirtualCbMode } from '../../src/bio/index.js';

export const CONVENTIONS = ['esm', 'seqres'] as const;
export type Convention = (typeof CONVENTIONS)[number];

/** The convention ESM-2's published P@L numbers were computed with: a comparison with them is like for like only under it. */
export const PUBLISHED_CONVENTION: Convention = 'esm';

export const ESM_EVALUATION_SOURCE =
  'facebookresearch/esm @ 2b369911bb5b4b0dda914521b9475cad1656b2ac, examples/contact_prediction.ipynb: contacts_from_pdb (Cβ = extend(C, N, CA, 1.522, 1.927, -2.143) for every residue, contact = distance < 8 Å) and compute_precisions (override_length = (targets[0, 0] >= 0).sum(): L = the residues with coordinates)';

export interface ConventionInfo {
  /** Which residues get a virtual Cβ (src/bio contact-map.ts). */
  virtualCb: VirtualCbMode;
  contact: string;
  length: string;
  source: string;
}

export const CONVENTION_INFO: Record<Convention, ConventionInfo> = {
  esm: {
    virtualCb: 'esm',
    contact:
      "Cβ-Cβ distance < 8 Å, the Cβ of every residue ESM's virtual one, extend(C, N, CA, 1.522 Å, 1.927 rad, -2.143 rad) (real CB atoms unused); a residue without all of N, CA, C is unobserved",
    length:
      "L = the number of observed residues (ESM's override_length), for P@L, P@L/2, P@L/5; pairs keep their separation in the reference (SEQRES) sequence, which the model reads; TAPE's P@L/5 keeps L = the reference length",
    source: ESM_EVALUATION_SOURCE,
  },
  seqres: {
    virtualCb: 'missing',
    contact:
      'Cβ-Cβ distance < 8 Å, the real CB atom where there is one, the virtual Cβ from N, CA, C (trRosetta constants) for glycine and residues without CB',
    length:
      "L = the chain's reference (SEQRES) length, the sequence the model reads; unobserved residues are read by the model but their pairs are not scored",
    source: 'this task before version 1.1.0',
  },
};

/** The L of P@L under a convention. */
export function lengthForK(entry: Pick<StructureEntry, 'length' | 'nObserved'>, convention: Convention): number {
  return convention === 'esm' ? entry.nObserved : entry.length;
}
