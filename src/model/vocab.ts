import { BenchError } from '../util/errors.js';

/** A custom token table, as a model card may give it. */
export interface VocabTable {
  tokens: string[];
  pad: string;
  /** Token put before the residues (ESM `<cls>`, ProGen2 `1`). */
  start?: string;
  /** Token put after the residues (ESM `<eos>`, ProGen2 `2`). */
  end?: string;
  mask?: string;
  unk?: string;
  /** Start and end tokens of the reversed (C-to-N) direction, for models trained in both. */
  reverseStart?: string;
  reverseEnd?: string;
  /**
   * Residue letters match either case (`a` encodes as `A` when only `A` is in the table). Off by
   * default: a table with both `A` and `a` means two tokens, and folding them would encode one as the other.
   */
  caseInsensitive?: boolean;
}

export type VocabPreset = 'esm' | 'progen2';
export type VocabSpec = VocabPreset | VocabTable;
export type Direction = 'forward' | 'reverse';

const ESM_TOKENS = [
  '<cls>',
  '<pad>',
  '<eos>',
  '<unk>',
  'L',
  'A',
  'G',
  'V',
  'S',
  'E',
  'R',
  'T',
  'I',
  'D',
  'P',
  'K',
  'Q',
  'N',
  'F',
  'Y',
  'M',
  'H',
  'W',
  'C',
  'X',
  'B',
  'U',
  'Z',
  'O',
  '.',
  '-',
  '<null_1>',
  '<mask>',
];

const PROGEN2_TOKENS = [
  '<|pad|>',
  '<|bos|>',
  '<|eos|>',
  '1',
  '2',
  ...'ABCDEFGHIKLMNOPQRSTUVWXYZ'.split(''),
  '<|unused30|>',
  '<|unused31|>',
];

const PRESETS: Record<VocabPreset, VocabTable> = {
  esm: { tokens: ESM_TOKENS, pad: '<pad>', start: '<cls>', end: '<eos>', mask: '<mask>', unk: '<unk>' },
  progen2: { tokens: PROGEN2_TOKENS, pad: '<|pad|>', start: '1', end: '2', reverseStart: '2', reverseEnd: '1' },
};

/** Tokens that are never residues even when they are one character long. */
const NON_RESIDUE = new Set(['.', '-', '1', '2']);

/**
 * Maps protein sequences to token ids and back. Residues are single letters; special tokens are
 * added around them as the vocabulary prescribes.
 */
export class Vocabulary {
  readonly name: string;
  readonly tokens: readonly string[];
  readonly size: number;
  readonly pad: number;
  readonly start: number | null;
  readonly end: number | null;
  readonly mask: number | null;
  readonly unk: number | null;
  readonly reverseStart: number | null;
  readonly reverseEnd: number | null;
  private readonly letterToId: Int16Array;

  constructor(name: string, table: VocabTable) {
    this.name = name;
    this.tokens = table.tokens;
    this.size = table.tokens.length;
    const id = (tok: string | undefined, role: string): number | null => {
      if (tok === undefined) return null;
      const i = table.tokens.indexOf(tok);
      if (i < 0) throw new BenchError('E_CARD', `vocabulary ${name}: ${role} token "${tok}" is not in the token table`);
      return i;
    };
    this.pad = id(table.pad, 'pad')!;
    this.start = id(table.start, 'start');
    this.end = id(table.end, 'end');
    this.mask = id(table.mask, 'mask');
    this.unk = id(table.unk, 'unk');
    this.reverseStart = id(table.reverseStart, 'reverseStart');
    this.reverseEnd = id(table.reverseEnd, 'reverseEnd');
    this.letterToId = new Int16Array(128).fill(-1);
    const letters = table.tokens
      .map((tok, i) => [tok, i] as const)
      .filter(([tok]) => tok.length === 1 && /[A-Za-z]/.test(tok) && !NON_RESIDUE.has(tok));
    for (const [tok, i] of letters) this.letterToId[tok.charCodeAt(0)] = i;
    if (table.caseInsensitive) {
      for (const [tok, i] of letters) {
        for (const other of [tok.toUpperCase(), tok.toLowerCase()])
          if (this.letterToId[other.charCodeAt(0)]! < 0) this.letterToId[other.charCodeAt(0)] = i;
      }
    }
  }

  static from(spec: VocabSpec): Vocabulary {
    if (typeof spec === 'string') {
      // spec comes from a card's JSON: any string can arrive here whatever its type says.
      const table = (PRESETS as Partial<Record<string, (typeof PRESETS)[keyof typeof PRESETS]>>)[spec];
      if (!table) throw new BenchError('E_CARD', `vocab: must be esm, progen2 or a token table, got "${spec}"`);
      return new Vocabulary(spec, table);
    }
    return new Vocabulary('custom', spec);
  }

  /** Number of special tokens around the residues of one sequence. */
  get specialCount(): number {
    return (this.start === null ? 0 : 1) + (this.end === null ? 0 : 1);
  }

  get hasReverse(): boolean {
    return this.reverseStart !== null || this.reverseEnd !== null;
  }

  /** Token id of a residue letter, or -1 when the vocabulary has none. */
  residueId(letter: string): number {
    const c = letter.charCodeAt(0);
    return c < 128 ? this.letterToId[c]! : -1;
  }

  /**
   * Index of the first letter the vocabulary cannot encode, or -1. Callers turn it into an error
   * that names their record and position.
   */
  firstInvalid(sequence: string): number {
    for (let i = 0; i < sequence.length; i++) {
      const c = sequence.charCodeAt(i);
      if (c >= 128 || this.letterToId[c]! < 0) return i;
    }
    return -1;
  }

  /**
   * Token ids of a sequence with its special tokens. `reverse` reads the residues C to N between the
   * reverse start and end tokens (ProGen2: `2` + reversed residues + `1`).
   */
  encode(sequence: string, direction: Direction = 'forward'): Int32Array {
    if (direction === 'reverse' && !this.hasReverse) {
      throw new BenchError('E_USAGE', `vocabulary ${this.name} has no reverse direction`);
    }
    const startId = direction === 'forward' ? this.start : this.reverseStart;
    const endId = direction === 'forward' ? this.end : this.reverseEnd;
    const n = sequence.length;
    const out = new Int32Array(n + (startId === null ? 0 : 1) + (endId === null ? 0 : 1));
    let k = 0;
    if (startId !== null) out[k++] = startId;
    for (let i = 0; i < n; i++) {
      const letter = direction === 'forward' ? sequence[i]! : sequence[n - 1 - i]!;
      const t = this.residueId(letter);
      if (t < 0) {
        const pos = direction === 'forward' ? i : n - 1 - i;
        throw new BenchError('E_DATA', `letter "${sequence[pos]}" at residue ${pos + 1} is not in the ${this.name} vocabulary`);
      }
      out[k++] = t;
    }
    if (endId !== null) out[k] = endId;
    return out;
  }

  /** Offset of residue 0 in an encoded sequence. */
  get residueOffset(): number {
    return this.start === null ? 0 : 1;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const tok = this.tokens[ids[i]!];
      if (tok !== undefined && tok.length === 1 && this.residueId(tok) >= 0) s += tok;
    }
    return s;
  }
}
