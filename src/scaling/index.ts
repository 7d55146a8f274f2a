// Public API of src/scaling: compute accounting, scaling laws, baseline registry, matched compute. Re-exports only.
export type * from './types.js';
export { trainingCompute, type ComputeCard } from './compute.js';
export { loadScalingLaws, nOpt, dOpt, frontierPositions, fittedRangeNote, LAWS_FILE } from './laws.js';
export { loadBaselineRegistry, registryModel, REGISTRY_FILE } from './registry.js';
export { interpolateAtCompute, interpolateItem, interpolationWeight } from './interpolate.js';
export { matchedCompute, MATCHED_METHOD, MATCHED_INTERVALS, type MatchedComputeOptions } from './matched.js';
export {
  loadRegisteredRuns, saveRegisteredRuns, registeredFromRun, registeredMismatch, registeredRunsPath, REGISTERED_FILE,
  type RegisteredRun, type RegisteredRuns, type RegisteredTask,
} from './registered.js';
export {
  readRunFile, okTasks, dataDifference, itemValues, recordedDirection, taskOptions, formatOptions, sameOptions, tierSeedDifference,
  protocolDecision, protocolDifference, PROTOCOL_DECISIONS, type RunFile, type OkTask,
} from './runs.js';
export { baselinesDir, displayPath } from './data-files.js';
