import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchError } from '../util/errors.js';
import { builtinTaskCodeDir, builtinTasksDir } from '../util/paths.js';
import type { TaskModule } from './types.js';
import { OUTPUT_NAMES, type Need } from '../model/contract.js';

export interface RegisteredTask {
  module: TaskModule;
  dir: string;
  entry: string;
}

const NEEDS = new Set<string>([...OUTPUT_NAMES, 'mlm', 'clm'] satisfies Need[]);

/** Task folders (with an `index.ts` or `index.js`) in the built-in tasks folder and the extra ones, by name. */
export function listTaskFolders(extraDirs: string[] = []): Map<string, { dir: string; entry: string }> {
  const found = new Map<string, { dir: string; entry: string }>();
  for (const root of [builtinTasksDir, ...extraDirs.map((d) => resolve(d))]) {
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new BenchError('E_TASK', `--tasks-dir ${root}: not a folder`);
    const before = found.size;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!statSync(dir).isDirectory()) continue;
      // The npm package ships built-in plugins compiled under dist/tasks; their data stays in tasks/.
      const codeDir = root === builtinTasksDir ? join(builtinTaskCodeDir, name) : dir;
      const entry = ['index.ts', 'index.js', 'index.mjs'].map((f) => join(codeDir, f)).find(existsSync);
      if (!entry) continue;
      const prev = found.get(name);
      if (prev) throw new BenchError('E_TASK', `task "${name}" is defined twice: ${prev.dir} and ${dir}`);
      found.set(name, { dir, entry });
    }
    if (root !== builtinTasksDir && found.size === before)
      throw new BenchError('E_TASK', `--tasks-dir ${root}: no task plugins (folders with an index.ts, index.js or index.mjs)`);
  }
  return found;
}

/** Imports one task folder and checks the plugin's shape. */
export async function loadTask(name: string, folder: { dir: string; entry: string }): Promise<RegisteredTask> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(folder.entry).href)) as Record<string, unknown>;
  } catch (e) {
    throw new BenchError('E_TASK', `${folder.entry}: cannot import the task plugin (${(e as Error).message.split('\n')[0]})`);
  }
  const m = mod['default'] as Partial<TaskModule> | undefined;
  const problem = shapeProblem(name, m);
  if (problem) throw new BenchError('E_TASK', `${folder.entry}: ${problem}`);
  return { module: m as TaskModule, dir: folder.dir, entry: folder.entry };
}

function shapeProblem(name: string, m: Partial<TaskModule> | undefined): string | null {
  if (!m || typeof m !== 'object') return 'must default-export a task object { name, version, needs, describe, run }';
  if (m.name !== name) return `exports name "${String(m.name)}" but lives in folder "${name}"`;
  if (typeof m.version !== 'string' || m.version === '') return 'version must be a non-empty string';
  if (!Array.isArray(m.needs) || m.needs.some((n) => !NEEDS.has(n))) return `needs must list some of ${[...NEEDS].join(', ')}`;
  if (typeof m.describe !== 'function') return 'describe must be a function';
  if (typeof m.run !== 'function') return 'run must be a function';
  return null;
}

/**
 * The tasks to run: all of them, or the named ones in the order given. An unknown name is an error
 * listing the known ones.
 */
export async function resolveTasks(names: string[] | null, extraDirs: string[] = []): Promise<RegisteredTask[]> {
  const folders = listTaskFolders(extraDirs);
  const wanted = names ?? [...folders.keys()];
  const out: RegisteredTask[] = [];
  for (const n of wanted) {
    const f = folders.get(n);
    if (!f) throw new BenchError('E_TASK', `unknown task "${n}" (known: ${[...folders.keys()].join(', ') || 'none'})`);
    out.push(await loadTask(n, f));
  }
  return out;
}
