import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoSummary, listProviders, openSession, webgpuAdapter } from '../src/model/session.js';
import { wantsFilteredStderr } from '../src/cli/native-stderr.js';
import { randomTransformer } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';

/**
 * Issue 17: `--ep auto` never picks a software GPU adapter. The Vulkan drivers are faked (manifests and
 * empty library files in a temp folder, named by VK_ICD_FILENAMES and LD_LIBRARY_PATH), so this runs
 * on any machine; nothing here loads Vulkan.
 */
describe('WebGPU adapter inference and --ep auto (issue 17)', () => {
  const saved = { icd: process.env['VK_ICD_FILENAMES'], drv: process.env['VK_DRIVER_FILES'], ld: process.env['LD_LIBRARY_PATH'] };
  const dir = tempDir();
  const lib = join(dir, 'lib');
  mkdirSync(lib, { recursive: true });
  for (const f of ['libvulkan.so.1', 'libvulkan_lvp.so', 'libvk_swiftshader.so', 'libGLX_nvidia.so.0']) writeFileSync(join(lib, f), '');
  const manifest = (name: string, library: string) => {
    const p = join(dir, `${name}.json`);
    writeFileSync(p, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
    return p;
  };
  const lvp = manifest('lvp_icd', join(lib, 'libvulkan_lvp.so'));
  const swift = manifest('vk_swiftshader_icd', 'libvk_swiftshader.so');
  const nvidia = manifest('nvidia_icd', join(lib, 'libGLX_nvidia.so.0'));
  const missingLib = manifest('radeon_icd', join(lib, 'libvulkan_radeon.so'));
  const useDrivers = (...files: string[]) => {
    delete process.env['VK_DRIVER_FILES'];
    process.env['VK_ICD_FILENAMES'] = files.join(':');
    process.env['LD_LIBRARY_PATH'] = lib;
  };
  after(() => {
    for (const [k, v] of [
      ['VK_ICD_FILENAMES', saved.icd],
      ['VK_DRIVER_FILES', saved.drv],
      ['LD_LIBRARY_PATH', saved.ld],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('lavapipe and SwiftShader are software adapters; a driver whose library is absent is ignored', function () {
    if (process.platform !== 'linux') this.skip();
    useDrivers(missingLib, lvp);
    expect(webgpuAdapter()).to.deep.equal({ name: 'llvmpipe (Mesa lavapipe, software)', software: true });
    useDrivers(swift);
    expect(webgpuAdapter()).to.deep.equal({ name: 'SwiftShader (software)', software: true });
    useDrivers(missingLib);
    expect(webgpuAdapter()).to.equal(null);
  });

  it('the NVIDIA driver counts only with an NVIDIA device present', function () {
    if (process.platform !== 'linux') this.skip();
    useDrivers(nvidia, lvp);
    const a = webgpuAdapter()!;
    const hasDevice = existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia');
    expect(a.software).to.equal(!hasDevice);
  });

  it('--ep auto skips a software adapter, runs on CPU and says why in one line; inspect lists it', async function () {
    if (process.platform !== 'linux') this.skip();
    useDrivers(lvp);
    const opened = await openSession(randomTransformer('mlm', {}, dir), { ep: 'auto' });
    try {
      expect(opened.ep).to.equal('cpu');
      const webgpu = opened.fallbacks.find((f) => f.ep === 'webgpu');
      expect(webgpu?.reason).to.equal('only a software adapter (llvmpipe (Mesa lavapipe, software)); --ep webgpu runs on it');
      const line = autoSummary(opened.ep, opened.fallbacks);
      expect(line).to.match(/^bench: --ep auto: running on cpu; skipped cuda: .*; webgpu: only a software adapter/);
      expect(line.split('\n')).to.have.length(1);
    } finally {
      await opened.session.release();
    }
    const providers = listProviders();
    expect(providers.map((p) => p.ep)).to.deep.equal(['cuda', 'webgpu', 'cpu']);
    expect(providers[1]).to.deep.include({
      usable: false,
      detail: 'llvmpipe (Mesa lavapipe, software) (software: used only with --ep webgpu)',
    });
    expect(providers[2]).to.deep.include({ usable: true });
  });

  it('autoSummary names the adapter when WebGPU ran', () => {
    expect(autoSummary('webgpu', [{ ep: 'cuda', reason: 'x' }], { name: 'NVIDIA H100', software: false })).to.equal(
      'bench: --ep auto: running on webgpu (NVIDIA H100); skipped cuda: x',
    );
  });

  it('only an explicit --ep webgpu runs the command behind the stderr filter', () => {
    expect(wantsFilteredStderr(['run', 'perplexity', '--ep', 'webgpu'])).to.equal(true);
    expect(wantsFilteredStderr(['run', 'perplexity', '--ep=webgpu'])).to.equal(true);
    expect(wantsFilteredStderr(['run', 'perplexity', '--ep', 'auto'])).to.equal(false);
    expect(wantsFilteredStderr(['run', 'perplexity'])).to.equal(false);
  });
});
