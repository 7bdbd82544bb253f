// The thread behind RequestEstimator: receives batches of request bodies, answers with their estimates.
// It holds the tokenizer tables and the count cache, so the proxy's own thread never pays for them.

import { parentPort } from 'node:worker_threads';
import { type EstimateAnswer, type EstimateJob, estimateRequest } from './estimate.js';

parentPort?.on('message', (jobs: EstimateJob[]) => {
  const answers: EstimateAnswer[] = jobs.map(({ id, body }) => ({
    id,
    estimate: estimateRequest(Buffer.from(body.buffer, body.byteOffset, body.byteLength)),
  }));
  parentPort?.postMessage(answers);
});
