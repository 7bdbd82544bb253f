// Sentence embeddings for memory search, when the user points headroom at a local model: a sentence-
// transformers style ONNX export (model.onnx with input_ids and attention_mask, giving a sentence_embedding
// or a last_hidden_state to mean-pool) and its tokenizer.json, read the way Kompress models are. Nothing is
// fetched: without a configured model, search is BM25 alone.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelFiles, readTokenizer } from '../compress/transforms/kompress-model.js';
import { HeadroomError } from '../errors.js';

/** A loaded embedding model. */
export interface Embedder {
  /** Names the model by its weights, so vectors kept in the store are only compared with their own kind. */
  readonly id: string;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Why the model could not be used; memory search then ranks by BM25 alone. */
export class EmbeddingModelError extends HeadroomError {
  override name = 'EmbeddingModelError';
}

// Texts embedded in one run: enough to fill a batch of memories, small enough for a laptop's memory.
const BATCH = 16;

/** Load the model `setting` names (a directory, a `.onnx` with tokenizer.json beside it, or `model,tokenizer`). */
export async function loadEmbedder(setting: string): Promise<Embedder> {
  let files: ReturnType<typeof modelFiles>;
  let tokens: ReturnType<typeof readTokenizer>;
  try {
    files = modelFiles(setting);
    tokens = readTokenizer(files);
  } catch (error) {
    throw new EmbeddingModelError(`cannot use the embedding model: ${(error as Error).message}`);
  }
  const { tokenizer, before, after, padId, maxLength } = tokens;
  let ort: typeof import('onnxruntime-node');
  let session: InferenceSession;
  try {
    ort = await import('onnxruntime-node');
    // One thread, sequential: the same sums in the same order on every machine, so the same ranking.
    session = await ort.InferenceSession.create(files.model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Its own log lines would reach the user's terminal; a failed run is reported here in one line.
      logSeverityLevel: 4,
    });
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ').trim();
    throw new EmbeddingModelError(`cannot load the embedding model ${files.model}: ${reason}`);
  }
  const missing = ['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name));
  if (missing.length) {
    throw new EmbeddingModelError(`the embedding model ${files.model} has no ${missing.join(' or ')} input`);
  }
  const pooled = session.outputNames.includes('sentence_embedding');
  const hidden = session.outputNames.includes('last_hidden_state')
    ? 'last_hidden_state'
    : session.outputNames[0];
  const id = createHash('sha256').update(readFileSync(files.model)).digest('hex').slice(0, 16);
  const room = Math.max(1, maxLength - before.length - after.length);

  const run = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const framed = texts.map((text) => [
      ...before,
      ...tokenizer.encode(text, { add_special_tokens: false }).ids.slice(0, room),
      ...after,
    ]);
    const length = Math.max(...framed.map((ids) => ids.length));
    const ids = new BigInt64Array(framed.length * length).fill(BigInt(padId));
    const mask = new BigInt64Array(framed.length * length);
    framed.forEach((sequence, row) => {
      sequence.forEach((token, k) => {
        ids[row * length + k] = BigInt(token);
        mask[row * length + k] = 1n;
      });
    });
    const dims = [framed.length, length];
    const feeds: Record<string, Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
    };
    if (session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
    }
    const outputs = await session.run(feeds);
    if (pooled) return rows(outputs.sentence_embedding!, framed.length);
    const out = hidden === undefined ? undefined : outputs[hidden];
    if (out?.dims.length !== 3) {
      throw new EmbeddingModelError(
        `the embedding model gave ${out ? `[${out.dims.join(', ')}]` : 'nothing'}, not [batch, tokens, width]`,
      );
    }
    return meanPooled(out, mask, framed.length, length);
  };

  return {
    id,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let at = 0; at < texts.length; at += BATCH) {
        try {
          vectors.push(...(await run(texts.slice(at, at + BATCH))));
        } catch (error) {
          if (error instanceof EmbeddingModelError) throw error;
          const reason = (error as Error).message.replace(/\s+/g, ' ').trim();
          throw new EmbeddingModelError(`an embedding run failed: ${reason}`);
        }
      }
      return vectors;
    },
  };
}

/** The rows of a [batch, width] output, each made unit length. */
function rows(out: Tensor, batch: number): Float32Array[] {
  const data = out.data as Float32Array;
  const width = data.length / batch;
  return Array.from({ length: batch }, (_, row) => unit(data.slice(row * width, (row + 1) * width)));
}

/** The mean of each sequence's token vectors over its real tokens (padding masked out), unit length. */
function meanPooled(out: Tensor, mask: BigInt64Array, batch: number, length: number): Float32Array[] {
  const data = out.data as Float32Array;
  const width = out.dims[2] as number;
  return Array.from({ length: batch }, (_, row) => {
    const sum = new Float32Array(width);
    let count = 0;
    for (let k = 0; k < length; k++) {
      if (mask[row * length + k] !== 1n) continue;
      count++;
      const at = (row * length + k) * width;
      for (let d = 0; d < width; d++) sum[d]! += data[at + d]!;
    }
    if (count) for (let d = 0; d < width; d++) sum[d]! /= count;
    return unit(sum);
  });
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = 0; d < vector.length; d++) vector[d]! /= norm;
  return vector;
}

/** Cosine similarity of two unit vectors (0 when their widths differ). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += a[d]! * b[d]!;
  return dot;
}
