/**
 * Builds the bundled fold-classification split from SCOPe 2.07 ASTRAL-40:
 *
 *   node --import tsx tasks/fold/data/build_split.ts [path/to/astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa]
 *
 * (default source: $PLMBENCH_SOURCE_DATA/scop/scope_2.07_astral40/). Writes, next to this
 * script, `astral40-fold-v1.fasta.gz` (the domains the split uses, headers `>id sccs role=<role>`, in source
 * order, sequences upper-case, 60 per line) and `astral40-fold-v1.build.json` (source sha256, rules, counts
 * and sizes). The split is the same function the task applies to a user's FASTA (`../split.ts`), so the
 * bundled file is that function's output on the source file, byte for byte on every machine (gzip level 9,
 * no name or time in the gzip header).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseFasta } from '../../../src/bio/fasta.js';
import { sha256 } from '../../../src/util/hash.js';
import { sourceDataPath } from '../../../src/util/source-data.js';
import { buildSplit, parseDomains, summarize, type Split } from '../split.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The ASTRAL source file under `$PLMBENCH_SOURCE_DATA`, or null when the source-data folder is not given. */
export const SOURCE_DEFAULT = sourceDataPath('scop', 'scope_2.07_astral40', 'astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa');
export const OUT_FASTA = 'astral40-fold-v1.fasta.gz';
export const OUT_BUILD = 'astral40-fold-v1.build.json';

/** The split file's text (before gzip) and build record, from the source bytes. */
export function buildFiles(source: Buffer, sourceLabel: string): { fasta: string; build: Record<string, unknown>; split: Split } {
  const records = parseFasta(source.toString('utf8'), sourceLabel);
  const split = buildSplit(parseDomains(records, sourceLabel));
  const lines: string[] = [];
  for (const d of split.domains) {
    lines.push(`>${d.id} ${d.sccs} role=${d.role}`);
    for (let i = 0; i < d.sequence.length; i += 60) lines.push(d.sequence.slice(i, i + 60));
  }
  const fasta = lines.join('\n') + '\n';
  const build = {
    source: 'SCOPe 2.07 ASTRAL 40% (astral-scopedom-seqres-gd-sel-gs-bib-40-2.07.fa, via ivujevic/tachyon @ c0127268 db/astral.fa)',
    sourceSha256: sha256(source),
    output: OUT_FASTA,
    outputRecords: split.domains.length,
    outputSha256Uncompressed: sha256(fasta),
    rules: split.rules,
    counts: split.counts,
    sizes: summarize(split.domains),
  };
  return { fasta, build, split };
}

function main(): void {
  const src = process.argv[2] ?? SOURCE_DEFAULT ?? fail('set PLMBENCH_SOURCE_DATA (holding scop/scope_2.07_astral40/) or pass the ASTRAL file');
  const bytes = readFileSync(src);
  const { fasta, build } = buildFiles(bytes, src);
  const gz = gzipSync(Buffer.from(fasta, 'utf8'), { level: 9 });
  writeFileSync(join(here, OUT_FASTA), gz);
  writeFileSync(join(here, OUT_BUILD), JSON.stringify({ ...build, outputSha256: sha256(gz) }, null, 2) + '\n');
  process.stdout.write(`${OUT_FASTA}: ${String(build.outputRecords)} records, sha256 ${sha256(gz)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

function fail(message: string): never {
  throw new Error(message);
}
