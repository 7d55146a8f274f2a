// Builds `--data fitness=DIR` folders for tests from the bundled assays: ProteinGym-format CSVs (the
// first N rows of chosen assays, or edited copies) with or without a DMS_substitutions.csv.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tempDir } from '../../helpers/tmp.js';
import { bundledAssays, FITNESS_DIR, type PlainAssay } from './fixtures.js';

export interface UserDirOptions {
  /** Write DMS_substitutions.csv (default true). */
  reference?: boolean;
  /** Gzip the assay files. */
  gzip?: boolean;
  /** Edits the CSV lines (header first) of an assay before it is written. */
  edit?: (id: string, lines: string[]) => string[];
  /**
   * For assays taken whole ('all') and not edited: write ProteinGym's CSV bytes (the bundled .csv.gz
   * decompressed) instead of rows re-serialised from the parsed values, so the content sha256 is upstream's.
   */
  upstream?: boolean;
}

/** A folder with `n` rows (evenly spaced through the file, in file order; or all, for 'all') of each named bundled assay. */
export function userDir(spec: Record<string, number | 'all'>, opts: UserDirOptions = {}): { dir: string; assays: PlainAssay[] } {
  const dir = tempDir('plmbench-fitness-');
  const all = bundledAssays();
  const chosen: PlainAssay[] = [];
  for (const [id, n] of Object.entries(spec)) {
    const a = all.find((x) => x.id === id);
    if (!a) throw new Error(`no bundled assay ${id}`);
    const step = n === 'all' ? 1 : a.rows.length / n;
    const rows = n === 'all' ? a.rows : Array.from({ length: n }, (_, i) => a.rows[Math.floor(i * step)]!);
    chosen.push({ ...a, rows });
    let lines = ['mutant,mutated_sequence,DMS_score,DMS_score_bin', ...rows.map((r) => `${r.mutant},${r.mutated},${r.score},${r.bin}`)];
    if (opts.edit) lines = opts.edit(id, lines);
    const text =
      opts.upstream && n === 'all' && !opts.edit
        ? gunzipSync(readFileSync(join(FITNESS_DIR, 'data/dms', `${id}.csv.gz`)))
        : `${lines.join('\n')}\n`;
    if (opts.gzip) writeFileSync(join(dir, `${id}.csv.gz`), gzipSync(text));
    else writeFileSync(join(dir, `${id}.csv`), text);
  }
  if (opts.reference !== false) {
    const header = 'DMS_id,DMS_filename,UniProt_ID,coarse_selection_type,DMS_binarization_cutoff,target_seq';
    const lines = chosen.map((a) => `${a.id},${a.id}.csv,${a.uniprot},${a.selectionType},,${a.wt}`);
    writeFileSync(join(dir, 'DMS_substitutions.csv'), `${[header, ...lines].join('\n')}\n`);
  }
  return { dir, assays: chosen };
}
