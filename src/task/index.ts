// Public API for task plugins. Re-exports only.
export type {
  TaskModule,
  TaskInfo,
  TaskContext,
  TaskOutcome,
  MetricInfo,
  MetricValue,
  ItemResult,
  DataFileInfo,
  Tier,
  ProgressReporter,
  Logger,
  ItemCache,
  ArtifactSink,
  BaselineSet,
} from './types.js';
export { TaskSkip } from './types.js';
export { TaskFailure } from './execute.js';
export { metricOverItems, meanOverItems } from './metric-value.js';
export { describeDataFile, bundledData } from './data-files.js';
