import { resolve } from 'node:path';
import type { ModelHandle } from '../../src/model/model.js';
import type { CachedArray } from '../../src/cache/store.js';
import { Rng } from '../../src/util/rng.js';
import { builtinTasksDir } from '../../src/util/paths.js';
import type { TaskContext, Tier } from '../../src/task/types.js';

export interface TestContext extends TaskContext {
  warnings: string[];
  artifactFiles: Map<string, string>;
}

/** A TaskContext for calling a task's run() directly in a test: in-memory cache, silent progress. */
export function testContext(task: string, model: ModelHandle, overrides: Partial<TaskContext> & { tier?: Tier } = {}): TestContext {
  const store = new Map<string, CachedArray>();
  const warnings: string[] = [];
  const artifactFiles = new Map<string, string>();
  return {
    model,
    refModel: null,
    cache: { get: (k) => store.get(k), put: (k, v) => void store.set(k, v) },
    rng: new Rng(0).fork(`task:${task}`),
    seed: 0,
    tier: 'smoke',
    options: {},
    dataPath: null,
    taskDir: resolve(builtinTasksDir, task),
    artifacts: { add: (name, content) => void artifactFiles.set(name, content) },
    progress: { phase: () => ({ tick() {}, set() {}, end() {} }) },
    log: { info() {}, warn: (m) => void warnings.push(m) },
    warnings,
    artifactFiles,
    ...overrides,
  };
}
