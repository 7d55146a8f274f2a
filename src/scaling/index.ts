// Public API of src/scaling: compute accounting, scaling laws, baseline registry, matched compute. Re-exports only.
export type * from './types.js';
export { trainingCompute, checkCardCompute, type ComputeCard, type CardStage } from './compute.js';
export { loadScalingLaws, loadLawSets, lawSpread, nOpt, dOpt, frontierPositions, sci } from './laws.js';
export { loadBaselineRegistry, registryCompute } from './registry.js';
export { interpolateAtCompute, interpolateItem, interpolationWeight } from './interpolate.js';
export { matchedCompute, familyComputeRanges, MATCHED_METHOD, MATCHED_INTERVALS } from './matched.js';
export {
  loadRegisteredRuns,
  saveRegisteredRuns,
  registeredFromRun,
  registeredMismatch,
  registeredRunsPath,
  type RegisteredRun,
  type RegisteredRuns,
  type RegisteredTask,
} from './registered.js';
export {
  readRunFile,
  okTasks,
  finite,
  itemValues,
  recordedDirection,
  taskOptions,
  protocolDifference,
  taskDifference,
  type RunFile,
  type OkTask,
  type TaskDifference,
  type TaskSide,
} from './runs.js';
export { displayPath } from './data-files.js';
