import { availableParallelism } from 'node:os';
import { BenchError } from '../util/errors.js';
import { DEFAULT_READ_LIMITS, type ReadLimits } from '../util/fs.js';
import { parseEp, type EpChoice } from '../model/session.js';
import type { Tier } from '../task/types.js';
import type { CardFlags } from '../model/card.js';

/** Flags shared by `bench all` and `bench run`, as util.parseArgs declares them. */
export const RUN_FLAGS = {
  model: { type: 'string' },
  card: { type: 'string' },
  tasks: { type: 'string' },
  tier: { type: 'string', default: 'full' },
  ep: { type: 'string', default: 'auto' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  seed: { type: 'string', default: '0' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  data: { type: 'string', multiple: true },
  option: { type: 'string', multiple: true },
  'tasks-dir': { type: 'string', multiple: true },
  'max-tokens': { type: 'string' },
  'max-batch': { type: 'string' },
  threads: { type: 'string' },
  objective: { type: 'string' },
  vocab: { type: 'string' },
  'max-length': { type: 'string' },
  'train-tokens': { type: 'string' },
  'ref-model': { type: 'string' },
  'ref-card': { type: 'string' },
  law: { type: 'string' },
  'follow-symlinks': { type: 'boolean', default: false },
  'max-input-mb': { type: 'string' },
  'max-record-kb': { type: 'string' },
  'fail-fast': { type: 'boolean', default: false },
  shard: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface RunOptions {
  model: string;
  card?: string;
  tasks: string[] | null;
  tier: Tier;
  ep: EpChoice;
  out?: string;
  json: boolean;
  seed: number;
  cacheDir: string | null | undefined;
  data: Record<string, string>;
  options: Record<string, Record<string, string>>;
  tasksDirs: string[];
  maxTokens?: number;
  maxBatch?: number;
  threads?: number;
  cardFlags: CardFlags;
  refModel?: string;
  refCard?: string;
  /** Scaling-law set id (results/baselines/scaling-laws.json) for the frontier; overrides the card's scalingLaw. */
  law?: string;
  failFast: boolean;
  quiet: boolean;
  /** Data paths may be symlinks that resolve outside their data folder. */
  followSymlinks: boolean;
  readLimits: ReadLimits;
}

type Raw = Record<string, string | boolean | string[] | undefined>;

/**
 * Turns parsed flags into run options: numbers parsed explicitly, enums checked, pairs split,
 * conflicts rejected. Every message names the flag, the rule and what was received.
 */
export function normalizeRunOptions(raw: Raw, positionalTasks: string[] = []): RunOptions {
  const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const list = (k: string) => (Array.isArray(raw[k]) ? raw[k] : []);
  const model = str('model');
  if (!model) throw new BenchError('E_USAGE', '--model: required (path to an .onnx file)');
  const tier = str('tier') ?? 'full';
  if (tier !== 'smoke' && tier !== 'full') throw new BenchError('E_USAGE', `--tier: must be smoke or full, got "${tier}"`);
  const ep = parseEp(str('ep') ?? 'auto');
  const seed = parseInteger('--seed', str('seed') ?? '0', 0);
  if (raw['no-cache'] && str('cache-dir')) throw new BenchError('E_USAGE', '--no-cache and --cache-dir conflict: give one of them');
  const flagTasks =
    str('tasks')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  if (str('tasks') !== undefined && flagTasks.length === 0)
    throw new BenchError('E_USAGE', `--tasks: name at least one task, got "${str('tasks')}"`);
  if (flagTasks.length > 0 && positionalTasks.length > 0)
    throw new BenchError('E_USAGE', '--tasks and task names after "run" conflict: give one of them');
  const tasks = [...positionalTasks, ...flagTasks];
  const twice = tasks.find((t, i) => tasks.indexOf(t) !== i);
  if (twice !== undefined) throw new BenchError('E_USAGE', `task "${twice}" named twice (it would run twice, at double cost)`);
  const data: Record<string, string> = {};
  for (const d of list('data')) {
    const [task, path] = splitOnce(d, '=', '--data', 'TASK=PATH');
    if (data[task]) throw new BenchError('E_USAGE', `--data: given twice for task "${task}"`);
    data[task] = path;
  }
  const options: Record<string, Record<string, string>> = {};
  for (const o of list('option')) {
    const [lhs, value] = splitOnce(o, '=', '--option', 'TASK.KEY=VALUE');
    const [task, key] = splitOnce(lhs, '.', '--option', 'TASK.KEY=VALUE');
    if (options[task]?.[key] !== undefined) throw new BenchError('E_USAGE', `--option ${task}.${key}: given twice`);
    (options[task] ??= {})[key] = value;
  }
  const cardFlags = parseCardFlags(str);
  const opts: RunOptions = {
    model,
    tasks: tasks.length > 0 ? tasks : null,
    tier,
    ep,
    json: Boolean(raw['json']),
    seed,
    cacheDir: raw['no-cache'] ? null : str('cache-dir'),
    data,
    options,
    tasksDirs: list('tasks-dir'),
    cardFlags,
    failFast: Boolean(raw['fail-fast']),
    quiet: Boolean(raw['quiet']),
    followSymlinks: Boolean(raw['follow-symlinks']),
    readLimits: {
      maxInputBytes: str('max-input-mb')
        ? parseInteger('--max-input-mb', str('max-input-mb')!, 1) * 1048576
        : DEFAULT_READ_LIMITS.maxInputBytes,
      maxRecordBytes: str('max-record-kb')
        ? parseInteger('--max-record-kb', str('max-record-kb')!, 1) * 1024
        : DEFAULT_READ_LIMITS.maxRecordBytes,
    },
  };
  if (str('card')) opts.card = str('card')!;
  if (str('out')) opts.out = str('out')!;
  if (str('max-tokens')) opts.maxTokens = parseInteger('--max-tokens', str('max-tokens')!, 16);
  if (str('max-batch')) opts.maxBatch = parseInteger('--max-batch', str('max-batch')!, 1);
  if (str('threads')) {
    // More threads than cores only slows onnxruntime down; 0 leaves the choice to it.
    const cores = availableParallelism();
    opts.threads = parseInteger('--threads', str('threads')!, 0);
    if (opts.threads > cores)
      throw new BenchError('E_USAGE', `--threads: at most ${cores} (the cores of this machine), got "${str('threads')}"`);
  }
  if (str('ref-model')) opts.refModel = str('ref-model')!;
  if (str('law')) opts.law = str('law')!;
  if (str('ref-card')) {
    if (!opts.refModel) throw new BenchError('E_USAGE', '--ref-card needs --ref-model');
    opts.refCard = str('ref-card')!;
  }
  return opts;
}

/**
 * Card fields given as flags (--objective, --vocab, --max-length, --train-tokens), numbers parsed;
 * `str(flag)` is the flag's value, undefined when not given.
 */
export function parseCardFlags(str: (flag: 'objective' | 'vocab' | 'max-length' | 'train-tokens') => string | undefined): CardFlags {
  const cardFlags: CardFlags = {};
  const objective = str('objective');
  const vocab = str('vocab');
  const maxLength = str('max-length');
  const trainTokens = str('train-tokens');
  if (objective !== undefined) cardFlags.objective = objective;
  if (vocab !== undefined) cardFlags.vocab = vocab;
  if (maxLength !== undefined) cardFlags.maxLength = parseInteger('--max-length', maxLength, 8);
  if (trainTokens !== undefined) cardFlags.trainTokens = parseNumber('--train-tokens', trainTokens, MAX_TRAIN_TOKENS);
  return cardFlags;
}

export function parseInteger(flag: string, s: string, min: number): number {
  if (!/^-?\d+$/.test(s.trim())) throw new BenchError('E_USAGE', `${flag}: must be an integer, got "${s}"`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min) throw new BenchError('E_USAGE', `${flag}: must be an integer >= ${min}, got "${s}"`);
  return n;
}

/**
 * Largest training set a flag may claim: 1e15 tokens, about 10,000 times the largest protein corpus
 * (UniRef/BFD-scale sets hold ~1e11-1e12 residues). Far larger values are typos, and their compute
 * (6 x params x tokens) overflows what the result schema accepts only after the whole run.
 */
export const MAX_TRAIN_TOKENS = 1e15;

export function parseNumber(flag: string, s: string, max = Number.MAX_VALUE): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n <= 0) throw new BenchError('E_USAGE', `${flag}: must be a positive number, got "${s}"`);
  if (n > max) throw new BenchError('E_USAGE', `${flag}: at most ${max}, got "${s}"`);
  return n;
}

function splitOnce(s: string, sep: string, flag: string, form: string): [string, string] {
  const i = s.indexOf(sep);
  if (i <= 0 || i === s.length - 1) throw new BenchError('E_USAGE', `${flag}: must be ${form}, got "${s}"`);
  return [s.slice(0, i), s.slice(i + 1)];
}

/** Bounds of a card's compute fields: far above any model trained (~1e12 parameters, ~1e26 FLOPs), far below overflow. */
const CARD_BOUNDS: Record<string, number> = { params: 1e13, paramsTotal: 1e13, trainTokens: MAX_TRAIN_TOKENS, trainFlops: 1e30 };

/**
 * Refuses a card whose compute cannot be right before any task runs (a card with `params: 1e200`
 * otherwise ran every task and then failed the result's validation). `where` names the card.
 */
export function assertCardCompute(card: Record<string, unknown>, where: string): void {
  for (const [k, max] of Object.entries(CARD_BOUNDS)) {
    const v = card[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max)
      throw new BenchError('E_CARD', `${where}: ${k} ${JSON.stringify(v)} is not plausible (a positive number at most ${max})`);
  }
}
