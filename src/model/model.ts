import { existsSync, statSync } from 'node:fs';
import type * as Ort from 'onnxruntime-node';
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { BenchError, isBenchError } from '../util/errors.js';
import { sha256File, sha256Tokens } from '../util/hash.js';
import { stableStringify } from '../util/json.js';
import type { CachedArray } from '../cache/store.js';
import type { CacheLike } from './cache-layers.js';
import type { ShardSession } from './shard-plan.js';
import { resolveCard, type CardFlags, type CardSource, type ModelCard } from './card.js';
import { notOnnxProblem } from './file-kind.js';
import { capabilitiesOf, resolveIo, type IoMap, type Need, type OutputName } from './contract.js';
import { countParams, modelPrecision, readOnnxFile, type OnnxFileInfo, type ParamCount, type Precision } from './onnx/file.js';
import { DEFAULT_BATCH_POLICY, Runner, newMeter, type BatchPolicy, type ForwardRequest, type ForwardSpec, type Meter } from './runner.js';
import { openSession, type EpChoice, type EpName, type GpuAdapter } from './session.js';
import { Vocabulary, type Direction } from './vocab.js';

export interface LoadOptions {
  cardPath?: string;
  cardFlags?: CardFlags;
  ep: EpChoice;
  threads?: number;
  batch?: Partial<BatchPolicy>;
  cache: CacheLike;
  /** Told about each provider that could not start under `--ep auto`. */
  onFallback?: (ep: EpName, reason: string) => void;
}

/** Shapes read from the graph's output declarations (null where symbolic). */
export interface ModelShape {
  layers: number | null;
  heads: number | null;
  hiddenSize: number | null;
}

/** The model as tasks see it. Every forward pass goes through `forward`, batched and cached. */
export interface ModelHandle {
  readonly path: string;
  readonly sha256: string;
  readonly card: ModelCard;
  readonly vocab: Vocabulary;
  readonly ep: EpName;
  readonly precision: string;
  /**
   * Identity of what a forward pass computes: the model hash plus everything from the card and the
   * runtime that changes outputs for the same token ids (I/O names, vocabulary, objective, maximum
   * length, provider, precision). Every cache key starts with it, so fixing a card invalidates results.
   */
  readonly computeKey: string;
  readonly capabilities: ReadonlySet<Need>;
  readonly shape: ModelShape;
  /** Maximum tokens per input, special tokens included. */
  readonly maxLength: number;
  /** Maximum residues per input: `maxLength` minus the special tokens. */
  readonly maxResidues: number;
  /** Graph names of the contract's inputs and outputs (incremental-decoding inputs included, when exported). */
  readonly io: IoMap;
  encode(sequence: string, direction?: Direction): Int32Array;
  /** Runs the requests in bulk and returns one reduced array per request, in request order. */
  forward(requests: ForwardRequest[], spec: ForwardSpec, onProgress?: (done: number, total: number) => void): Promise<CachedArray[]>;
}

export interface LoadedModel extends ModelHandle {
  readonly info: OnnxFileInfo;
  readonly cardSource: CardSource;
  readonly cardFile?: string;
  readonly cardOverridden: string[];
  readonly params: ParamCount;
  /** How `precision` was derived: the weights' and the logits' float types (onnx/file.ts, modelPrecision). */
  readonly precisionOf: Precision;
  readonly fallbacks: { ep: EpName; reason: string }[];
  /** The WebGPU adapter (inferred; see GpuAdapter) when the provider is WebGPU. */
  readonly adapter?: GpuAdapter;
  /** The batching policy of the run (defaults merged with the user's budgets). */
  readonly batchPolicy: Readonly<BatchPolicy>;
  /** The runtime session, for measurements against the runtime itself (bench:perf). Tasks use `forward`. */
  readonly session: Ort.InferenceSession;
  /**
   * A view of the model that adds its work to `meter` (one per task); with a shard session, its
   * forward passes are those of one shard of a sharded run (shard-plan.ts).
   */
  metered(meter: Meter, shard?: ShardSession): ModelHandle;
  release(): Promise<void>;
}

/**
 * Loads an exported model: reads the graph, resolves the card and vocabulary, maps the I/O contract,
 * counts parameters, hashes the file (and its external data), and opens a session on the provider.
 */
