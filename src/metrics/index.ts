// Public API of src/metrics: pure functions on arrays. Re-exports only.
export type { NumericArray, BootstrapOptions, BootstrapResult, PairedBootstrapResult } from './types.js';
export { sum, mean, median, quantile, percentile } from './summary.js';
export { ranks } from './ranks.js';
export { pearson, spearman } from './correlation.js';
export { aucRoc } from './auc.js';
export { mcc } from './mcc.js';
export { accuracy, topKAccuracy, precisionAtK } from './classification.js';
export { perplexityFromNll } from './perplexity.js';
export { proteingymAuc, proteingymMcc, proteingymNdcg, proteingymTopRecall, proteingymMetrics, proteingymRound } from './proteingym.js';
export type { ProteinGymMetrics } from './proteingym.js';
export { bootstrapCI, pairedBootstrapMeanDiff } from './bootstrap.js';
