// The pair indexing and APC features moved to src/contacts (shared with the generation task); this file keeps
// the task's former module path working. Re-exports only.
export { MIN_SEPARATION, pairCount, rowStart, pairIndex, forEachPair, mapCount, apcFeatures } from '../../src/contacts/index.js';
export type { AttentionBlock } from '../../src/contacts/index.js';
