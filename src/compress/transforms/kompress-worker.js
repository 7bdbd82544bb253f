// The Kompress model's own thread: holds the one onnxruntime session and scores the batches it is sent.
// The engine is synchronous, so its caller waits on a shared flag for each answer; plain JavaScript, so it
// runs from the sources and from the build alike.

import { parentPort, workerData } from 'node:worker_threads';
import { feedsFor } from './onnx-feeds.js';

/** @type {{ model: string, port: import('node:worker_threads').MessagePort, signal: Int32Array }} */
const { model, port, signal } = workerData;

/**
 * Wakes the caller blocked on `signal` once the answer is in its port.
 * @param {{ id: number, keep?: Float32Array, error?: string }} message
 * @param {ArrayBuffer[]} [transfer]
 */
function answer(message, transfer = []) {
  port.postMessage(message, transfer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

try {
  const ort = await import('onnxruntime-node');
  // One thread and sequential execution: the same sums in the same order on every machine, and the cores
  // stay for the proxy.
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const missing = ['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0) throw new Error(`the model has no ${missing.join(' or ')} input`);
  const shape = session.outputNames.includes('logits')
    ? 'logits'
    : session.outputNames.includes('final_scores')
      ? 'final_scores'
      : undefined;
  if (!shape) {
    throw new Error(
      `the model's outputs are ${session.outputNames.join(', ')}; a token classifier has logits or final_scores`,
    );
  }
  port.on(
    'message',
    /** @param {{ id: number, ids: BigInt64Array, mask: BigInt64Array, batch: number, length: number }} job */ async (
      job,
    ) => {
      try {
        const feeds = feedsFor(ort, session, job);
        const outputs = await session.run(feeds);
        const out = outputs[shape];
        if (!out) throw new Error(`the run gave no ${shape}`);
        const values = /** @type {Float32Array} */ (out.data);
        const keep = new Float32Array(job.batch * job.length);
        if (shape === 'logits') {
          if (out.dims.length !== 3 || out.dims[2] !== 2) {
            throw new Error(`logits came as [${out.dims.join(', ')}], not [batch, tokens, 2]`);
          }
          // softmax over the two classes, the second being "keep": 1 / (1 + e^(drop - keep)).
          for (let i = 0; i < keep.length; i++) {
            keep[i] =
              1 /
              (1 +
                Math.exp(/** @type {number} */ (values[2 * i]) - /** @type {number} */ (values[2 * i + 1])));
          }
        } else {
          if (out.dims.length !== 2)
            throw new Error(`final_scores came as [${out.dims.join(', ')}], not [batch, tokens]`);
          for (let i = 0; i < keep.length; i++) keep[i] = /** @type {number} */ (values[i]);
        }
        answer({ id: job.id, keep }, [keep.buffer]);
      } catch (error) {
        answer({ id: job.id, error: messageOf(error) });
      }
    },
  );
  parentPort?.postMessage({ ready: true, shape });
} catch (error) {
  parentPort?.postMessage({ ready: false, error: messageOf(error) });
}
