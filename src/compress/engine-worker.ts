// The thread behind compressTextOnThread: makes the engine it is given, compresses the one text and answers.

import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from './engine.js';
import type { EngineThreadAnswer, EngineThreadJob } from './engine-thread.js';

const job = workerData as EngineThreadJob;
const engine = createEngine(job.engine);
await engine.init();
const { original: _, ...result } = engine.compressText(job.text, job.options);
parentPort?.postMessage({ ...result, notices: [...engine.notices()] } satisfies EngineThreadAnswer);
