import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The plmbench package root (the folder with package.json), wherever it is installed. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const schemaDir = resolve(packageRoot, 'results/schema');
export const builtinTasksDir = resolve(packageRoot, 'tasks');
