import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join } from 'node:path';
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

/**
 * The adapter WebGPU runs on. onnxruntime-node does not report Dawn's adapter, so on Linux it is
 * inferred from the Vulkan drivers the loader will see (manifests under icd.d, or VK_ICD_FILENAMES /
 * VK_DRIVER_FILES) and the device nodes present: a hardware driver counts only with its device
 * (/dev/nvidia*; for Mesa drivers, a render node whose kernel driver matches), and Dawn prefers a hardware adapter over a CPU one, so software is
 * the adapter only when no hardware driver has a device.
 */
export interface GpuAdapter {
  name: string;
  /** A CPU-emulated device (Mesa llvmpipe/lavapipe, SwiftShader): correct but slower than the CPU provider. */
  software: boolean;
}

export interface OpenedSession {
  session: Ort.InferenceSession;
  ep: EpName;
  /** The WebGPU adapter, when the session runs on WebGPU. */
  adapter?: GpuAdapter;
  /** Providers tried before the one that ran, with the reason each failed. */
  fallbacks: { ep: EpName; reason: string }[];
  ort: typeof Ort;
}

let ortModule: typeof Ort | null = null;

/** The native runtime, imported on first use so `--help`, `list` and `gate` start fast. */
export async function loadOrt(): Promise<typeof Ort> {
  if (!ortModule) {
    const mod = (await import('onnxruntime-node')) as typeof Ort & { default?: typeof Ort };
    const def = mod.default as typeof Ort | undefined; // present when loaded as CommonJS through ESM interop
    ortModule = def && 'InferenceSession' in def ? def : mod;
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
 * Opens an inference session. `auto` tries CUDA, then WebGPU on a hardware adapter, then CPU, and
 * reports each provider it skipped; it never runs on a software GPU adapter, which is many times slower
 * than the CPU provider (explicit `--ep webgpu` does). An explicit provider that cannot start is an
 * error (never a silent CPU run).
 */
export async function openSession(
  modelPath: string,
  opts: SessionOptions,
  onFallback?: (ep: EpName, reason: string) => void,
): Promise<OpenedSession> {
  const ort = await loadOrt();
  const order: EpName[] = opts.ep === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [opts.ep];
  const fallbacks: { ep: EpName; reason: string }[] = [];
  for (const ep of order) {
    let missing = missingRuntimePiece(ep);
    const adapter = ep === 'webgpu' && !missing ? webgpuAdapter() : undefined;
    if (!missing && opts.ep === 'auto' && ep === 'webgpu') {
      if (!adapter) missing = 'no GPU adapter found';
      else if (adapter.software) missing = `only a software adapter (${adapter.name}); --ep webgpu runs on it`;
    }
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
      return {
        session,
        ep,
        fallbacks,
        ort,
        ...(ep === 'webgpu' ? { adapter: adapter ?? { name: 'unknown (not inferred on this platform)', software: false } } : {}),
      };
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

/** The one line `--ep auto` prints: which provider ran and, briefly, why each one before it was skipped. */
export function autoSummary(ep: EpName, fallbacks: { ep: EpName; reason: string }[], adapter?: GpuAdapter): string {
  const ran = ep === 'webgpu' && adapter ? `webgpu (${adapter.name})` : ep;
  const skipped = fallbacks.map((f) => `${f.ep}: ${f.reason.length > 100 ? `${f.reason.slice(0, 100)}...` : f.reason}`);
  return `bench: --ep auto: running on ${ran}${skipped.length ? `; skipped ${skipped.join('; ')}` : ''}`;
}

export interface ProviderStatus {
  ep: EpName;
  /** Whether `--ep auto` would consider it (a software GPU adapter is usable only when asked for). */
  usable: boolean;
  detail: string;
}

/** The providers on this machine as `bench inspect` lists them, found without starting any. */
export function listProviders(): ProviderStatus[] {
  const out: ProviderStatus[] = [];
  const cuda = missingRuntimePiece('cuda');
  out.push({ ep: 'cuda', usable: !cuda, detail: cuda ?? 'provider libraries present' });
  const webgpu = missingRuntimePiece('webgpu');
  if (webgpu) out.push({ ep: 'webgpu', usable: false, detail: webgpu });
  else {
    const a = webgpuAdapter();
    out.push({
      ep: 'webgpu',
      usable: !!a && !a.software,
      detail: a ? `${a.name}${a.software ? ' (software: used only with --ep webgpu)' : ''}` : 'no GPU adapter found',
    });
  }
  out.push({ ep: 'cpu', usable: true, detail: 'always available' });
  return out;
}

/** Vulkan driver manifests the loader reads, in its search order (explicit lists replace the search). */
function vulkanManifests(): string[] {
  const explicit = process.env['VK_DRIVER_FILES'] || process.env['VK_ICD_FILENAMES'];
  if (explicit) return explicit.split(':').filter((f) => f && existsSync(f));
  const home = homedir();
  const dirs = [
    join(process.env['XDG_CONFIG_HOME'] || join(home, '.config'), 'vulkan/icd.d'),
    '/etc/xdg/vulkan/icd.d',
    '/etc/vulkan/icd.d',
    join(process.env['XDG_DATA_HOME'] || join(home, '.local/share'), 'vulkan/icd.d'),
    '/usr/local/share/vulkan/icd.d',
    '/usr/share/vulkan/icd.d',
  ];
  const files: string[] = [];
  for (const d of dirs) {
    try {
      for (const f of readdirSync(d).sort()) if (f.endsWith('.json')) files.push(join(d, f));
    } catch {
      // absent directory
    }
  }
  return files;
}

const SOFTWARE_DRIVERS: [RegExp, string][] = [
  [/lvp/, 'llvmpipe (Mesa lavapipe, software)'],
  [/swiftshader/i, 'SwiftShader (software)'],
];

/** The WebGPU adapter Dawn would pick on this machine (see GpuAdapter); null when there is none. */
export function webgpuAdapter(): GpuAdapter | null {
  if (process.platform !== 'linux')
    return { name: `system default (${process.platform === 'darwin' ? 'Metal' : 'D3D12'})`, software: false };
  // Kernel drivers behind the render nodes: Mesa installs every hardware Vulkan driver whatever the
  // machine has, so a driver counts only when its kind of GPU is present.
  const kernelDrivers = (() => {
    try {
      return readdirSync('/sys/class/drm')
        .filter((f) => f.startsWith('renderD'))
        .map((f) => {
          try {
            return basename(realpathSync(join('/sys/class/drm', f, 'device', 'driver')));
          } catch {
            return '';
          }
        });
    } catch {
      return [] as string[];
    }
  })();
  const MESA_KERNEL: [RegExp, RegExp][] = [
    [/radeon/, /^amdgpu$/],
    [/intel/, /^(i915|xe)$/],
    [/nouveau/, /^nouveau$/],
    [/virtio/, /^virtio_gpu$/],
    [/freedreno/, /^msm$/],
    [/panfrost/, /^panfrost$/],
    [/asahi/, /^asahi$/],
  ];
  const hasNvidia = existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia');
  let software: GpuAdapter | null = null;
  for (const file of vulkanManifests()) {
    let lib: string;
    try {
      lib = (JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: string } }).ICD?.library_path ?? '';
    } catch {
      continue;
    }
    if (!lib) continue;
    const present = isAbsolute(lib) ? existsSync(lib) : lib.includes('/') ? existsSync(join(dirname(file), lib)) : findLibrary(lib);
    if (!present) continue;
    const name = basename(lib);
    const soft = SOFTWARE_DRIVERS.find(([re]) => re.test(name));
    if (soft) {
      software ??= { name: soft[1], software: true };
      continue;
    }
    if (/nvidia/i.test(name) || /nvidia/i.test(basename(file))) {
      if (hasNvidia) return { name: `NVIDIA (Vulkan driver ${basename(file)})`, software: false };
      continue;
    }
    const kernel = MESA_KERNEL.find(([re]) => re.test(name))?.[1];
    const driver = kernel ? kernelDrivers.find((d) => kernel.test(d)) : undefined;
    if (driver) return { name: `${driver} GPU (Vulkan driver ${basename(file)})`, software: false };
  }
  return software;
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
      return 'onnxruntime-node has no CUDA provider libraries (add them with ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node; README, Execution providers)';
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
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib/x86_64-linux-gnu',
    '/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, name)));
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 240 ? `${line.slice(0, 240)}...` : line;
}
