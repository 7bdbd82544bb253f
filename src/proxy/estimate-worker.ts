// The thread behind RequestEstimator: receives request bodies, answers with their token estimates.
// It holds the tokenizer tables and the count cache, so the proxy's own thread never pays for them.

import { parentPort } from 'node:worker_threads';
import { estimateRequest } from './estimate.js';

parentPort?.on('message', ({ id, body }: { id: number; body: Uint8Array }) => {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  parentPort?.postMessage({ id, estimate: estimateRequest(buffer) });
});
