import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex SHA-256 of a file, streamed so large models are never held in memory. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hash of the bytes of a typed array of token ids (stable across platforms: little-endian int32). */
export function sha256Tokens(tokens: ArrayLike<number>): string {
  const buf = Buffer.allocUnsafe(tokens.length * 4);
  for (let i = 0; i < tokens.length; i++) buf.writeInt32LE(tokens[i]!, i * 4);
  return sha256(buf);
}
