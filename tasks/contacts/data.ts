/**
 * The task's data: the bundled structures (verified against their manifest), the fixed split, a user's
 * structure folder (`--data contacts=DIR`), and the published ESM-2 reference points.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadStructureSet, type StructureEntry, type StructureSet } from '../../src/bio/index.js';
import type { BaselineSet, DataFileInfo } from '../../src/task/index.js';
import { describeDataFile } from '../../src/task/index.js';
import { BenchError } from '../../src/util/errors.js';
import { sha256 } from '../../src/util/hash.js';
import { SPLIT_HEADER } from './split.js';
import { CONVENTION_INFO, PUBLISHED_CONVENTION, type Convention } from './convention.js';

export const BUNDLED = {
  index: 'data/index.csv',
  split: 'data/split.csv',
  manifest: 'data/structures.sha256',
  published: 'data/published_esm2.json',
} as const;

export interface BundledData {
  train: StructureEntry[];
  eval: StructureEntry[];
  /** Evaluation chains of the smoke tier. */
  smoke: Set<string>;
  files: DataFileInfo[];
  /** The published ESM-2 points (`data/published_esm2.json`). */
  published: Published;
}

const memo = new Map<string, Promise<StructureSet>>();

/**
 * Reads `data/structures.sha256` (`sha256sum` format, paths relative to `data/`) and checks every listed
 * file against it, and that every file the index names is listed.
 */
function verifyManifest(taskDir: string, indexFiles: string[]): { info: DataFileInfo; digest: string } {
  const path = join(taskDir, BUNDLED.manifest);
  const bytes = readFileSync(path);
  const listed = new Map<string, string>();
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((line, k) => {
      if (line.trim() === '') return;
      const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!m) throw new BenchError('E_DATA', `${path}:${k + 1}: not a "sha256  file" line`);
      listed.set(m[2]!, m[1]!);
    });
  for (const [file, want] of listed) {
    const got = sha256(readFileSync(join(taskDir, 'data', file)));
    if (got !== want)
      throw new BenchError(
        'E_DATA',
        `${join(taskDir, 'data', file)}: sha256 ${got} does not match ${BUNDLED.manifest} (${want}); the bundled data was modified`,
      );
  }
  for (const f of indexFiles) {
    if (!listed.has(f)) throw new BenchError('E_DATA', `${join(taskDir, BUNDLED.index)}: ${f} is not listed in ${BUNDLED.manifest}`);
  }
  const info = describeDataFile(path, BUNDLED.manifest, listed.size, bytes);
  return { info, digest: info.sha256 };
}

interface SplitLine {
  id: string;
  length: number;
  role: 'train' | 'eval';
  smoke: boolean;
}

function readSplit(path: string): { lines: SplitLine[]; bytes: Buffer } {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  if (text.split('\n')[0] !== SPLIT_HEADER) throw new BenchError('E_DATA', `${path}: header must be ${SPLIT_HEADER}`);
  const rows = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
  const lines = rows.map((r, k): SplitLine => {
    const role = r['role'];
    if (role !== 'train' && role !== 'eval')
      throw new BenchError('E_DATA', `${path}:${k + 2}: role must be train or eval, got ${JSON.stringify(role)}`);
    return { id: r['id']!, length: Number(r['length']), role, smoke: r['smoke'] === '1' };
  });
  return { lines, bytes };
}

