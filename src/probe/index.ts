export type {
  L1BinaryModel,
  L1BinaryOptions,
  Labels,
  Matrix,
  Matrix64,
  MultinomialModel,
  MultinomialOptions,
  ObjectiveFn,
  OptimizerOptions,
  OptimizerReport,
  Preconditioner,
  RidgeModel,
  RidgeOptions,
  Standardizer,
  StopReason,
  ValidationOptions,
  ValidationResult,
  ValidationScore,
} from './types.js';
export { matrix } from './matrix.js';
export { applyStandardizer, fitStandardizer } from './standardize.js';
export { OPTIMIZER_DEFAULTS, minimizeLbfgs } from './lbfgs.js';
export { minimizeOwlqn } from './owlqn.js';
export { centeringPreconditioner } from './precondition.js';
export { accuracy, decisionFunction, fitMultinomial, multinomialObjective, predict, predictProba, predictTopK } from './multinomial.js';
export { DEFAULT_C_GRID, fitWithValidation, logLoss } from './validation.js';
export { binaryLogisticObjective, fitL1Binary, predictProbaBinary } from './l1.js';
export { fitRidge, predictRidge } from './ridge.js';
export { LINEAR_PROBE, LINEAR_PROBE_OPTIONS } from './protocol.js';
