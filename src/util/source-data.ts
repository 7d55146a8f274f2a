import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The folder of public source data sets that the bundled task data were built from (UniProt proteomes,
 * ProteinGym assays and reference files, SCOPe/ASTRAL, CB513, PDB chains), laid out as `sequences/`,
 * `dms/`, `proteingym_reference/`, `scop/`, `secondary_structure/`, `structures/`, `supervised/`.
 * Given by `$PLMBENCH_SOURCE_DATA`; null when unset or missing. Only the data build scripts and the tests
 * that rebuild bundled files from their sources read it: a run never needs it.
 */
export function sourceDataDir(): string | null {
  const dir = process.env['PLMBENCH_SOURCE_DATA'];
  return dir && existsSync(dir) ? resolve(dir) : null;
}

/** A path inside the source-data folder, or null when the folder is not given. */
export function sourceDataPath(...parts: string[]): string | null {
  const dir = sourceDataDir();
  return dir === null ? null : join(dir, ...parts);
}

/** Like sourceDataPath, for build scripts: refuses to go on without the folder. */
export function requireSourceDataPath(...parts: string[]): string {
  const p = sourceDataPath(...parts);
  if (p === null)
    throw new Error(
      `set PLMBENCH_SOURCE_DATA to the source-data folder (it must hold ${parts.join('/')}), or pass the source path as an argument`,
    );
  return p;
}
