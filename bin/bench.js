#!/usr/bin/env node
// Registers the TypeScript loader (task plugins are .ts files too), then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/entry.ts');
process.exitCode = await main(process.argv.slice(2));
