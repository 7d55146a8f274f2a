/**
 * Builds the DeepSF split file of the fold task (used with `--option fold.split=deepsf`):
 *
 *   node --import tsx tasks/fold/data/build_deepsf.ts [scop folder]
 *
 * (default: $PLMBENCH_SOURCE_DATA/scop, holding `deepsf_scop1.75/D2_Three_levels_dataset/` and
 * `scope_2.07_astral40/`). Joins DeepSF's five D2 lists to SCOPe 2.07 ASTRAL-40 sequences by domain id with
 * the rules of `../deepsf.ts`, and writes `deepsf-joined-v1.fasta.gz` (headers `>id sccs role=<role>
 * deepsf_fold=<fold>`, sequences upper-case, 60 per line; gzip level 9) and `deepsf-joined-v1.build.json`
 * (sha256 of every source file, counts, sizes).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseFasta } from '../../../src/bio/fasta.js';
import { sha256 } from '../../../src/util/hash.js';
import { sourceDataPath } from '../../../src/util/source-data.js';
import { DEEPSF_LISTS, DEEPSF_TRAIN_CAP, joinDeepsf, parseDeepsfList } from '../deepsf.js';
import { parseDomains, summarize } from '../split.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The SCOP sources: `$PLMBENCH_SOURCE_DATA/scop`, or null when the source-data folder is not given. */
export const SCOP_DEFAULT = sourceDataPath('scop');
export const ASTRAL = 'scope_2.07_astral40/astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa';
export const D2 = 'deepsf_scop1.75/D2_Three_levels_dataset';
export const OUT = 'deepsf-joined-v1.fasta.gz';

export function buildDeepsfFiles(scopDir: string): { fasta: string; build: Record<string, unknown> } {
  const sources: Record<string, string> = {};
  const astralBytes = readFileSync(join(scopDir, ASTRAL));
  sources[ASTRAL] = sha256(astralBytes);
  const astral = parseDomains(parseFasta(astralBytes.toString('utf8'), ASTRAL), ASTRAL);
  const rows = DEEPSF_LISTS.flatMap(({ file, role }) => {
    const bytes = readFileSync(join(scopDir, D2, file));
    sources[`${D2}/${file}`] = sha256(bytes);
    return parseDeepsfList(bytes.toString('utf8'), file, role);
  });
  const { domains, counts } = joinDeepsf(rows, astral);
  const lines: string[] = [];
  for (const d of domains) {
    lines.push(`>${d.id} ${d.sccs} role=${d.role} deepsf_fold=${d.fold}`);
    for (let i = 0; i < d.sequence.length; i += 60) lines.push(d.sequence.slice(i, i + 60));
  }
  const fasta = lines.join('\n') + '\n';
  return {
    fasta,
    build: {
      source: 'DeepSF D2 three-level lists (multicom-toolbox/DeepSF @ fca60931, datasets/), sequences and sccs from SCOPe 2.07 ASTRAL-40',
      sourceSha256: sources,
      trainCapPerFold: DEEPSF_TRAIN_CAP,
      output: OUT,
      outputRecords: domains.length,
      outputSha256Uncompressed: sha256(fasta),
      counts,
      sizes: summarize(domains),
    },
  };
}

function main(): void {
  const { fasta, build } = buildDeepsfFiles(process.argv[2] ?? SCOP_DEFAULT ?? fail('set PLMBENCH_SOURCE_DATA (holding scop/) or pass the SCOP folder'));
  const gz = gzipSync(Buffer.from(fasta, 'utf8'), { level: 9 });
  writeFileSync(join(here, OUT), gz);
  writeFileSync(join(here, 'deepsf-joined-v1.build.json'), JSON.stringify({ ...build, outputSha256: sha256(gz) }, null, 2) + '\n');
  process.stdout.write(`${OUT}: ${String(build['outputRecords'])} records, sha256 ${sha256(gz)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

function fail(message: string): never {
  throw new Error(message);
}
