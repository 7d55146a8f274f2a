/** Where a command writes; injected so tests call commands directly. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  isTTY: boolean;
  cwd: string;
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  // @types/node says boolean, but the property is undefined off a terminal.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion
  isTTY: Boolean(process.stderr.isTTY),
  cwd: process.cwd(),
};

/** Collects output in memory, for tests. */
export function memoryIo(cwd = process.cwd()): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, cwd };
}
