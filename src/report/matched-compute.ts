import type { RegisteredTask as TaskPlugin } from '../task/registry.js';
import type { TaskRunResult } from '../task/execute.js';
import { listTaskFolders, loadTask } from '../task/registry.js';
import {
  loadBaselineRegistry,
  loadRegisteredRuns,
  loadLawSets,
  loadScalingLaws,
  registeredRunsPath,
  type RunFile,
} from '../scaling/index.js';

/**
 * Reads (and validates) the data matched compute needs, so that bad data fails before a long run: the
 * registry, the law set (`law`, from --law, else the default; an unknown id is a usage error here),
 * every law set (for the spread of N/N_opt) and the registered runs.
 */
export function loadMatchedComputeData(registeredPath?: string, law?: string) {
  return {
    registry: loadBaselineRegistry(),
    laws: loadScalingLaws(law),
    lawSets: loadLawSets(),
    ...(law !== undefined ? { law } : {}),
    registered: loadRegisteredRuns(registeredRunsPath(registeredPath)),
  };
}

/**
 * Records each metric's direction (`higherIsBetter` from the task's describe()) on the run's ok task
 * results, so that the gate and the leaderboard read it from the run itself.
 */
export function withDirections(results: Record<string, TaskRunResult>, tasks: TaskPlugin[]): Record<string, TaskRunResult> {
  const out: Record<string, TaskRunResult> = {};
  for (const [name, r] of Object.entries(results)) {
    if (r.status !== 'ok') {
      out[name] = r;
      continue;
    }
    const info = tasks.find((t) => t.module.name === name)?.module.describe();
    const metrics: typeof r.metrics = {};
    for (const [m, v] of Object.entries(r.metrics)) {
      const hib = info?.metrics.find((x) => x.name === m)?.higherIsBetter;
      metrics[m] = hib === undefined ? v : ({ ...v, higherIsBetter: hib } as typeof v);
    }
    out[name] = { ...r, metrics };
  }
  return out;
}

/**
 * Metric directions from the task plugins (built-in tasks and extra folders), for runs that do not
 * record them. Tasks that cannot be found or loaded give null.
 */
export async function pluginDirections(
  tasks: string[],
  extraDirs: string[] = [],
): Promise<(task: string, metric: string) => boolean | null> {
  const table = new Map<string, Map<string, boolean>>();
  let folders: ReturnType<typeof listTaskFolders>;
  try {
    folders = listTaskFolders(extraDirs);
  } catch {
    folders = new Map();
  }
  for (const t of tasks) {
    const f = folders.get(t);
    if (!f) continue;
    try {
      const info = (await loadTask(t, f)).module.describe();
      table.set(t, new Map(info.metrics.map((m) => [m.name, m.higherIsBetter])));
    } catch {
      /* a task that cannot be loaded gives no directions; the run's own record or the config decide */
    }
  }
  return (task, metric) => table.get(task)?.get(metric) ?? null;
}

/** pluginDirections for every task the runs name (whatever its status). */
export function runsDirections(runs: RunFile[], extraDirs: string[] = []): Promise<(task: string, metric: string) => boolean | null> {
  return pluginDirections([...new Set(runs.flatMap((r) => Object.keys(r.run.tasks)))], extraDirs);
}
