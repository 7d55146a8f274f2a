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

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 240 ? `${line.slice(0, 240)}...` : line;
}
