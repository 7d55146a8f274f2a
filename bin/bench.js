#!/usr/bin/env node
// The npm package ships no TypeScript: it runs the CLI compiled into dist/ by `prepack`, with no loader.
// A clone has the source (and tsx, a devDependency): it runs src/ through tsx, so edits need no build.
import { existsSync } from 'node:fs';

const source = new globalThis.URL('../src/cli/entry.ts', import.meta.url);
let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import(source.href);
} else {
  entry = await import('../dist/src/cli/entry.js');
}
process.exitCode = await entry.main(process.argv.slice(2));
