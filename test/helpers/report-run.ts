import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import '../../src/cli/extra-commands.js';
import { tempDir } from './tmp.js';

let made: Promise<string> | null = null;

/**
 * A real run of the bundled example model (models/plm-mlm-mini.onnx) on the smoke tier of the contacts
 * and fitness tasks (per-protein and per-assay items, published and same-data baselines), made once per
 * test process. Returns the run JSON's path.
 */
export function exampleRun(): Promise<string> {
  made ??= (async () => {
    const dir = tempDir('plmbench-report-');
    const out = join(dir, 'plm-mlm-mini.json');
    const io = memoryIo();
    const code = await main(
      [
        'run',
        'contacts',
        'fitness',
        '--model',
        'models/plm-mlm-mini.onnx',
        '--tier',
        'smoke',
        '--ep',
        'cpu',
        '--cache-dir',
        join(dir, 'cache'),
        '--quiet',
        '--out',
        out,
      ],
      io,
    );
    if (code !== 0) throw new Error(`example run failed (${code}): ${io.err.join('')}`);
    return out;
  })();
  return made;
}
