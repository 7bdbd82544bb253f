// How an original is held at rest by every backend: brotli-compressed under the id of its UTF-8 bytes, both
// done on libuv's pool so megabytes of new originals never hold up the proxy's other requests.

import { promisify } from 'node:util';
import { brotliCompress, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { originalIdOfDigest } from '../compress/marker.js';
import type { EncodedOriginal, Original } from './types.js';

// Quality 4 compresses logs and JSON ~20x at 100-200 MB/s: cheap enough to run inside a request.
const BROTLI_QUALITY = 4;

const brotli = promisify(brotliCompress);

function compress(raw: Buffer): Promise<Buffer> {
  return brotli(raw, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

/** `originalId` of the bytes, hashed off the event loop. */
async function idOf(raw: Buffer): Promise<string> {
  const digest = Buffer.from(await globalThis.crypto.subtle.digest('SHA-256', raw));
  return originalIdOfDigest(digest.toString('hex'));
}

/** A new original ready to keep. */
export interface Packed {
  id: string;
  rawBytes: number;
  data: Buffer;
}

/**
 * The id and the compressed bytes of a new original. A text's id is checked, not taken from the caller; a
 * compression thread's bytes keep the id it made of them, so the event loop never copies megabytes to hash.
 */
export async function pack(original: Original | EncodedOriginal): Promise<Packed> {
  if ('utf8' in original) {
    const raw = Buffer.from(original.utf8.buffer, original.utf8.byteOffset, original.utf8.length);
    return { id: original.id, rawBytes: raw.length, data: await compress(raw) };
  }
  const raw = Buffer.from(original.text, 'utf8');
  const [id, data] = await Promise.all([idOf(raw), compress(raw)]);
  return { id, rawBytes: raw.length, data };
}

/** The text of an original as kept at rest. */
export function unpack(data: Buffer): string {
  return brotliDecompressSync(data).toString('utf8');
}

/** How an embedding is held at rest by every backend: its floats' bytes. */
export const vectorBytes = (vector: Float32Array): Buffer =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);

/** A vector read back from its bytes (copied: a backend's buffer need not be aligned for floats). */
export function vectorOf(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
