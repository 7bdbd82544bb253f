// A compression thread: holds one engine made with the proxy's settings (its memo warm across requests) and
// rewrites the request bodies it is sent, one at a time, answering each with plain data. Its grammars load
// as files need them: a thread that never sees source code never holds them.

import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type EngineOptions } from '../compress/engine.js';
import { formatNamed } from '../formats/index.js';
import { type BodyRewrite, rewriteBody } from './compression.js';
import type { RewriteAnswer, RewriteJob } from './compression-threads.js';

const engine = createEngine({ ...(workerData as EngineOptions), grammars: 'lazy' });
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

/**
 * The job's rewrite, made again while a file in it needed a grammar not loaded yet, so it is the one every
 * thread gives. Outputs the time fail-safe sent whole on any round are reported (later rounds find them in
 * the memo, already decided).
 */
async function rewriteOf(job: RewriteJob): Promise<Omit<BodyRewrite, 'forwarded'>> {
  const { id: _id, format, path, body, sendWhole, ...request } = job;
  const guarded = new Set<string>();
  for (;;) {
    const { forwarded: _, ...rewrite } = rewriteBody(engine, formatNamed(format), path, body, {
      ...request,
      sendWhole: new Set(sendWhole),
    });
    for (const key of rewrite.stats?.guarded ?? []) guarded.add(key);
    if (!(await engine.loadPending())) {
      if (rewrite.stats && guarded.size > rewrite.stats.guarded.length)
        rewrite.stats = { ...rewrite.stats, guarded: [...guarded] };
      return rewrite;
    }
  }
}

async function answer(job: RewriteJob): Promise<void> {
  let answer: RewriteAnswer;
  try {
    const rewrite = await rewriteOf(job);
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
}

// One job at a time, as they came: a job waiting for a grammar holds back the ones after it.
let queue = Promise.resolve();
parentPort?.on('message', (job: RewriteJob) => {
  queue = queue.then(() => answer(job));
});
