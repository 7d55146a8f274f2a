/** Training objective of a protein language model. */
export type Objective = 'mlm' | 'clm';

/** One compute-optimal law: N_opt = A * C^a, D_opt = B * C^b (results/baselines/scaling-laws.json). */
export interface ScalingLaw {
  title: string;
  A: number;
  a: number;
  B: number;
  b: number;
  checks: { model: string; params: number; flops: number; source: string }[];
}

/** The range the laws were fitted on ([low, high]); outside it N_opt(C) and the ratios are extrapolations. */
export interface FittedRange {
  /** Non-embedding parameters of the models the laws were fitted on. */
  params: [number, number];
  /** Training compute (FLOPs) of the fits (the IsoFLOP budgets). */
  flops: [number, number];
  source: string;
  note: string;
}

export interface ScalingLaws {
  source: string;
  provenance: string;
  compute: string;
  fittedRange: FittedRange;
  laws: Record<Objective, ScalingLaw>;
  /** Path of the data file, relative to the package root, and its sha256. */
  file: string;
  sha256: string;
}

/** Where the parameter count N used for compute came from. */
export type ParamsSource = 'card.params' | 'counted' | 'registry';

/** A model's training compute as the harness accounts it. */
export interface ModelCompute {
  /** Training FLOPs, or null when neither `trainFlops` nor `trainTokens` is known. */
  flops: number | null;
  /** `card.trainFlops` (given), `6ND` (computed from the card), or `registry` (models.json facts of a registered baseline). */
  flopsSource: 'card.trainFlops' | '6ND' | 'registry' | null;
  /** Non-embedding parameters N. */
  params: number;
  paramsSource: ParamsSource;
  /** Training tokens D: the card's, or trainFlops / (6N) when only FLOPs are given. */
  tokens: number | null;
  tokensSource: 'card.trainTokens' | 'trainFlops/(6N)' | 'registry' | null;
  /** Why `flops` is null. */
  reason?: string;
}

/** Distance of a model from one law's compute-optimal frontier at its compute. */
export interface FrontierPosition {
  objective: Objective;
  /** Whether this law is the one of the model's own objective. */
  primary: boolean;
  nOpt: number;
  dOpt: number;
  /** N / N_opt(C): above 1, larger than compute-optimal (under-trained); below 1, smaller. */
  nRatio: number;
  /** D / D_opt(C), null when D is unknown. */
  dRatio: number | null;
  /**
   * C outside the laws' fitted compute range, or N_opt(C) outside their fitted parameter range
   * (scaling-laws.json fittedRange): N_opt, D_opt and the ratios are extrapolations. Absent in runs
   * written before it was recorded.
   */
  outsideFittedRange: boolean;
  /** Why, when outside (which side, by how many decades). */
  rangeNote?: string;
}

/** A fact of the registry with its source and whether it is an estimate. */
export interface Fact {
  source: string;
  estimate: boolean;
  reason?: string;
  derivation: string;
}

export interface PublishedScore {
  benchmark: string;
  metric: string;
  value: number;
  kind: 'published';
  source: string;
  description: string;
  appliesTo: { task: string; metric: string }[];
}

/** One model of results/baselines/models.json. */
export interface BaselineModel {
  id: string;
  family: string;
  title: string;
  checkpoint?: string;
  /** false: shown next to the family, never a point of its compute curve. */
  interpolate: boolean;
  note?: string;
  architecture?: { layers: number; width: number; ffn: number; heads: number; vocab: number; positions: string; lmHead: string; source: string };
  params: Fact & { nonEmbedding: number | null; total: number | null };
  trainTokens: Fact & { value: number | null };
  trainFlops: Fact & { value: number | null };
  published: PublishedScore[];
}

export interface BaselineFamily {
  title: string;
  objective: Objective | null;
  source: string;
}

export interface BaselineRegistry {
  source: string;
  conventions: Record<string, string>;
  families: Record<string, BaselineFamily>;
  models: BaselineModel[];
  file: string;
  sha256: string;
}

/** A point of a family's compute curve: a baseline model's score on one task metric. */
export interface CurvePoint {
  id: string;
  flops: number;
  score: number;
  /** Per-item values of the metric (item id -> value), when the source has them. */
  items?: Record<string, number | null>;
}

/** The baseline score interpolated at a compute value. */
export interface Interpolated {
  value: number;
  lower: CurvePoint;
  upper: CurvePoint;
  /** Weight of `upper` in log10 C (0 at `lower`, 1 at `upper`). */
  weight: number;
  /** Outside the family's range: the nearest point is used and this says on which side. */
  clamped: 'below' | 'above' | null;
}

/** Kind of a baseline score: on this run's very items, or a headline number on other data. */
export type BaselineKind = 'same-data' | 'published';

/** How the interval of a matched-compute delta was obtained. */
export type DeltaInterval = 'paired-bootstrap-items' | 'model-ci-shifted' | 'none';

/** Model metric minus the family's score interpolated at the model's compute. */
export interface Comparison {
  task: string;
  metric: string;
  higherIsBetter: boolean | null;
  family: string;
  /** The family's objective is the model's. */
  primary: boolean;
  kind: BaselineKind;
  /** `registered` (runs added with bench baseline add), `task` (the task's BaselineSet) or `registry` (published scores in models.json). */
  origin: 'registered' | 'task' | 'registry';
  source: string;
  description: string;
  /** Every point of the family curve used (sorted by compute). */
  curve: { id: string; flops: number; score: number }[];
  lower: { id: string; flops: number; score: number };
  upper: { id: string; flops: number; score: number };
  weight: number;
  clamped: 'below' | 'above' | null;
  baseline: number;
  model: { value: number; ci95: [number, number] | null; n: number };
  delta: number;
  deltaCi95: [number, number] | null;
  interval: DeltaInterval;
  intervalNote: string;
  /**
   * better / worse: the interval excludes 0 in that direction; indistinguishable: it contains 0.
   * not-comparable: a published baseline (a headline number on other data): delta and interval are
   * shown for orientation only and are not a result.
   */
  /**
   * better / worse / indistinguishable: a real comparison at matched compute. uncertain: the verdict
   * flips inside the model's or the baseline's training-compute interval. out-of-range: the model's
   * compute is outside the family's compute range (no verdict). protocol-differs: the baseline was
   * scored with another protocol than this run (no verdict). not-comparable: published numbers on other
   * data, or same-data numbers on other items (smoke tier).
   */
  verdict: Verdict;
}

export interface Unavailable {
  task: string;
  metric: string | null;
  family: string;
  reason: string;
}

/** A baseline score shown next to a metric but never interpolated (no compute, or off the family curve). */
export interface Reference {
  task: string;
  metric: string;
  id: string;
  score: number;
  kind: BaselineKind;
  source: string;
}

/** The `matchedCompute` object of a run result and of a leaderboard entry. */
export interface MatchedComputeReport {
  version: 1;
  method: string;
  intervals: string;
  model: {
    objective: Objective;
    compute: ModelCompute;
    frontier: FrontierPosition[];
  };
  data: { registry: { file: string; sha256: string }; laws: { file: string; sha256: string }; registeredRuns: { file: string; sha256: string | null; count: number } };
  comparisons: Comparison[];
  references: Reference[];
  unavailable: Unavailable[];
  notes: string[];
}

export type Verdict =
  | 'better'
  | 'worse'
  | 'indistinguishable'
  | 'uncertain'
  | 'out-of-range'
  | 'protocol-differs'
  | 'no-interval'
  | 'direction-unknown'
  | 'not-comparable';
