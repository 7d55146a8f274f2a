import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { BenchError } from '../util/errors.js';

export type EpName = 'cuda' | 'webgpu' | 'cpu';
export type EpChoice = EpName | 'auto';
export const EP_CHOICES: readonly EpChoice[] = ['auto', 'cuda', 'webgpu', 'cpu'];

export interface SessionOptions {
  ep: EpChoice;
  /** Intra-op threads for the CPU provider; 0 lets onnxruntime decide. */
  threads?: number;
}

export interface OpenedSession {
  session: Ort.InferenceSession;
  ep: EpName;
  /** Providers tried before the one that ran, with the reason each failed. */
  fallbacks: { ep: EpName; reason: string }[];
  ort: typeof Ort;
}

let ortModule: typeof Ort | null = null;

/** The native runtime, imported on first use so `--help`, `list` and `gate` start fast. */
export async function loadOrt(): Promise<typeof Ort> {
  if (!ortModule) {
    const mod = (await import('onnxruntime-node')) as typeof Ort & { default?: typeof Ort };
    ortModule = mod.default && 'InferenceSession' in mod.default ? mod.default : mod;
    // The runtime logs its own provider-loading failures at error level; we report them ourselves.
    ortModule.env.logLevel = 'fatal';
  }
  return ortModule;
}

export function parseEp(value: string): EpChoice {
  if (!(EP_CHOICES as readonly string[]).includes(value)) {
    throw new BenchError('E_USAGE', `--ep: must be one of ${EP_CHOICES.join(', ')}, got "${value}"`);
  }
  return value as EpChoice;
}

/**
 * Opens an inference session. `auto` tries CUDA, then WebGPU, then CPU, and reports each fallback;
 * an explicit provider that cannot start is an error (never a silent CPU run).
 */
export async function openSession(modelPath: string, opts: SessionOptions, onFallback?: (ep: EpName, reason: string) => void): Promise<OpenedSession> {
  const ort = await loadOrt();
  const order: EpName[] = opts.ep === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [opts.ep];
  const fallbacks: { ep: EpName; reason: string }[] = [];
  for (const ep of order) {
    const missing = missingRuntimePiece(ep);
    if (missing) {
      if (opts.ep !== 'auto') throw new BenchError('E_EP', `--ep ${ep}: execution provider unavailable (${missing})`);
      fallbacks.push({ ep, reason: missing });
      onFallback?.(ep, missing);
      continue;
    }
    const options: Ort.InferenceSession.SessionOptions = {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 4,
    };
    if (ep === 'cpu' && opts.threads && opts.threads > 0) options.intraOpNumThreads = opts.threads;
    try {
      const session = await ort.InferenceSession.create(modelPath, options);
      return { session, ep, fallbacks, ort };
    } catch (e) {
      const reason = firstLine((e as Error).message);
      if (ep === 'cpu' || opts.ep !== 'auto') {
        if (opts.ep !== 'auto' && ep !== 'cpu') {
          throw new BenchError('E_EP', `--ep ${ep}: execution provider unavailable (${reason})`);
        }
        throw new BenchError('E_MODEL', `${modelPath}: onnxruntime cannot load the model (${reason})`);
      }
      fallbacks.push({ ep, reason });
      onFallback?.(ep, reason);
    }
  }
  throw new Error('unreachable: the CPU provider is always tried last');
}

/**
 * Why a provider cannot start on this machine, found without trying it (trying prints native noise):
 * CUDA needs the provider libraries that onnxruntime-node installs only on request; WebGPU on Linux
 * needs a Vulkan loader. Null when nothing is known to be missing.
 */
export function missingRuntimePiece(ep: EpName): string | null {
  if (ep === 'cuda') {
    const dir = ortBinaryDir();
    if (dir && !existsSync(join(dir, 'libonnxruntime_providers_cuda.so'))) {
      return 'onnxruntime-node was installed without its CUDA provider libraries (install with --onnxruntime-node-install=cuda12)';
    }
  }
  if (ep === 'webgpu' && process.platform === 'linux' && !findLibrary('libvulkan.so.1')) {
    return 'no Vulkan loader (libvulkan.so.1) found; WebGPU needs one on Linux';
  }
  return null;
}

function ortBinaryDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function findLibrary(name: string): boolean {
  const dirs = [
    ...(process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib64', '/lib', '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, name)));
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 240 ? `${line.slice(0, 240)}...` : line;
}
