import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem, platform, arch } from 'node:os';
import { resolve } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { HarnessInfo } from '../task/run.js';

export type { HarnessInfo } from '../task/run.js';

let cached: HarnessInfo | null = null;

/** Version from package.json and the git commit of the checkout, when it is one. */
export function harnessInfo(): HarnessInfo {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string };
  let commit: string | null = null;
  let dirty: boolean | undefined;
  // Only a checkout of plmbench itself has a commit: an installed package may sit inside the user's own
  // git repository, whose commit says nothing about the harness.
  if (existsSync(resolve(packageRoot, '.git'))) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
      // Untracked files count too (a new task folder runs but is not in the commit); results and caches
      // are git-ignored, so they do not.
      dirty =
        execFileSync('git', ['status', '--porcelain'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim() !== '';
    } catch {
      commit = null;
    }
  }
  cached = { name: 'plmbench', version: pkg.version, commit, ...(dirty !== undefined ? { dirty } : {}) };
  return cached;
}

export function machineInfo(ortVersion: string | null): Record<string, unknown> {
  const c = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpuModel: c[0]?.model ?? 'unknown',
    cpus: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: ortVersion,
  };
}

export function onnxruntimeVersion(): string | null {
  try {
    // Resolved like the import is: an installed plmbench finds onnxruntime-node hoisted above it.
    const file = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return null;
  }
}
