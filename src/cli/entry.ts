import { processIo } from './io.js';
import { main as run } from './main.js';
import './extra-commands.js';

export async function main(argv: string[]): Promise<number> {
  return run(argv, processIo);
}
