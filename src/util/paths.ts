import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The plmbench package root (the folder with package.json), wherever it is installed. The source runs
 * from `src/util/` (a clone, through tsx) and the compiled package from `dist/src/util/`, so walk up
 * rather than count levels.
 */
export const packageRoot = findPackageRoot(here);

/** True when this code runs compiled from `dist/` (the npm package), false when it runs from source. */
export const compiled = here.startsWith(resolve(packageRoot, 'dist') + sep);

export const schemaDir = resolve(packageRoot, 'results/schema');
/** Built-in task folders: README, data and (from source) the plugin code. */
export const builtinTasksDir = resolve(packageRoot, 'tasks');
/** Where the built-in plugins' code is: the task folders themselves, or their compiled copies in `dist/tasks`. */
export const builtinTaskCodeDir = compiled ? resolve(packageRoot, 'dist/tasks') : builtinTasksDir;

/**
 * True when the package sits inside a node_modules folder (npm install, npx, npm install -g): its
 * folder belongs to npm and is replaced on the next install, so user state never goes there.
 */
export const installedAsPackage = packageRoot.split(sep).includes('node_modules');

/**
 * The folder for user state that outlives one run (the registered-baselines store): $PLMBENCH_HOME
 * when set; in a clone, the clone's `results/baselines` as before; otherwise the XDG data folder
 * (`$XDG_DATA_HOME/plmbench`, default `~/.local/share/plmbench`). Never the install folder.
 */
export function userStateDir(env: NodeJS.ProcessEnv = process.env, installed = installedAsPackage): string {
  const home = env['PLMBENCH_HOME'];
  if (home) return resolve(home);
  if (!installed) return resolve(packageRoot, 'results/baselines');
  const xdg = env['XDG_DATA_HOME'];
  return resolve(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'plmbench');
}

/** Default registered-baselines store: `$PLMBENCH_BASELINE_RUNS`, else `registered.json` in {@link userStateDir}. */
export function defaultRegisteredRunsFile(env: NodeJS.ProcessEnv = process.env, installed = installedAsPackage): string {
  return env['PLMBENCH_BASELINE_RUNS'] ?? join(userStateDir(env, installed), 'registered.json');
}

/** Default folder for run results: `results/runs` under the current project (the working folder). */
export function defaultRunsDir(cwd: string): string {
  return resolve(cwd, 'results', 'runs');
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'results', 'schema'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '../..');
  }
}
