// A compression thread: holds one engine made with the proxy's settings (its memo warm across requests) and
// rewrites the request bodies it is sent, one at a time, answering each with plain data.

import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type EngineOptions } from '../compress/engine.js';
import { formatNamed } from '../formats/index.js';
import { rewriteBody } from './compression.js';
import type { RewriteAnswer, RewriteJob } from './compression-threads.js';

const engine = createEngine(workerData as EngineOptions);
await engine.init();
// What the engine said (a model that failed to load or to run, or is not configured) goes to the proxy's log.
let told = 0;
const sendNotices = () => {
  const notices = engine.notices();
  for (const notice of notices.slice(told)) parentPort?.postMessage({ notice });
  told = notices.length;
};
sendNotices();
const utf8 = new TextEncoder();

/** A view that owns all of its memory can be handed over; one cut from a shared pool must be copied. */
const ownsBuffer = (bytes: Uint8Array) =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;

parentPort?.on('message', (job: RewriteJob) => {
  let answer: RewriteAnswer;
  try {
    const { id: _id, format, path, body, sendWhole, ...request } = job;
    const { forwarded: _, ...rewrite } = rewriteBody(engine, formatNamed(format), path, body, {
      ...request,
      sendWhole: new Set(sendWhole),
    });
    // Moved as bytes, the originals cost the proxy's thread neither a copy nor strings to collect.
    const originals = rewrite.originals.map((original) =>
      'text' in original ? { id: original.id, utf8: utf8.encode(original.text) } : original,
    );
    answer = { id: job.id, rewrite: { ...rewrite, originals } };
    const moved = [rewrite.body, ...originals.map((original) => original.utf8)].filter(
      (bytes): bytes is Uint8Array => bytes !== undefined && ownsBuffer(bytes),
    );
    parentPort?.postMessage(
      answer,
      moved.map((bytes) => bytes.buffer as ArrayBuffer),
    );
  } catch (error) {
    answer = {
      id: job.id,
      error: (error as Error)?.message ?? String(error),
      name: (error as Error)?.name ?? 'Error',
    };
    parentPort?.postMessage(answer);
  }
  sendNotices();
});
