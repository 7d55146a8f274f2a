/** Shared helpers of the contacts task tests: bundled chains, one-off structure folders, oracle models. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { buildContactOracle, type ContactOracleSpec } from '../../../models/fixtures/contact-oracle.js';
import { writeFixture } from '../../../models/fixtures/write.js';
import type { StructureEntry } from '../../../src/bio/index.js';
import { builtinTasksDir } from '../../../src/util/paths.js';
import { loadBundled, type BundledData } from '../../../tasks/contacts/data.js';
import { MIN_SEPARATION } from '../../../src/contacts/index.js';
import { tempDir } from '../../helpers/tmp.js';

export const TASK_DIR = resolve(builtinTasksDir, 'contacts');
export const DATA_DIR = join(TASK_DIR, 'data');

let bundled: Promise<BundledData> | null = null;
export function bundledChains(): Promise<BundledData> {
  bundled ??= loadBundled(TASK_DIR);
  return bundled;
}

export function indexRows(): Record<string, string>[] {
  return parse(readFileSync(join(DATA_DIR, 'index.csv')), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

function csvLine(values: string[]): string {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

/**
 * A structure folder in the bundled layout holding the given bundled chains; `edit` may change a row
 * (the index row as a record) or return the bytes to write instead of the chain's file.
 */
export function structureFolder(ids: string[], edit?: (row: Record<string, string>) => Uint8Array | string | void): string {
  const dir = tempDir('plmbench-contacts-');
  const rows = indexRows();
  const header = Object.keys(rows[0]!);
  const lines = [csvLine(header)];
  for (const id of ids) {
    const row = { ...rows.find((r) => r['shiftx2_id'] === id)! };
    const replacement = edit?.(row);
    const dest = join(dir, row['file']!);
    mkdirSync(dirname(dest), { recursive: true });
    if (replacement !== undefined) writeFileSync(dest, replacement);
    else copyFileSync(join(DATA_DIR, rows.find((r) => r['shiftx2_id'] === id)!['file']!), dest);
    lines.push(csvLine(header.map((h) => row[h] ?? '')));
  }
  writeFileSync(join(dir, 'index.csv'), lines.join('\n') + '\n');
  return dir;
}

/** Writes a contact oracle (see models/fixtures/contact-oracle.ts) knowing these chains, with its card. */
export function oracleModel(chains: StructureEntry[], opts: Omit<ContactOracleSpec, 'chains'> = {}, dir = tempDir()): string {
  const spec: ContactOracleSpec = { chains, ...opts };
  const maxLength = opts.maxLength ?? chains.reduce((m, c) => Math.max(m, c.length + 2), 0);
  return writeFixture(dir, `contact-oracle${opts.contacts ? '-head' : ''}`, buildContactOracle({ ...spec, maxLength }), {
    id: 'contact-oracle',
    objective: 'mlm',
    vocab: 'esm',
    maxLength,
    trainTokens: 1e6,
  });
}

/** True contacts of a chain in a separation range (both residues observed), counted from its map. */
export function contactsInRange(e: StructureEntry, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < e.length; i++) {
    for (let j = i + Math.max(lo, MIN_SEPARATION); j < Math.min(e.length, i + hi); j++) {
      if (e.observed[i] && e.observed[j] && e.contacts[i * e.length + j]) n++;
    }
  }
  return n;
}
