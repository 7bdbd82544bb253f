// Sentence embeddings for memory search, when the user points headroom at a local model: a sentence-
// transformers style ONNX export (model.onnx with input_ids and attention_mask, giving a sentence_embedding
// or a last_hidden_state to mean-pool) and its tokenizer.json, read the way Kompress models are. Nothing is
// fetched: without a configured model, search is BM25 alone.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { oneLine } from '../compress/lines.js';
import { modelFiles, paddedBatch, readTokenizer } from '../compress/transforms/kompress-model.js';
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

interface Ready {
  ready: boolean;
  error?: string;
}

interface Answer {
  id: number;
  vectors?: Float32Array;
  width?: number;
  error?: string;
}

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
  // onnxruntime runs a session on the thread that calls it: the model gets a thread of its own, so a batch
  // of memories never holds up the proxy's other requests.
  const worker = new Worker(new URL('./embedding-worker.js', import.meta.url), {
    workerData: { model: files.model },
  });
  worker.unref();
  const ready = await new Promise<Ready>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ready: false, error: error.message }));
    worker.once('exit', (code) => resolve({ ready: false, error: `the model's thread stopped (${code})` }));
  });
  if (!ready.ready) {
    void worker.terminate();
    throw new EmbeddingModelError(
      `cannot load the embedding model ${files.model}: ${oneLine(ready.error ?? 'unknown error')}`,
    );
  }
  const waiting = new Map<number, (answer: Answer) => void>();
  worker.on('message', (answer: Answer) => {
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
  });
  worker.on('exit', (code) => {
    for (const [id, settle] of waiting) settle({ id, error: `the model's thread stopped (${code})` });
    waiting.clear();
  });
  const id = createHash('sha256').update(readFileSync(files.model)).digest('hex').slice(0, 16);
  const room = Math.max(1, maxLength - before.length - after.length);
  let nextId = 0;

  const run = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const framed = texts.map((text) => [
      ...before,
      ...tokenizer.encode(text, { add_special_tokens: false }).ids.slice(0, room),
      ...after,
    ]);
    const { ids, mask, length } = paddedBatch(framed, padId);
    const job = nextId++;
    // A worker kept alive only while a run is waiting: an idle model never holds a finished process open.
    worker.ref();
    const answer = await new Promise<Answer>((resolve) => {
      waiting.set(job, resolve);
      worker.postMessage({ id: job, ids, mask, batch: framed.length, length }, [ids.buffer, mask.buffer]);
    }).finally(() => {
      if (waiting.size === 0) worker.unref();
    });
    if (answer.error !== undefined || !answer.vectors || !answer.width) {
      throw new EmbeddingModelError(`an embedding run failed: ${oneLine(answer.error ?? 'no vectors')}`);
    }
    const { vectors, width } = answer;
    return framed.map((_, row) => vectors.slice(row * width, (row + 1) * width));
  };

  return {
    id,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let at = 0; at < texts.length; at += BATCH)
        vectors.push(...(await run(texts.slice(at, at + BATCH))));
      return vectors;
    },
  };
}

/** Cosine similarity of two unit vectors (0 when their widths differ). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += a[d]! * b[d]!;
  return dot;
}
