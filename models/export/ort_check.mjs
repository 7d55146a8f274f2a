// Runs an ONNX file with onnxruntime-node (CPU) on the feeds of a spec written by plm_export.py and
// prints {"maxAbsDiff": {output: number}} against the expected (PyTorch) outputs.
// Usage: node models/export/ort_check.mjs spec.json
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(spec.model, { executionProviders: ['cpu'] });
const maxAbsDiff = {};
for (const c of spec.cases) {
  const feeds = {};
  for (const [name, f] of Object.entries(c.feeds)) {
    const buf = readFileSync(f.file);
    feeds[name] = new ort.Tensor('int64', new BigInt64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8), f.dims);
  }
  const out = await session.run(feeds);
  for (const [name, e] of Object.entries(c.expected)) {
    const got = out[name];
    if (!got) throw new Error(`output ${name} missing from the graph (has ${Object.keys(out).join(', ')})`);
    if (JSON.stringify(got.dims) !== JSON.stringify(e.dims)) {
      throw new Error(`output ${name}: dims ${JSON.stringify(got.dims)} != expected ${JSON.stringify(e.dims)}`);
    }
    const buf = readFileSync(e.file);
    const want = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    let m = maxAbsDiff[name] ?? 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got.data[i] - want[i]);
      if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
    maxAbsDiff[name] = m;
  }
}
process.stdout.write(JSON.stringify({ maxAbsDiff }) + '\n');
