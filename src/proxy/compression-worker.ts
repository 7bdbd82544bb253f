// A compression thread: holds one engine made with the proxy's settings (its memo warm across requests) and
// rewrites the request bodies it is sent, and does the memory step's reading and writing of them, one job at
// a time, answering each with plain data. Its grammars load
// as files need them: a thread that never sees source code never holds them.

import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type EngineOptions } from '../compress/engine.js';
import { formatNamed } from '../formats/index.js';
import { type BodyRewrite, rewriteBody } from './compression.js';
import type { MemoryJob, RewriteAnswer, RewriteJob, ThreadJob } from './compression-threads.js';
import { memoryTurnsOf, withMemoryBlocks } from './memory-body.js';

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
  const { id: _id, kind: _kind, format, path, body, sendWhole, ...request } = job;
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

/** An answer to post, and the bytes it moves rather than copies. */
interface Answered {
  answer: RewriteAnswer;
  moved: Uint8Array[];
}

/** The memory step's part of the body's work (memory-body.ts), its new body moved back as bytes. */
function memoryAnswer(job: MemoryJob): Answered {
  const format = formatNamed(job.format);
  if (job.kind === 'memory-turns')
    return { answer: { id: job.id, turns: memoryTurnsOf(format, job.body, job.reader) }, moved: [] };
  const memory = withMemoryBlocks(format, job.path, job.body, job.blocks);
  const owned = memory.body && (ownsBuffer(memory.body) ? memory.body : new Uint8Array(memory.body));
  return {
    answer: { id: job.id, memory: { ...memory, ...(owned ? { body: owned } : {}) } },
    moved: owned ? [owned] : [],
  };
}

/** The rewrite, its body and originals moved back as bytes. */
async function rewriteAnswer(job: RewriteJob): Promise<Answered> {
  const rewrite = await rewriteOf(job);
  // Moved as bytes, the originals cost the proxy's thread neither a copy nor strings to collect.
  const originals = rewrite.originals.map((original) =>
    'text' in original ? { id: original.id, utf8: utf8.encode(original.text) } : original,
  );
  const moved = [rewrite.body, ...originals.map((original) => original.utf8)].filter(
    (bytes): bytes is Uint8Array => bytes !== undefined && ownsBuffer(bytes),
  );
  return { answer: { id: job.id, rewrite: { ...rewrite, originals } }, moved };
}

async function answer(job: ThreadJob): Promise<void> {
  try {
    const { answer, moved } = job.kind === 'rewrite' ? await rewriteAnswer(job) : memoryAnswer(job);
    parentPort?.postMessage(
      answer,
      moved.map((bytes) => bytes.buffer as ArrayBuffer),
    );
  } catch (error) {
    parentPort?.postMessage({
      id: job.id,
      error: (error as Error)?.message ?? String(error),
      name: (error as Error)?.name ?? 'Error',
    } satisfies RewriteAnswer);
  }
  sendNotices();
}

// One job at a time, as they came: a job waiting for a grammar holds back the ones after it.
let queue = Promise.resolve();
parentPort?.on('message', (job: ThreadJob) => {
  queue = queue.then(() => answer(job));
});
