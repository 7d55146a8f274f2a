/**
 * The import rules of ARCHITECTURE.md, checked on the source tree: floors are one-way
 * (cli -> report -> scaling -> task -> model -> bio/metrics/probe/cache -> util), `src/` never imports a
 * task, a task uses `src/` below the scaling floor and never another task's files, and no file reaches
 * itself through its imports (cycles, type-only imports included: a cycle of types is still a knot
 * that makes two modules one).
 *
 * Run `npm run lint:layers`; `test/architecture.layers.test.ts` runs it on the tree and on planted
 * violations. Plain TypeScript with node built-ins only, so it runs before anything is installed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Top floor first. Modules on one floor do not import each other: they are independent libraries. */
export const FLOORS: readonly (readonly string[])[] = [
  ['cli'],
  ['report'],
  ['scaling'],
  ['task', 'contacts'],
  ['model'],
  ['bio', 'metrics', 'probe', 'cache'],
  ['util'],
];

/** The floors a task plugin may import: everything below scaling. */
const TASK_MAY_IMPORT = new Set(FLOORS.slice(3).flat());

export interface Violation {
  file: string;
  imports: string;
  rule: 'upward' | 'same-floor' | 'src-imports-task' | 'task-imports-task' | 'task-imports-upper' | 'cycle' | 'unresolved';
  message: string;
}

interface SourceFile {
  /** Path relative to the root, with forward slashes. */
  path: string;
  /** Relative imports resolved to root-relative paths. */
  imports: string[];
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Import specifiers of a TypeScript source, comments removed first (examples in comments are not imports). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

function listTs(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** `../model/runner.js` from `src/task/x.ts` -> `src/model/runner.ts` (null for packages). */
function resolveImport(root: string, fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const abs = resolve(dirname(join(root, fromFile)), spec);
  const rel = toPosix(relative(root, abs));
  return rel.replace(/\.js$/, '.ts');
}

function readSources(root: string): SourceFile[] {
  const files = [...listTs(join(root, 'src')), ...listTs(join(root, 'tasks'))];
  return files.map((abs) => {
    const path = toPosix(relative(root, abs));
    const imports = importSpecifiers(readFileSync(abs, 'utf8'))
      .map((s) => resolveImport(root, path, s))
      .filter((p): p is string => p !== null);
    return { path, imports };
  });
}

/** `src/model/x.ts` -> `model`; `tasks/fitness/x.ts` -> null (not a src module). */
function srcModule(path: string): string | null {
  const m = /^src\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

function taskName(path: string): string | null {
  const m = /^tasks\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

function floorOf(module: string): number {
  const i = FLOORS.findIndex((f) => f.includes(module));
  return i === -1 ? -1 : i;
}

/** Every rule broken in the tree under `root` (src/ and tasks/), sorted by file. */
export function checkLayers(root: string): Violation[] {
  const sources = readSources(root);
  const known = new Set(sources.map((s) => s.path));
  const out: Violation[] = [];
  for (const s of sources) {
    const fromMod = srcModule(s.path);
    const fromTask = taskName(s.path);
    for (const target of s.imports) {
      const toMod = srcModule(target);
      const toTask = taskName(target);
      const v = (rule: Violation['rule'], message: string) =>
        out.push({ file: s.path, imports: target, rule, message: `${s.path} imports ${target}: ${message}` });
      if (target.startsWith('src/') || target.startsWith('tasks/')) {
        if (!known.has(target)) v('unresolved', 'no such source file');
      }
      if (fromMod !== null) {
        if (toTask !== null) v('src-imports-task', 'src/ never imports a task (tasks are found by the registry at run time)');
        else if (toMod !== null && toMod !== fromMod) {
          const a = floorOf(fromMod);
          const b = floorOf(toMod);
          if (a === -1 || b === -1)
            v(
              'upward',
              `module ${a === -1 ? fromMod : toMod} is on no floor of scripts/check-layers.ts: place it there and in ARCHITECTURE.md`,
            );
          else if (b < a) v('upward', `${fromMod} (floor ${a}) imports ${toMod} (floor ${b}), a higher floor`);
          else if (b === a) v('same-floor', `${fromMod} and ${toMod} share a floor and stay independent`);
        }
      } else if (fromTask !== null) {
        if (toTask !== null && toTask !== fromTask)
          v('task-imports-task', `task ${fromTask} imports task ${toTask}'s files; share code through src/ instead`);
        else if (toMod !== null && !TASK_MAY_IMPORT.has(toMod))
          v('task-imports-upper', `a task may import ${[...TASK_MAY_IMPORT].join(', ')}; not ${toMod}`);
      }
    }
  }
  out.push(...findCycles(sources));
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** One violation per strongly connected group of files (Tarjan), naming its files. */
function findCycles(sources: SourceFile[]): Violation[] {
  const graph = new Map(sources.map((s) => [s.path, s.imports.filter((t) => t !== s.path)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: Violation[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) {
        group.sort();
        out.push({ file: group[0]!, imports: group[1]!, rule: 'cycle', message: `import cycle: ${group.join(' -> ')} -> ${group[0]}` });
      }
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const violations = checkLayers(root);
  for (const v of violations) console.error(`layers: ${v.rule}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`layers: ${violations.length} violation(s); the rules are in ARCHITECTURE.md ("Floors")`);
    process.exit(1);
  }
  console.log('layers: ok');
}
