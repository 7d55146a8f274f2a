import { existsSync } from 'node:fs';
import { BenchError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { serializeValidated } from '../util/schema.js';
import type { MetricValue, DataFileInfo } from '../task/types.js';
import type { RunResult } from '../task/run.js';
import { trainingCompute } from './compute.js';
import { displayPath, readJsonData } from './data-files.js';
import { defaultRegisteredRunsFile } from '../util/paths.js';
import { registryCompute, registryModel } from './registry.js';
import { cardObjective, okTasks, taskDifference, taskOptions, type OkTask } from './runs.js';
import type { BaselineRegistry, ModelCompute, Objective } from './types.js';

/** The store of registered baseline runs: --registry, else src/util/paths.ts decides (never the install folder). */
export function registeredRunsPath(override?: string): string {
  return override ?? defaultRegisteredRunsFile();
}

/** One task of a registered run: what same-data comparisons need. */
export interface RegisteredTask {
  version: string;
  data: DataFileInfo[];
  headline: string;
  metrics: Record<string, MetricValue & { higherIsBetter?: boolean }>;
  /** item id -> metric -> value. */
  items: Record<string, Record<string, number | null>>;
  /**
   * The task's options in the run (`settings.options[task]`, normalised: sorted keys, string values;
   * `{}` when none). Absent in stores written before it was recorded: such an entry is never same-data.
   */
  options?: Record<string, string>;
  /** item id -> the item's n (variants, residues, pairs... scored). Absent in older stores, as `options`. */
  itemN?: Record<string, number>;
}

/** A baseline registered from a run of its ONNX export through this harness (bench baseline add). */
export interface RegisteredRun {
  id: string;
  family: string;
  objective: Objective;
  compute: ModelCompute;
  /** `registry`: the id is a models.json model and its compute facts are used; `card`: the run's card. */
  computeSource: 'registry' | 'card';
  model: { sha256: string; card: Record<string, unknown> };
  run: { runId: string; fileSha256: string; tier: 'smoke' | 'full'; seed: number; harness: { version: string; commit: string | null } };
  tasks: Record<string, RegisteredTask>;
}

export interface RegisteredRuns {
  file: string;
  /** null when the store does not exist yet (no registered runs). */
  sha256: string | null;
  runs: RegisteredRun[];
}

interface StoreJson {
  schemaVersion: 1;
  source: string;
  runs: RegisteredRun[];
}

/** The registered runs; a missing store is an empty one. */
export function loadRegisteredRuns(path = registeredRunsPath()): RegisteredRuns {
  if (!existsSync(path)) return { file: displayPath(path), sha256: null, runs: [] };
  const { data, sha256, file } = readJsonData<StoreJson>(path, 'baseline-runs', 'registered baseline runs');
  return { file, sha256, runs: data.runs };
}

/** Writes the store (validated, sorted by id, deterministic bytes, atomic). */
export function saveRegisteredRuns(path: string, runs: RegisteredRun[]): void {
  const store: StoreJson = {
    schemaVersion: 1,
    source:
      'Runs of baseline models exported to ONNX and run through plmbench, registered with `bench baseline add run.json`; same-data baselines for every task whose version, data hashes, tier (and smoke-tier seed), options, items and per-item n match.',
    runs: [...runs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  const text = serializeValidated(
    'baseline-runs',
    store,
    (errors) => new BenchError('E_RESULT', `${path}: registered runs would be invalid: ${errors.slice(0, 5).join('; ')}`),
  );
  writeFileAtomic(path, text);
}

/**
 * A registered-run entry from a run result. The id defaults to the card's id. A registry id
 * (esm2-650m...) takes the registry's family and compute facts; another id needs a family (flag or
 * card) and compute from its card.
 */
export function registeredFromRun(
  run: RunResult,
  fileSha256: string,
  registry: BaselineRegistry,
  opts: { id?: string; family?: string },
): RegisteredRun {
  const card = run.model.card as { id?: string; family?: string; params?: number; trainTokens?: number; trainFlops?: number };
  const id = opts.id ?? card.id;
  if (!id) throw new BenchError('E_USAGE', "the run's card has no id; give --id");
  const known = registryModel(registry, id);
  const objective = cardObjective(run);
  let compute: ModelCompute;
  let family: string;
  let computeSource: 'registry' | 'card';
  if (known) {
    const fam = registry.families[known.family]!;
    if (fam.objective !== objective)
      throw new BenchError(
        'E_RESULT',
        `--id ${id}: the registry's ${id} is ${fam.objective ?? 'not a language model'}, the run's card says ${objective}`,
      );
    if (opts.family && opts.family !== known.family)
      throw new BenchError('E_USAGE', `--family ${opts.family}: ${id} belongs to family ${known.family} in the registry`);
    const fromRegistry = registryCompute(known);
    if (!fromRegistry) throw new BenchError('E_RESULT', `--id ${id}: the registry has no compute for this model`);
    family = known.family;
    computeSource = 'registry';
    compute = fromRegistry;
  } else {
    const f = opts.family ?? card.family;
    if (!f)
      throw new BenchError(
        'E_USAGE',
        `${id} is not a registry model (results/baselines/models.json); give --family to say which family it extends`,
      );
    const fam = registry.families[f];
    if (fam && fam.objective !== objective)
      throw new BenchError('E_USAGE', `--family ${f}: a ${fam.objective ?? 'non-LM'} family, the run's model is ${objective}`);
    family = f;
    computeSource = 'card';
    compute = trainingCompute(card, run.model.paramsCounted.nonEmbedding);
    if (compute.flops === null)
      throw new BenchError('E_RESULT', `run ${run.runId}: cannot register ${id} as a compute baseline: ${compute.reason}`);
  }
  const tasks: Record<string, RegisteredTask> = {};
  for (const [name, t] of okTasks(run)) {
    const items: Record<string, Record<string, number | null>> = {};
    const itemN: Record<string, number> = {};
    for (const it of t.items) {
      items[it.id] = it.metrics;
      itemN[it.id] = it.n;
    }
    tasks[name] = {
      version: t.version,
      data: t.data,
      headline: t.headline,
      metrics: t.metrics,
      items,
      itemN,
      options: taskOptions(run, name),
    };
  }
  if (Object.keys(tasks).length === 0) throw new BenchError('E_RESULT', `run ${run.runId}: no task finished ok; nothing to register`);
  return {
    id,
    family,
    objective,
    compute,
    computeSource,
    model: { sha256: run.model.sha256, card: run.model.card },
    run: {
      runId: run.runId,
      fileSha256,
      tier: run.tier,
      seed: run.seed,
      harness: { version: run.harness.version, commit: run.harness.commit },
    },
    tasks,
  };
}

/**
 * Whether a registered run is same-data for a task of the current run: same task version, same data
 * files, same tier, the same seed on the smoke tier (the seed may pick the subset), the same task
 * options (exact equality of the option maps: an option given at its default value differs from one
 * left unset, since the harness cannot know every task's defaults), the same item ids and the same
 * per-item n (a smoke subset of an assay has the assay's id but fewer variants). The reason when not,
 * naming the registered run, the task and the difference.
 */
export function registeredMismatch(
  reg: RegisteredRun,
  name: string,
  task: OkTask,
  run: Pick<RunResult, 'tier' | 'seed' | 'settings'>,
): string | null {
  const r = reg.tasks[name];
  if (!r) return `registered run ${reg.id} has no ok result for ${name}`;
  const where = `registered run ${reg.id} (run ${reg.run.runId}), ${name}`;
  // Registered runs do not record the protocol; their options are compared only where recorded (below).
  const diff = taskDifference({ task: r, run: reg.run, options: r.options }, { task, run, options: taskOptions(run, name) }, []);
  if (diff?.check === 'version') return `registered run ${reg.id} has ${name} version ${r.version}, this run ${task.version}`;
  if (diff?.check === 'data') return `${where}: ${diff.detail}`;
  if (diff) return `${where}: ${diff.detail} here`; // tier-seed, options
  if (!r.options)
    return `${where}: its task options were not recorded (registered by an older plmbench); register the run again (bench baseline add --replace)`;
  const ids = new Set(task.items.map((i) => i.id));
  const theirs = Object.keys(r.items);
  const missing = [...ids].filter((i) => !(i in r.items));
  if (missing.length > 0 || theirs.length !== ids.size) {
    return `${where}: different items (${theirs.length} registered, ${ids.size} here, ${missing.length} of ours missing; a ${reg.run.tier} run${missing.length ? `, e.g. ${missing[0]}` : ''})`;
  }
  if (!r.itemN)
    return `${where}: its per-item n was not recorded (registered by an older plmbench); register the run again (bench baseline add --replace)`;
  const differ = task.items.filter((i) => r.itemN![i.id] !== i.n);
  if (differ.length > 0) {
    const e = differ[0]!;
    return `${where}: per-item n differs on ${differ.length} of ${task.items.length} items (e.g. ${e.id}: n ${r.itemN[e.id] ?? 'missing'} registered, ${e.n} here)`;
  }
  return null;
}
