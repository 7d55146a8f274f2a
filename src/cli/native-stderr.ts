import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Dawn (inside onnxruntime-node's WebGPU provider) writes its own warnings straight to file
 * descriptor 2 (e.g. "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced ..." on
 * lavapipe), which no option of the runtime turns off and Node cannot redirect in-process. So a command
 * that asks for `--ep webgpu` runs as a child whose stderr passes through here, without Dawn's lines.
 * Under `--ep auto` WebGPU runs only on a hardware adapter; lavapipe's warnings never show there.
 */
const DAWN_LINE = /^(Warning|Info|Debug): /;
const CHILD_ENV = 'PLMBENCH_STDERR_FILTERED';

export function wantsFilteredStderr(argv: string[]): boolean {
  if (process.env[CHILD_ENV] === '1' || !process.argv[1]) return false;
  return argv.some((a, i) => (a === '--ep' && argv[i + 1] === 'webgpu') || a === '--ep=webgpu');
}

/** Runs this same command in a child process and forwards its stderr without Dawn's lines. */
export function runWithFilteredStderr(argv: string[]): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
      stdio: ['inherit', 'inherit', 'pipe'],
      env: { ...process.env, [CHILD_ENV]: '1' },
    });
    const lines = createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      if (!DAWN_LINE.test(line)) process.stderr.write(`${line}\n`);
    });
    child.on('close', (code, signal) => {
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}
