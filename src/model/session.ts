import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { BenchError } from '../util/errors.js';
import type protobuf from 'protobufjs';
import { modelType } from './onnx/proto.js';

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
    try {
      const session = await ort.InferenceSession.create(modelPath, sessionOptions(ep, opts.threads));
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

function sessionOptions(ep: EpName, threads: number | undefined): Ort.InferenceSession.SessionOptions {
  const options: Ort.InferenceSession.SessionOptions = { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 4 };
  if (ep === 'cpu' && threads && threads > 0) options.intraOpNumThreads = threads;
  return options;
}

/**
 * Sessions over graphs cut down to the outputs a call fetches. onnxruntime computes every output a
 * graph declares, fetched or not (an export with attention maps spends their memory and time on every
 * logits-only pass: for a 6-layer, 128-wide model on 4 x 1,000 tokens, 1,627 ms and 2.54 GB peak RSS
 * with the full graph vs 901 ms and 1.82 GB cut to logits); a graph whose unneeded outputs are removed lets its optimiser drop those nodes. One session
 * is held at a time (tasks run one after another), so weights are not held twice. Models with external
 * data are not rewritten: they keep the full session.
 */
export class SessionPool {
  private current: { key: string; session: Ort.InferenceSession };

  constructor(
    private readonly path: string,
    private readonly graphOutputs: string[],
    private readonly prunable: boolean,
    private readonly opened: OpenedSession,
    private readonly threads: number | undefined,
  ) {
    this.current = { key: this.keyOf(graphOutputs), session: opened.session };
  }

  /** A session whose graph declares exactly `outputs` (graph names), or the full one when it cannot be cut. */
  async get(outputs: string[]): Promise<Ort.InferenceSession> {
    const wanted = this.prunable ? this.graphOutputs.filter((o) => outputs.includes(o)) : this.graphOutputs;
    const key = this.keyOf(wanted);
    if (key === this.current.key) return this.current.session;
    await this.current.session.release();
    const options = sessionOptions(this.opened.ep, this.threads);
    const session =
      wanted.length === this.graphOutputs.length
        ? await this.opened.ort.InferenceSession.create(this.path, options)
        : await this.opened.ort.InferenceSession.create(this.prunedBytes(wanted), options);
    this.current = { key, session };
    return session;
  }

  async release(): Promise<void> {
    await this.current.session.release();
  }

  private keyOf(outputs: string[]): string {
    return [...outputs].sort().join('\u0000');
  }

  private prunedBytes(outputs: string[]): Uint8Array {
    const T = modelType();
    // Decoded per switch (a few per run), not kept: holding the decoded model would double the
    // weights' memory for the whole run.
    const model = T.decode(readFileSync(this.path)) as unknown as { graph: { output: { name: string }[] } };
    model.graph.output = model.graph.output.filter((o) => outputs.includes(o.name));
    return T.encode(model as unknown as protobuf.Message).finish();
  }
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
