import { BenchError } from '../util/errors.js';
import { excerpt, readTextMaybeGzip } from '../util/fs.js';

export interface FastaRecord {
  /** First word of the header, without `>`. */
  id: string;
  /** The whole header line, without `>`. */
  header: string;
  sequence: string;
  /** 1-based line number of the header, for error messages. */
  line: number;
}

/**
 * Parses FASTA text. Sequence lines are concatenated with whitespace removed; `*` at the very end
 * (a stop codon some exporters write) is dropped. Letters are upper-cased. Ids must be distinct:
 * results are keyed by id, so a repeated id would be scored twice and paired once.
 */
export function parseFasta(text: string, source: string): FastaRecord[] {
  const records: FastaRecord[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  let cur: { header: string; line: number; chunks: string[] } | null = null;
  const flush = () => {
    if (!cur) return;
    let seq = cur.chunks.join('').replace(/\s+/g, '').toUpperCase();
    if (seq.endsWith('*')) seq = seq.slice(0, -1);
    const id = cur.header.split(/\s+/)[0] ?? '';
    if (id === '') throw new BenchError('E_DATA', `${source}:${cur.line}: empty FASTA header`);
    if (seq.length === 0) throw new BenchError('E_DATA', `${source}:${cur.line}: record ${excerpt(id)} has no sequence`);
    const first = firstLine.get(id);
    if (first !== undefined)
      throw new BenchError('E_DATA', `${source}:${cur.line}: duplicate id ${excerpt(id)} (first at line ${first}); ids must be distinct`);
    firstLine.set(id, cur.line);
    records.push({ id, header: cur.header, sequence: seq, line: cur.line });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('>')) {
      flush();
      cur = { header: line.slice(1).trim(), line: i + 1, chunks: [] };
    } else if (line.trim() !== '') {
      if (!cur) throw new BenchError('E_DATA', `${source}:${i + 1}: sequence line before the first '>' header`);
      cur.chunks.push(line);
    }
  }
  flush();
  if (records.length === 0) throw new BenchError('E_DATA', `${source}: no FASTA records`);
  return records;
}

/** Reads a FASTA file, gzipped or not. */
export function readFasta(path: string): FastaRecord[] {
  return parseFasta(readTextMaybeGzip(path), path);
}

export function formatFasta(records: { id: string; header?: string; sequence: string }[], width = 60): string {
  const out: string[] = [];
  for (const r of records) {
    out.push(`>${r.header ?? r.id}`);
    for (let i = 0; i < r.sequence.length; i += width) out.push(r.sequence.slice(i, i + width));
  }
  return out.join('\n') + '\n';
}
