import type { ModelHandle } from '../model/model.js';
import type { Need } from '../model/contract.js';
import type { CachedArray } from '../cache/store.js';
import type { ShardMode } from '../model/shard-plan.js';
import type { Rng } from '../util/rng.js';

export type Tier = 'smoke' | 'full';

/** A task plugin: one folder under `tasks/` whose `index.ts` default-exports this. */
export interface TaskModule {
  /** The folder name. */
  name: string;
  /** Bump when data, protocol or metric change; recorded in every result. */
  version: string;
  /** What the model must provide; a model lacking one gets the task `skipped` with the reason. */
  needs: Need[];
  /** Alternative needs: the task runs when the model has all of `needs` and at least one of each group. */
  needsAnyOf?: Need[][];
  describe(): TaskInfo;
  /**
   * How a sharded run (`--shard i/n`) divides this task (src/model/shard-plan.ts). Default `split`:
   * its forward passes go to the shards, which needs requests that do not depend on earlier outputs.
   * `whole`: one shard runs it and keeps its per-item cache for the merge. `merge`: the merge runs it
   * (e.g. sampling, whose next requests depend on the last outputs).
   */
  sharding?: ShardMode;
  /**
   * Optional: reads and validates the user's data and options before any task runs, so bad input
   * stops the run at once (exit 2) instead of after the tasks before it. Must not run the model.
   */
  check?(ctx: TaskContext): void | Promise<void>;
  run(ctx: TaskContext): Promise<TaskOutcome>;
}

export interface MetricInfo {
  name: string;
  higherIsBetter: boolean;
  description: string;
}

export interface DataFileInfo {
  /** Path relative to the task folder (bundled data) or as given by the user (`--data`). */
  file: string;
  sha256: string;
  rows: number;
}

export interface TaskInfo {
  title: string;
  /** The metric a leaderboard ranks by. */
  headline: string;
  metrics: MetricInfo[];
  /** Bundled data files with their hashes and row counts (checked by the contract test). */
  data: DataFileInfo[];
  tiers: Record<Tier, string>;
  /** Options accepted through `--option <task>.<key>=<value>`. */
  options?: { key: string; values: string; default: string; description: string }[];
}

export interface MetricValue {
  value: number;
  /** 95% bootstrap interval over items; null when fewer than 2 items. */
  ci95: [number, number] | null;
  /** Number of items the value is computed over. */
  n: number;
}

export interface ItemResult {
  id: string;
  /** Size of the item (variants of an assay, residues of a protein...), as the task defines. */
  n: number;
  metrics: Record<string, number | null>;
  /** Small item-level details (baseline values, windowing...), free-form. */
  extra?: Record<string, unknown>;
}

/** What a task's `run` returns; the harness adds version, status and cost. */
export interface TaskOutcome {
  metrics: Record<string, MetricValue>;
  items: ItemResult[];
  /** The protocol actually used: strategy, window policy, sequences windowed, settings, seeds. */
  protocol: Record<string, unknown>;
  /** Data files actually read (bundled or the user's), with hashes and row counts. */
  data: DataFileInfo[];
  /** Further task-specific results (published baselines, controls...). */
  extra?: Record<string, unknown>;
  /** The headline metric when it depends on the model (e.g. perplexity vs pseudo-perplexity). */
  headline?: string;
  /** Scores of reference models (ESM-2, ProGen2...) for matched-compute comparisons. */
  baselines?: BaselineSet[];
}

/**
 * Scores of baseline models next to this task's metrics. `same-data`: computed on exactly this run's
 * items and aggregated as the model's metric is (e.g. ProteinGym's per-assay values of ESM-2 on the
 * assays scored here). `published`: a headline number on other data (e.g. ESM-2 contact precision on
 * CASP14), shown for orientation and never mixed with same-data values without saying so.
 */
export interface BaselineSet {
  kind: 'same-data' | 'published';
  /** Where the numbers come from (paper, file, commit). */
  source: string;
  description: string;
  /** Baseline model id (as in results/baselines/models.json) -> metric name -> value. */
  scores: Record<string, Record<string, number | null>>;
  /** Same-data only: baseline model id -> item id -> metric -> value, for paired comparisons. */
  items?: Record<string, Record<string, Record<string, number | null>>>;
  /**
   * The scoring protocol the baseline numbers were produced with, and whether this run used the same
   * one. A matched-compute comparison against a set whose `same` is false gets no verdict
   * (`protocol-differs`). Absent: the task makes no claim (treated as the same protocol).
   */
  protocol?: { baseline: string; run: string; same: boolean };
}

export interface ProgressReporter {
  /** A named phase of `total` steps; `tick` advances it. */
  phase(label: string, total: number): { tick(n?: number): void; set(done: number): void; end(): void };
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Per-item results a task wants to keep across runs (e.g. contact features of a protein). */
export interface ItemCache {
  get(key: string): CachedArray | undefined;
  put(key: string, value: CachedArray): void;
}

export interface TaskContext {
  model: ModelHandle;
  /** A second model (e.g. `--ref-model` for generation), when given. */
  refModel: ModelHandle | null;
  cache: ItemCache;
  /** Seeded stream for this task only (derived from the run seed and the task name). */
  rng: Rng;
  seed: number;
  tier: Tier;
  /** `--option <task>.<key>=<value>` values for this task. */
  options: Record<string, string>;
  /** `--data <task>=<path>`: the user's data instead of the bundled data; null for bundled. */
  dataPath: string | null;
  /** The task's own folder (for its bundled `data/`). */
  taskDir: string;
  /** Files written next to the result (e.g. generated sequences), once the result is valid. */
  artifacts: ArtifactSink;
  progress: ProgressReporter;
  log: Logger;
}

export interface ArtifactSink {
  /** Adds a file named `<result basename>.<name>` beside the result JSON. */
  add(name: string, content: string): void;
}

/** Thrown by a task to be reported as skipped (e.g. an option the model cannot serve). */
export class TaskSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TaskSkip';
  }
}
