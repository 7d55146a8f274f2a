/**
 * The linear-probe protocol the fold and secondary-structure tasks share (TAPE: train on train, select
 * the penalty on validation, report on test). Each task adds its own model, features, selection and
 * tolerance wording; the numbers live here so the two cannot drift apart.
 */
export const LINEAR_PROBE = {
  Cs: [1e-3, 1e-2, 1e-1, 1, 10],
  grid: "one value per decade; the probe module's default grid without 1e-4 (with ~10^3 or more training rows it leaves an intercept-only probe) and 100 (practically unpenalised)",
  gradTol: 1e-3,
  maxIter: 1000,
  patience: 2,
} as const;

/** `fitWithValidation` options of `LINEAR_PROBE`: standardized features, log-loss tie-break. */
export const LINEAR_PROBE_OPTIONS = {
  standardize: true,
  Cs: LINEAR_PROBE.Cs,
  gradTol: LINEAR_PROBE.gradTol,
  maxIter: LINEAR_PROBE.maxIter,
  patience: LINEAR_PROBE.patience,
  tieBreak: 'log-loss',
} as const;
