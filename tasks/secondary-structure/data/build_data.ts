/**
 * Bundles CB513 for the secondary-structure task:
 *
 *   node --import tsx tasks/secondary-structure/data/build_data.ts [path/to/CB513.csv]
 *
 * (default source: $PLMBENCH_SOURCE_DATA/secondary_structure/CB513.csv). Writes, next to this
 * script, `CB513.csv.gz` (the source bytes unchanged, gzip level 9, no name or time in the header) and
 * `CB513.build.json` (source sha256, the split rule and the sizes of its training, validation and test sets).
 * The split itself is not stored: the task recomputes it from each sequence (`../data.ts`, `roleOf`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../../src/util/hash.js';
import { requireSourceDataPath } from '../../../src/util/source-data.js';
import { parseNetsurfpCsv, roleOf, SS_SPLIT } from '../data.js';

const here = dirname(fileURLToPath(import.meta.url));

function main(): void {
  const src = process.argv[2] ?? requireSourceDataPath('secondary_structure', 'CB513.csv');
  const bytes = readFileSync(src);
  const proteins = parseNetsurfpCsv(bytes.toString('utf8'), src);
  const sizes: Record<string, { proteins: number; distinctSequences: number; residues: number; evaluatedResidues: number }> = {};
  for (const role of ['train', 'valid', 'test'] as const) {
    const ps = proteins.filter((p) => roleOf(p.sequence) === role);
    const distinct = [...new Set(ps.map((p) => p.sequence))];
    sizes[role] = {
      proteins: ps.length,
      distinctSequences: distinct.length,
      residues: distinct.reduce((a, s) => a + s.length, 0),
      evaluatedResidues: ps.reduce((a, p) => a + p.evaluated, 0),
    };
  }
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(here, 'CB513.csv.gz'), gz);
  const build = {
    source: 'CB513 in the NetSurfP-2.0 format, shahid-43/protein_secondary_structure_prediction @ f86c6fa0, data/CB513.csv',
    sourceSha256: sha256(bytes),
    output: 'CB513.csv.gz',
    outputSha256: sha256(gz),
    rows: proteins.length,
    proteinsWithoutEvaluatedResidues: proteins.filter((p) => p.evaluated === 0).length,
    split: SS_SPLIT,
    sizes,
  };
  writeFileSync(join(here, 'CB513.build.json'), JSON.stringify(build, null, 2) + '\n');
  process.stdout.write(`CB513.csv.gz: ${proteins.length} rows, sha256 ${sha256(gz)}\n`);
}

main();
