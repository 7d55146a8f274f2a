// Runs an ONNX file with onnxruntime-node (CPU) on the feeds of a spec written by plm_export.py and
// prints {"maxAbsDiff": {output: number}} against the expected (PyTorch) outputs. float16 outputs are
// widened to float32 first (the difference is then the one of the values the harness reads).
// With "dump": FOLDER in the spec, it also writes every output as float32 (FOLDER/out<case>_<name>.bin)
// and prints their dims under "dims" (to_fp16.py compares a float16 file with its float32 source so).
// Usage: node models/export/ort_check.mjs spec.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 0x1f) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function asFloat32(t) {
  if (t.type === 'float32') return t.data;
  if (t.type === 'float16') return Float32Array.from(t.data, halfToFloat);
  throw new Error(`output of type ${t.type} is not float32 or float16`);
}

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(spec.model, { executionProviders: ['cpu'] });
const maxAbsDiff = {};
const dims = [];
for (const [ci, c] of spec.cases.entries()) {
  const feeds = {};
  for (const [name, f] of Object.entries(c.feeds)) {
    const buf = readFileSync(f.file);
    feeds[name] = new ort.Tensor('int64', new BigInt64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8), f.dims);
  }
  const out = await session.run(feeds);
  if (spec.dump) {
    const d = {};
    for (const name of spec.outputs) {
      if (!out[name]) throw new Error(`output ${name} missing from the graph (has ${Object.keys(out).join(', ')})`);
      writeFileSync(join(spec.dump, `out${ci}_${name}.bin`), asFloat32(out[name]));
      d[name] = out[name].dims;
    }
    dims.push(d);
  }
  for (const [name, e] of Object.entries(c.expected ?? {})) {
    const got = out[name];
    if (!got) throw new Error(`output ${name} missing from the graph (has ${Object.keys(out).join(', ')})`);
    if (JSON.stringify(got.dims) !== JSON.stringify(e.dims)) {
      throw new Error(`output ${name}: dims ${JSON.stringify(got.dims)} != expected ${JSON.stringify(e.dims)}`);
    }
    const data = asFloat32(got);
    const buf = readFileSync(e.file);
    const want = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    let m = maxAbsDiff[name] ?? 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(data[i] - want[i]);
      if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
    maxAbsDiff[name] = m;
  }
}
process.stdout.write(JSON.stringify({ maxAbsDiff, ...(spec.dump ? { dims } : {}) }) + '\n');
