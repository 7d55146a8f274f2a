/** Training objective of a protein language model. */
export type Objective = 'mlm' | 'clm';

/** The range a law was fitted on ([low, high]); outside it N_opt(C) and the ratios are extrapolations. */
export interface FittedRange {
  /** Non-embedding parameters of the points the law was fitted on (flagship models left out). */
  params: [number, number];
  /** Training compute (FLOPs) of those points. */
  flops: [number, number];
  source: string;
}

/** One compute-optimal law: N_opt = A * C^a, D_opt = B * C^b (one objective of a set in results/baselines/scaling-laws.json). */
export interface ScalingLaw {
  title: string;
  A: number;
  a: number;
  B: number;
  b: number;
  source: string;
  fittedRange: FittedRange;
  checks: { model: string; params: number; flops: number; source: string }[];
}

/** One set of laws (both objectives) from one source, as selected for a run. */
export interface ScalingLaws {
  /** Id of the set (`cheng2024-released`, ...): what --law and the card's `scalingLaw` name. */
  id: string;
  title: string;
  source: string;
  provenance: string;
  compute: string;
  laws: Record<Objective, ScalingLaw>;
  /** Path of the data file, relative to the package root, and its sha256. */
  file: string;
  sha256: string;
}

/** Every set of results/baselines/scaling-laws.json, and the default one. */
export interface LawSets {
  default: string;
  defaultReason: string;
  compute: string;
  sets: ScalingLaws[];
  file: string;
  sha256: string;
}

/** N/N_opt of a model under every law set, for one objective: how much the frontier position depends on the law. */
export interface LawSpread {
  objective: Objective;
  primary: boolean;
  byLaw: { law: string; nOpt: number; nRatio: number; dRatio: number | null; outsideFittedRange: boolean }[];
  nRatioMin: number;
  nRatioMax: number;
  /** nRatioMax / nRatioMin: 1 when the laws agree. */
  factor: number;
}

/** Where the parameter count N used for compute came from. */
export type ParamsSource = 'card.params' | 'counted' | 'registry';

/** One training stage of a card (`stages`), and its compute as accounted. */
export interface TrainingStage {
  objective: Objective;
  tokens: number | null;
  flops: number;
  /** `card.flops` (the stage gives its FLOPs) or `6ND` (6 x N x the stage's tokens). */
  flopsSource: 'card.flops' | '6ND';
  note?: string;
}

/** A model's training compute as the harness accounts it. */
export interface ModelCompute {
  /** Training FLOPs, or null when neither `trainFlops`, `trainTokens` nor `stages` is known. */
  flops: number | null;
  /**
   * `card.trainFlops` (given), `6ND` (computed from the card), `card.stages` (the sum of the card's
   * training stages), or `registry` (models.json facts of a registered baseline).
   */
  flopsSource: 'card.trainFlops' | '6ND' | 'card.stages' | 'registry' | null;
  /**
   * [low, high] training FLOPs where the compute is only known within a range (the card's
   * `trainFlopsRange`, a registry model's `trainFlops.range`); absent when known exactly.
   */
  flopsRange?: [number, number];
  /** Non-embedding parameters N. */
  params: number;
  paramsSource: ParamsSource;
  /** Training tokens D: the card's, the stages' sum, or trainFlops / (6N) when only FLOPs are given. */
  tokens: number | null;
  tokensSource: 'card.trainTokens' | 'trainFlops/(6N)' | 'card.stages' | 'registry' | null;
  /** The card's training stages in order (multi-stage training, e.g. CLM then MLM); compute is their sum. */
  stages?: TrainingStage[];
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
  architecture?: {
    layers: number;
    width: number;
    ffn: number;
    heads: number;
    vocab: number;
    positions: string;
    lmHead: string;
    source: string;
  };
  params: Fact & { nonEmbedding: number | null; total: number | null };
  /** `range`: [low, high] where only a range is known (the value lies inside it). */
  trainTokens: Fact & { value: number | null; range?: [number, number] };
  trainFlops: Fact & { value: number | null; range?: [number, number] };
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
  /** [low, high] compute where the point's compute is only known within a range (registry `trainFlops.range`). */
  flopsRange?: [number, number];
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
  /** Compute range of the family curve used, [lowest, highest] point (point estimates of their compute). */
  familyRange: [number, number];
  /**
   * Where the model's compute lies outside `familyRange`: on which side, by how many decades of compute
   * (|log10(C_model / C_nearest)|), and the nearest point. null inside the range. Outside it the verdict
   * is `out-of-range`: the baseline value shown is the nearest point's, for orientation only.
   */
  computeGap: { side: 'below' | 'above'; decades: number; nearest: string } | null;
  /**
   * The verdict under the compute intervals: the model's [low, high] compute (its card's
   * trainFlopsRange, else exact) and the curve with every point at the low or high end of its compute
   * range (registry trainFlops.range). One scenario per combination; `uncertain` when any differs from the
   * point-estimate verdict. null when no compute involved has a range.
   */
  computeInterval: { model: [number, number]; scenarios: { model: number; baseline: 'low' | 'point' | 'high'; verdict: Verdict }[] } | null;
  /** The baseline set's scoring protocol and this run's, when the task records them (BaselineSet.protocol). */
  protocol?: { baseline: string; run: string; same: boolean };
  /**
   * better / worse / indistinguishable: a real comparison at matched compute. uncertain: the verdict
   * flips inside the model's or the baseline's training-compute interval. out-of-range: the model's
   * compute is outside the family's compute range (no verdict). protocol-differs: the baseline was
   * scored with another protocol than this run (no verdict). not-comparable: published numbers on other
   * data, or same-data numbers on other items (smoke tier).
   */
  verdict: Verdict;
  /** Why the verdict, in words (the gap, the protocols, the tier, the flipping scenario). */
  verdictReason: string;
}

/** A family's compute range (its curve points with known compute) and where the model's compute lies. */
export interface FamilyRange {
  family: string;
  range: [number, number];
  /** The range's ends allowing for the points' compute ranges (lowest low, highest high). */
  rangeWithIntervals: [number, number];
  side: 'below' | 'inside' | 'above';
  /** Decades from the nearest end (0 inside). */
  decades: number;
  text: string;
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
  /** 2: verdicts only inside a family's compute range, computeGap / computeInterval / verdictReason, law sets and their spread. */
  version: 2;
  method: string;
  intervals: string;
  model: {
    objective: Objective;
    compute: ModelCompute;
    /** Id of the law set the frontier uses (--law, the card's scalingLaw, else the default). */
    law: string;
    frontier: FrontierPosition[];
    /** N/N_opt under every law set, per objective: how much it moves between the laws. */
    lawSpread: LawSpread[];
    /** The model's compute against each family's compute range (the families with a curve point), in words and numbers. */
    families: FamilyRange[];
  };
  data: {
    registry: { file: string; sha256: string };
    laws: { file: string; sha256: string };
    registeredRuns: { file: string; sha256: string | null; count: number };
  };
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
