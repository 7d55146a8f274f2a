import type { TaskContext } from './types.js';

/**
 * `fn` memoised per task context: the first call with a context runs `fn` and keeps what it returns (a
 * promise is kept as it is, settled or not); later calls with the same context return that, so a task's
 * `check` and `run` read and validate their data once. A call that throws keeps nothing (the next call
 * runs `fn` again). Contexts are held weakly.
 */
export function oncePerContext<T>(fn: (ctx: TaskContext) => T): (ctx: TaskContext) => T {
  const memo = new WeakMap<TaskContext, T>();
  return (ctx) => {
    if (memo.has(ctx)) return memo.get(ctx)!;
    const v = fn(ctx);
    memo.set(ctx, v);
    return v;
  };
}
