import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';

const EXPORT_FIRST = 'export it to ONNX first (models/export/, see models/README.md)';

/**
 * Why a model file is not ONNX, when it is plainly something else: a PyTorch or safetensors
 * checkpoint (by extension or by magic bytes), or null. Saves the user a protobuf decoding error.
 */
export function notOnnxProblem(path: string): string | null {
  const head = Buffer.alloc(16);
  let n: number;
  const fd = openSync(path, 'r');
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const b = head.subarray(0, n);
  const ext = extname(path).toLowerCase();
  // torch.save since PyTorch 1.6 writes a zip archive; older files and plain pickles start with the
  // pickle PROTO opcode 0x80 and a protocol number 2-5; safetensors with an 8-byte little-endian
  // header length and the header's JSON '{'.
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04)
    return `not an ONNX model: a zip archive, as torch.save writes PyTorch checkpoints; ${EXPORT_FIRST}`;
  if (b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5)
    return `not an ONNX model: a Python pickle (an older PyTorch checkpoint); ${EXPORT_FIRST}`;
  if (b.length >= 9 && b[8] === 0x7b && b.readBigUInt64LE(0) < 100_000_000n)
    return `not an ONNX model: a safetensors checkpoint; ${EXPORT_FIRST}`;
  if (['.pt', '.pth', '.bin', '.ckpt', '.safetensors', '.pkl'].includes(ext))
    return `not an ONNX model: a ${ext} file is a checkpoint; ${EXPORT_FIRST}`;
  return null;
}
