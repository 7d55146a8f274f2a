import { BenchError } from '../util/errors.js';
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
  'fail-fast': { type: 'boolean', default: false },
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
}

type Raw = Record<string, string | boolean | string[] | undefined>;

/**
 * Turns parsed flags into run options: numbers parsed explicitly, enums checked, pairs split,
 * conflicts rejected. Every message names the flag, the rule and what was received.
 */
export function normalizeRunOptions(raw: Raw, positionalTasks: string[] = []): RunOptions {
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as string[]) : []);
  const model = str('model');
  if (!model) throw new BenchError('E_USAGE', '--model: required (path to an .onnx file)');
  const tier = str('tier') ?? 'full';
  if (tier !== 'smoke' && tier !== 'full') throw new BenchError('E_USAGE', `--tier: must be smoke or full, got "${tier}"`);
  const ep = parseEp(str('ep') ?? 'auto');
  const seed = parseInteger('--seed', str('seed') ?? '0', 0);
  if (raw['no-cache'] && str('cache-dir')) throw new BenchError('E_USAGE', '--no-cache and --cache-dir conflict: give one of them');
  const flagTasks = str('tasks')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  if (flagTasks.length > 0 && positionalTasks.length > 0) throw new BenchError('E_USAGE', '--tasks and task names after "run" conflict: give one of them');
  const tasks = [...positionalTasks, ...flagTasks];
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
  };
  if (str('card')) opts.card = str('card')!;
  if (str('out')) opts.out = str('out')!;
  if (str('max-tokens')) opts.maxTokens = parseInteger('--max-tokens', str('max-tokens')!, 16);
  if (str('max-batch')) opts.maxBatch = parseInteger('--max-batch', str('max-batch')!, 1);
  if (str('threads')) opts.threads = parseInteger('--threads', str('threads')!, 0);
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
  if (trainTokens !== undefined) cardFlags.trainTokens = parseNumber('--train-tokens', trainTokens);
  return cardFlags;
}

export function parseInteger(flag: string, s: string, min: number): number {
  if (!/^-?\d+$/.test(s.trim())) throw new BenchError('E_USAGE', `${flag}: must be an integer, got "${s}"`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min) throw new BenchError('E_USAGE', `${flag}: must be an integer >= ${min}, got "${s}"`);
  return n;
}

export function parseNumber(flag: string, s: string): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n <= 0) throw new BenchError('E_USAGE', `${flag}: must be a positive number, got "${s}"`);
  return n;
}

function splitOnce(s: string, sep: string, flag: string, form: string): [string, string] {
  const i = s.indexOf(sep);
  if (i <= 0 || i === s.length - 1) throw new BenchError('E_USAGE', `${flag}: must be ${form}, got "${s}"`);
  return [s.slice(0, i), s.slice(i + 1)];
}
