// The engine on a thread of its own, for a caller whose thread must stay free while one long text is
// compressed: the CLI, which has to hear Ctrl-C however long the text takes. Runs from the build only.

import { Worker } from 'node:worker_threads';
import type { CompressTextOptions, EngineOptions } from './engine.js';
import type { CompressTextResult } from './results.js';
import type { Notice } from './types.js';

/** What the thread is given: the engine to make and the one text to compress with it. */
export interface EngineThreadJob {
  engine: EngineOptions;
  text: string;
  options: CompressTextOptions;
}

/** The thread's answer: the result without `original`, which the caller already holds, and the engine's notices. */
export type EngineThreadAnswer = Omit<CompressTextResult, 'original'> & { notices: Notice[] };

/**
 * Compress `text` as `createEngine(engine).compressText(text, options)` does, on a worker thread that
 * ends with the call. The caller's event loop keeps running meanwhile, so signals and timers are served.
 */
export function compressTextOnThread(
  engine: EngineOptions,
  text: string,
  options: CompressTextOptions = {},
): Promise<CompressTextResult & { notices: Notice[] }> {
  const job: EngineThreadJob = { engine, text, options };
  const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once('message', (answer: EngineThreadAnswer) => {
      resolve({ ...answer, original: text });
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the compression thread stopped (exit code ${code})`)));
  });
}