/** The bundled chains, split into regression (train) and evaluation chains, their contacts under `convention`. */
export async function loadBundled(taskDir: string, convention: Convention = PUBLISHED_CONVENTION): Promise<BundledData> {
  const indexPath = join(taskDir, BUNDLED.index);
  const indexBytes = readFileSync(indexPath);
  const indexRows = parse<Record<string, string>>(indexBytes, { columns: true, skip_empty_lines: true });
  const index = describeDataFile(indexPath, BUNDLED.index, indexRows.length, indexBytes);
  const manifest = verifyManifest(
    taskDir,
    indexRows.map((r) => r['file'] ?? ''),
  );
  const split = readSplit(join(taskDir, BUNDLED.split));
  const key = `${taskDir}|${index.sha256}|${manifest.digest}|${convention}`;
  let pending = memo.get(key);
  if (!pending) {
    pending = loadStructureSet(join(taskDir, 'data'), { virtualCb: CONVENTION_INFO[convention].virtualCb });
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  const set = await pending;
  const byId = new Map(set.entries.map((e) => [e.id, e]));
  if (split.lines.length !== set.entries.length) {
    throw new BenchError(
      'E_DATA',
      `${join(taskDir, BUNDLED.split)}: ${split.lines.length} rows, but ${BUNDLED.index} has ${set.entries.length} chains`,
    );
  }
  const train: StructureEntry[] = [];
  const evaluation: StructureEntry[] = [];
  const smoke = new Set<string>();
  for (const line of split.lines) {
    const e = byId.get(line.id);
    if (!e || e.length !== line.length) {
      throw new BenchError(
        'E_DATA',
        `${join(taskDir, BUNDLED.split)}: chain ${line.id} (length ${line.length}) does not match ${BUNDLED.index}`,
      );
    }
    (line.role === 'train' ? train : evaluation).push(e);
    if (line.smoke) smoke.add(line.id);
  }
  const publishedPath = join(taskDir, BUNDLED.published);
  const publishedBytes = readFileSync(publishedPath);
  const published = parsePublished(publishedBytes);
  return {
    train,
    eval: evaluation,
    smoke,
    files: [
      index,
      describeDataFile(join(taskDir, BUNDLED.split), BUNDLED.split, split.lines.length, split.bytes),
      manifest.info,
      describeDataFile(publishedPath, BUNDLED.published, published.models.length, publishedBytes),
    ],
    published,
  };
}

/** A user's structure folder: every chain is evaluated. Errors name the file (from `src/bio`). */
export async function loadUserStructures(
  dir: string,
  convention: Convention = PUBLISHED_CONVENTION,
): Promise<{ entries: StructureEntry[]; files: DataFileInfo[] }> {
  if (!existsSync(dir))
    throw new BenchError('E_DATA', `${dir}: not found (--data contacts= takes a folder with an index.csv and structure files)`);
  if (!statSync(dir).isDirectory())
    throw new BenchError('E_DATA', `${dir}: not a folder (--data contacts= takes a folder with an index.csv and structure files)`);
  const set = await loadStructureSet(dir, { virtualCb: CONVENTION_INFO[convention].virtualCb });
  if (set.entries.length === 0) throw new BenchError('E_DATA', `${set.index.path}: no chains listed`);
  return {
    entries: set.entries,
    files: [
      { file: set.index.path, sha256: set.index.sha256, rows: set.index.rows },
      ...set.entries.map((e) => ({ file: join(dir, e.file), sha256: e.sha256, rows: 1 })),
    ],
  };
}

export interface PublishedModel {
  id: string;
  label: string;
  casp14: number;
  cameo: number;
}

export interface Published {
  description: string;
  metric: string;
  source: string;
  models: PublishedModel[];
}

function parsePublished(bytes: Buffer): Published {
  return JSON.parse(bytes.toString('utf8')) as Published;
}

export function readPublished(taskDir: string): Published {
  return parsePublished(readFileSync(join(taskDir, BUNDLED.published)));
}

/**
 * The published ESM-2 points as two `published` baseline sets, one per benchmark. CAMEO comes first (the set a
 * matched-compute comparison takes when nothing same-data exists): its targets are ordinary new PDB entries,
 * closer to this task's chains than CASP14's hard free-modelling targets. Each says which convention produced the
 * numbers (ESM's evaluation) and whether this run used it (`protocol.same`): under the SEQRES convention a
 * comparison gets no verdict (`protocol-differs`).
 */
export function publishedBaselines(p: Published, convention: Convention = PUBLISHED_CONVENTION): BaselineSet[] {
  const same = convention === PUBLISHED_CONVENTION;
  const words = same
    ? "Scored here with ESM's convention (L = observed residues, ESM's virtual Cβ for every residue), as the published numbers were."
    : `Scored here with the ${convention} convention, the published numbers with ESM's (L = observed residues, ESM's virtual Cβ): protocol differs, so no verdict against them.`;
  const set = (bench: 'casp14' | 'cameo', name: string): BaselineSet => ({
    kind: 'published',
    source: p.source,
    description: `published, different proteins (${name}): ESM-2 top-L long-range precision on ${name}, not on this task's chains. ${words}`,
    scores: Object.fromEntries(p.models.map((m) => [m.id, { [p.metric]: m[bench] }])),
    protocol: { baseline: PUBLISHED_CONVENTION, run: convention, same },
  });
  return [set('cameo', 'CAMEO Apr-Jun 2022'), set('casp14', 'CASP14')];
}
