/**
 * Errors a user can cause. The CLI prints `bench: <message>` and exits 2 for these (4 for E_GATE_STALE);
 * anything else is an internal bug (exit 3, with the stack).
 */
export type BenchErrorCode =
  | 'E_USAGE' // bad command-line flags or option values
  | 'E_MODEL' // model file missing, not ONNX, or breaking the I/O contract
  | 'E_CARD' // model card invalid or inconsistent
  | 'E_DATA' // a data file (FASTA, CSV, PDB, JSON) is malformed
  | 'E_TASK' // unknown task, or a plugin that does not follow the interface
  | 'E_EP' // execution provider unknown or unavailable
  | 'E_IO' // a path cannot be read or written
  | 'E_RESULT' // a run or leaderboard JSON is invalid or not comparable
  | 'E_GATE_INPUT' // gate inputs that cannot be compared
  | 'E_GATE_STALE'; // the gate's baseline is from another task version: refresh it (exit 4, not 2)

export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}

/**
 * By name as well as by class: a plugin may be loaded through another module instance of this file
 * (a second loader, or a plugin bundling its own copy), whose class is not this one.
 */
export function isBenchError(e: unknown): e is BenchError {
  return e instanceof BenchError || (e instanceof Error && e.name === 'BenchError' && typeof (e as { code?: unknown }).code === 'string');
}

/** Message of any thrown value, for one-line reports. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A filesystem error on a path (EACCES on a model or card, EISDIR, ENOTDIR...) that escaped as a raw
 * Node error: the user's to fix (exit 2), not a bug.
 */
export function isPathError(e: unknown): e is NodeJS.ErrnoException & { path: string; syscall: string } {
  const x = e as NodeJS.ErrnoException | null;
  return (
    x instanceof Error &&
    typeof x.code === 'string' &&
    /^E[A-Z]+$/.test(x.code) &&
    typeof x.syscall === 'string' &&
    typeof x.path === 'string'
  );
}

/** `<path>: cannot <syscall> (<code>)`: a path error in one line. */
export function pathErrorMessage(e: NodeJS.ErrnoException & { path: string; syscall: string }): string {
  return `${e.path}: cannot ${e.syscall} (${e.code ?? 'error'})`;
}