export async function loadModel(path: string, opts: LoadOptions): Promise<LoadedModel> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new BenchError('E_MODEL', `${path}: model file not found`);
  if (statSync(abs).isDirectory()) throw new BenchError('E_MODEL', `${path}: is a directory, not an ONNX file`);
  const notOnnx = notOnnxProblem(abs);
  if (notOnnx) throw new BenchError('E_MODEL', `${path}: ${notOnnx}`);
  const info = readOnnxFile(abs);
  const resolved = resolveCard(abs, info, {
    ...(opts.cardPath ? { cardPath: opts.cardPath } : {}),
    ...(opts.cardFlags ? { flags: opts.cardFlags } : {}),
  });
  const card = resolved.card;
  let vocab: Vocabulary;
  try {
    vocab = Vocabulary.from(card.vocab);
  } catch (e) {
    if (isBenchError(e)) throw new BenchError(e.code, `${resolved.file ?? path}: ${e.message}`);
    throw e;
  }
  if (card.objective === 'mlm' && vocab.mask === null) {
    throw new BenchError('E_CARD', `${resolved.file ?? path}: a masked LM needs a mask token in its vocabulary`);
  }
  if (card.objective === 'clm' && vocab.start === null) {
    // Without a start token the first residue is never predicted: perplexities and likelihood ratios
    // would silently leave it out.
    throw new BenchError(
      'E_CARD',
      `${resolved.file ?? path}: a causal LM needs a start token in its vocabulary (the first residue is predicted from it)`,
    );
  }
  const io = resolveIo(path, info, card, vocab.size);
  if (io.unknownInputs.length > 0) {
    throw new BenchError('E_MODEL', `${path}: the graph needs inputs the contract does not define: ${io.unknownInputs.join(', ')}`);
  }
  const params = countParams(info, vocab.size, io.outputs.logits);
  const sha256 = await modelHash(abs, info);
  const opened = await openSession(abs, { ep: opts.ep, ...(opts.threads !== undefined ? { threads: opts.threads } : {}) }, opts.onFallback);
  const shape = shapeOf(info, io);
  const policy: BatchPolicy = { ...DEFAULT_BATCH_POLICY, ...opts.batch };
  const sizer = (name: OutputName, L: number): number => {
    const D = shape.hiddenSize ?? 1024;
    const LH = (shape.layers ?? 12) * (shape.heads ?? 12);
    if (name === 'logits') return L * vocab.size;
    if (name === 'hidden_states') return L * D;
    if (name === 'attentions') return LH * L * L;
    return L * L;
  };
  const runner = new Runner({
    session: opened.session,
    ort: opened.ort,
    io,
    padId: vocab.pad,
    maxLength: card.maxLength,
    policy,
    sizer,
    modelPath: path,
    decode: (t) => vocab.decode(t),
  });
  const precisionOf = modelPrecision(info, io.outputs.logits ?? 'logits');
  const precision = precisionOf.precision;
  const capabilities = capabilitiesOf(io, card);
  const computeKey = createHash('sha256')
    .update(
      stableStringify({
        model: sha256,
        ep: opened.ep,
        // WebGPU results differ slightly between adapters (1e-5 on logits between lavapipe and CPU).
        ...(opened.adapter ? { adapter: opened.adapter.name } : {}),
        precision,
        objective: card.objective,
        maxLength: card.maxLength,
        vocab: {
          tokens: vocab.tokens,
          pad: vocab.pad,
          start: vocab.start,
          end: vocab.end,
          mask: vocab.mask,
          reverse: [vocab.reverseStart, vocab.reverseEnd],
        },
        io: { inputIds: io.inputIds, attentionMask: io.attentionMask, outputs: io.outputs },
      }),
    )
    .digest('hex');
  const forwardWith =
    (meter: Meter, session?: ShardSession) =>
    async (requests: ForwardRequest[], spec: ForwardSpec, onProgress?: (d: number, t: number) => void) => {
      for (const o of spec.outputs) {
        if (!io.outputs[o]) throw new Error(`internal: task asked for ${o}, which the model does not export`);
      }
      const useCache = spec.cache !== false;
      const namespace = `${computeKey}|${[...spec.outputs].sort().join(',')}|${spec.reducer}`;
      const shard = useCache ? opts.cache.shard(namespace, sha256) : null;
      const keys = useCache
        ? requests.map((r) => createHash('sha256').update(namespace).update(sha256Tokens(r.tokens)).digest('hex'))
        : null;
      if (session) return session.forward(runner, requests, spec, shard, keys, meter, onProgress);
      return runner.run(requests, spec, shard, keys, meter, onProgress);
    };
  const base = {
    path: abs,
    sha256,
    card,
    vocab,
    ep: opened.ep,
    precision,
    computeKey,
    capabilities,
    shape,
    maxLength: card.maxLength,
    maxResidues: card.maxLength - vocab.specialCount,
    io,
    encode: (seq: string, direction?: Direction) => vocab.encode(seq, direction),
  };
  const shared = newMeter();
  return {
    ...base,
    forward: forwardWith(shared),
    info,
    cardSource: resolved.source,
    ...(resolved.file ? { cardFile: resolved.file } : {}),
    cardOverridden: resolved.overridden,
    params,
    precisionOf,
    fallbacks: opened.fallbacks,
    ...(opened.adapter ? { adapter: opened.adapter } : {}),
    batchPolicy: policy,
    session: opened.session,
    metered: (meter: Meter, session?: ShardSession) => ({ ...base, forward: forwardWith(meter, session) }),
    release: async () => {
      await opened.session.release();
    },
  };
}

/**
 * The model's identity for caches and results: sha256 of the `.onnx` file, or, for models with
 * external data, sha256 over the file's hash and each external file's hash (sorted by name).
 */
async function modelHash(path: string, info: OnnxFileInfo): Promise<string> {
  const own = info.sha256; // hashed from the bytes readOnnxFile already holds
  const external = [...new Set(info.initializers.map((t) => t.externalLocation).filter((l): l is string => l !== null))].sort();
  if (external.length === 0) return own;
  const h = createHash('sha256').update(own);
  for (const loc of external) {
    const p = resolve(dirname(path), loc);
    if (!existsSync(p)) throw new BenchError('E_MODEL', `${path}: external data file ${loc} not found`);
    h.update(`${loc}:${await sha256File(p)}`);
  }
  return h.digest('hex');
}

function shapeOf(info: OnnxFileInfo, io: IoMap): ModelShape {
  const dims = (name: string | undefined) => (name ? (info.outputs.find((o) => o.name === name)?.dims ?? null) : null);
  const num = (d: unknown) => (typeof d === 'number' && d > 0 ? d : null);
  const att = dims(io.outputs.attentions);
  const hid = dims(io.outputs.hidden_states);
  return {
    layers: att ? num(att[1]) : null,
    heads: att ? num(att[2]) : null,
    hiddenSize: hid ? num(hid[hid.length - 1]) : null,
  };
}
