import { processIo } from './io.js';
import { main as run } from './main.js';
import './extra-commands.js';
import { runWithFilteredStderr, wantsFilteredStderr } from './native-stderr.js';

export async function main(argv: string[]): Promise<number> {
  if (wantsFilteredStderr(argv)) return runWithFilteredStderr(argv); // [webgpu, issue 17] Dawn's native warnings
  return run(argv, processIo);
}
