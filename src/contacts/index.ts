// Public API of src/contacts: residue pairs and attention-derived contact features shared by tasks. Re-exports only.
export { MIN_SEPARATION, pairCount, rowStart, pairIndex, forEachWindowPair, forEachPair, mapCount, apcFeatures } from './pairs.js';
export type { AttentionBlock } from './pairs.js';
export { meanApcScores } from './mean-apc.js';
