// The embedding model's own thread: onnxruntime runs a session synchronously on the thread that calls it, so
// the proxy's event loop hands each batch here and awaits the vectors. Plain JavaScript, so it runs from the
// sources and from the build alike.

import { parentPort, workerData } from 'node:worker_threads';
import { feedsFor } from '../compress/transforms/onnx-feeds.js';

/** @type {{ model: string }} */
const { model } = workerData;

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * Each sequence's vector: the model's `sentence_embedding`, else the mean of its `last_hidden_state` (or first
 * output) over the real tokens; unit length.
 * @param {import('onnxruntime-node').Tensor} out
 * @param {boolean} pooled
 * @param {BigInt64Array} mask
 * @param {number} batch
 * @param {number} length
 */
function vectorsOf(out, pooled, mask, batch, length) {
  const data = /** @type {Float32Array} */ (out.data);
  if (!pooled && out.dims.length !== 3) {
    throw new Error(`the model gave [${out.dims.join(', ')}], not [batch, tokens, width]`);
  }
  const width = pooled ? data.length / batch : /** @type {number} */ (out.dims[2]);
  const vectors = new Float32Array(batch * width);
  const value = (/** @type {Float32Array} */ array, /** @type {number} */ i) =>
    /** @type {number} */ (array[i]);
  for (let row = 0; row < batch; row++) {
    const at = row * width;
    const sum = new Array(width).fill(0);
    let count = 0;
    for (let k = 0; k < (pooled ? 1 : length); k++) {
      if (!pooled && mask[row * length + k] !== 1n) continue;
      count++;
      const from = pooled ? at : (row * length + k) * width;
      for (let d = 0; d < width; d++) sum[d] += value(data, from + d);
    }
    let norm = 0;
    for (let d = 0; d < width; d++) {
      sum[d] /= count || 1;
      norm += sum[d] * sum[d];
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < width; d++) vectors[at + d] = norm > 0 ? sum[d] / norm : sum[d];
  }
  return { vectors, width };
}

try {
  const ort = await import('onnxruntime-node');
  // One thread, sequential: the same sums in the same order on every machine, so the same ranking; its own
  // log lines would reach the user's terminal, and a failed run is reported by the caller in one line.
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 4,
  });
  const missing = ['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0) throw new Error(`the model has no ${missing.join(' or ')} input`);
  const pooled = session.outputNames.includes('sentence_embedding');
  const output = pooled
    ? 'sentence_embedding'
    : session.outputNames.includes('last_hidden_state')
      ? 'last_hidden_state'
      : session.outputNames[0];
  parentPort?.on(
    'message',
    /** @param {{ id: number, ids: BigInt64Array, mask: BigInt64Array, batch: number, length: number }} job */ async (
      job,
    ) => {
      try {
        const feeds = feedsFor(ort, session, job);
        const outputs = await session.run(feeds);
        const out = output === undefined ? undefined : outputs[output];
        if (!out) throw new Error('the run gave no output');
        const { vectors, width } = vectorsOf(out, pooled, job.mask, job.batch, job.length);
        parentPort?.postMessage({ id: job.id, vectors, width }, [vectors.buffer]);
      } catch (error) {
        parentPort?.postMessage({ id: job.id, error: messageOf(error) });
      }
    },
  );
  parentPort?.postMessage({ ready: true });
} catch (error) {
  parentPort?.postMessage({ ready: false, error: messageOf(error) });
}
