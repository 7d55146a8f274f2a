import { readFileSync, statSync } from 'node:fs';
import { BenchError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { DATA_TYPE_NAMES, FLOAT_TYPES, modelType, toNumber } from './proto.js';

export interface OnnxValueInfo {
  name: string;
  /** Element type name (`float32`, `int64`, ...), or `unknown`. */
  type: string;
  /** Fixed sizes as numbers, symbolic ones as their names, unknown as null. */
  dims: (number | string | null)[] | null;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  numel: number;
  /** File holding the tensor's data, relative to the model, for tensors stored outside the `.onnx` file. */
  externalLocation: string | null;
}

export interface OnnxNodeLite {
  opType: string;
  inputs: string[];
  outputs: string[];
}

/** What plmbench reads from an ONNX file without running it. */
export interface OnnxFileInfo {
  path: string;
  bytes: number;
  /** sha256 of the .onnx file's bytes (external data files not included). */
  sha256: string;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
  initializers: OnnxInitializer[];
  nodes: OnnxNodeLite[];
}

interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: unknown; dim_param?: string }[] } } };
}

/**
 * Decodes the graph structure of an ONNX file. Weights stay as views into the file buffer and are
 * never copied; files with external data only need the small `.onnx` part.
 */
export function readOnnxFile(path: string): OnnxFileInfo {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new BenchError('E_MODEL', `${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof BenchError) throw e;
    throw new BenchError('E_MODEL', `${path}: model file not found`);
  }
  const buf = readFileSync(path);
  let model: Record<string, unknown>;
  try {
    model = modelType().decode(buf) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new BenchError('E_MODEL', `${path}: not an ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  const graph = model['graph'] as Record<string, unknown> | undefined;
  const rawNodes = (graph?.['node'] as Record<string, unknown>[] | undefined) ?? [];
  const rawOutputs = (graph?.['output'] as RawValueInfo[] | undefined) ?? [];
  if (!graph || rawNodes.length === 0 || rawOutputs.length === 0 || toNumber(model['ir_version']) <= 0) {
    throw new BenchError('E_MODEL', `${path}: not an ONNX model (no graph with nodes and outputs)`);
  }
  const initializers: OnnxInitializer[] = ((graph['initializer'] as Record<string, unknown>[] | undefined) ?? []).map((t) => {
    const dims = ((t['dims'] as unknown[] | undefined) ?? []).map(toNumber);
    return {
      name: typeof t['name'] === 'string' ? t['name'] : '',
      dims,
      dataType: toNumber(t['data_type']),
      numel: dims.reduce((a, b) => a * b, 1),
      externalLocation:
        toNumber(t['data_location']) === 1
          ? (((t['external_data'] as { key?: string; value?: string }[] | undefined) ?? []).find((kv) => kv.key === 'location')?.value ??
            null)
          : null,
    };
  });
  const initNames = new Set(initializers.map((t) => t.name));
  const valueInfo = (v: RawValueInfo): OnnxValueInfo => {
    const tt = v.type?.tensor_type;
    const dims = tt?.shape?.dim
      ? tt.shape.dim.map((d) =>
          d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null ? toNumber(d.dim_value) : null,
        )
      : null;
    return { name: v.name ?? '', type: DATA_TYPE_NAMES[tt?.elem_type ?? -1] ?? 'unknown', dims };
  };
  const metadata: Record<string, string> = {};
  for (const kv of (model['metadata_props'] as { key?: string; value?: string }[] | undefined) ?? []) {
    if (kv.key) metadata[kv.key] = kv.value ?? '';
  }
  return {
    path,
    bytes: size,
    sha256: sha256(buf),
    irVersion: toNumber(model['ir_version']),
    opsets: ((model['opset_import'] as { domain?: string; version?: unknown }[] | undefined) ?? []).map((o) => ({
      domain: o.domain || 'ai.onnx',
      version: toNumber(o.version),
    })),
    producer: [model['producer_name'], model['producer_version']].filter(Boolean).join(' '),
    // Old exporters list initializers among the inputs; those are weights, not inputs to feed.
    inputs: ((graph['input'] as RawValueInfo[] | undefined) ?? []).map(valueInfo).filter((v) => !initNames.has(v.name)),
    outputs: rawOutputs.map(valueInfo),
    metadata,
    initializers,
    nodes: rawNodes.map((n) => ({
      opType: typeof n['op_type'] === 'string' ? n['op_type'] : '',
      inputs: ((n['input'] as string[] | undefined) ?? []).map(String),
      outputs: ((n['output'] as string[] | undefined) ?? []).map(String),
    })),
  };
}

export interface ParamCount {
  total: number;
  embedding: number;
  nonEmbedding: number;
  /** Names of the tensors counted as embeddings, so a user can see why. */
  embeddingTensors: string[];
}

/**
 * Counts trainable-looking parameters: floating-point initializers with more than one element.
 * Embeddings, excluded from the non-embedding count as in the scaling-law literature (Kaplan et al.
 * 2020; Cheng et al. 2024), are (a) 2-D tables read by a Gather node (token and learned position
 * embeddings) and (b) the output projection onto the vocabulary and its bias: initializers with a
 * dimension equal to the vocabulary size that feed the logits through at most a few linear steps
 * (MatMul, Gemm, Add, Transpose...). A tied LM head shares the embedding tensor and is counted once.
 */
export function countParams(info: OnnxFileInfo, vocabSize: number, logitsName = 'logits'): ParamCount {
  const gathered = new Set<string>();
  for (const n of info.nodes) if (n.opType === 'Gather' && n.inputs[0]) gathered.add(n.inputs[0]);
  const projection = vocabProjection(info, logitsName, vocabSize);
  let total = 0;
  let embedding = 0;
  const embeddingTensors: string[] = [];
  for (const t of info.initializers) {
    // Scalars are constants of the graph (scales, epsilons), not parameters.
    if (!FLOAT_TYPES.has(t.dataType) || t.numel <= 1) continue;
    total += t.numel;
    if ((t.dims.length === 2 && gathered.has(t.name)) || projection.has(t.name)) {
      embedding += t.numel;
      embeddingTensors.push(t.name);
    }
  }
  return { total, embedding, nonEmbedding: total - embedding, embeddingTensors };
}

const LINEAR_OPS = new Set(['Add', 'MatMul', 'Gemm', 'Identity', 'Cast', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Mul']);

/** Initializers with a vocabulary-sized dimension on the linear path that ends in the logits. */
function vocabProjection(info: OnnxFileInfo, logitsName: string, vocabSize: number): Set<string> {
  const producer = new Map<string, OnnxNodeLite>();
  for (const n of info.nodes) for (const o of n.outputs) producer.set(o, n);
  const inits = new Map(info.initializers.map((t) => [t.name, t]));
  const found = new Set<string>();
  let frontier = [logitsName];
  for (let depth = 0; depth < 6 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const name of frontier) {
      const node = producer.get(name);
      if (!node || !LINEAR_OPS.has(node.opType)) continue;
      for (const input of node.inputs) {
        const t = inits.get(input);
        if (t) {
          if (t.dims.includes(vocabSize)) found.add(t.name);
        } else if (input) next.push(input);
      }
    }
    frontier = next;
  }
  return found;
}

/** Float types from the narrowest significand to the widest (bfloat16 8 bits, float16 11, float32 24, float64 53). */
const PRECISION_ORDER = ['bfloat16', 'float16', 'float32', 'float64'];

export interface Precision {
  /** What a run records and the gate compares: the narrower of `weights` and `logits`. */
  precision: string;
  /** Float type holding most of the weights' elements (float initializers); null without float initializers. */
  weights: string | null;
  /** Element type of the logits output as declared by the graph. */
  logits: string;
}

/**
 * The precision a model computes in. The logits' type alone misses a float16 model converted with
 * float32 inputs and outputs kept (onnxconverter-common's keep_io_types, common for browser exports):
 * its outputs are float32 but every layer rounds like float16. The weights' type alone misses a float32
 * model whose outputs are cast down at the end. So the narrower of the two counts; among the weights,
 * the type with most elements (mixed-precision conversions keep a few small tensors, e.g. layer-norm
 * scales, in float32).
 */
export function modelPrecision(info: OnnxFileInfo, logitsName: string): Precision {
  const elements = new Map<string, number>();
  for (const t of info.initializers) {
    if (!FLOAT_TYPES.has(t.dataType)) continue;
    const name = DATA_TYPE_NAMES[t.dataType]!;
    elements.set(name, (elements.get(name) ?? 0) + t.numel);
  }
  let weights: string | null = null;
  for (const [name, n] of elements) if (weights === null || n > elements.get(weights)!) weights = name;
  const logits = info.outputs.find((o) => o.name === logitsName)?.type ?? 'float32';
  const rank = (t: string | null) => (t === null ? Infinity : PRECISION_ORDER.indexOf(t) < 0 ? Infinity : PRECISION_ORDER.indexOf(t));
  const precision = weights !== null && rank(weights) < rank(logits) ? weights : logits;
  return { precision, weights, logits };
}
