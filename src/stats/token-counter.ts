// Local token counts for the stats row. Tokenizing a long history takes the CPU for a noticeable while
// (a few tenths of a second a megabyte), so it runs on a worker thread, after forwarding, and the worker
// remembers the long texts it already counted.

import { Worker } from 'node:worker_threads';

/** What a request body (or a set of texts) is estimated to cost as input, and the model it names. */
export interface RequestEstimate {
  model?: string;
  tokens?: number;
}

/** Bodies and texts past this size are estimated from it (4 bytes a token), never tokenized. */
export const LARGE_BODY_BYTES = 1024 * 1024;
const BYTES_PER_TOKEN = 4;
/** Past this many jobs waiting for the worker, new ones are estimated from their size. */
const MAX_QUEUED = 64;
/** The worker (an isolate, and its tokenizer tables) goes away after this long without work. */
const IDLE_STOP_MS = 60_000;
/** The counting thread's young generation, in MB (measured: 2 MB counts as fast, holding ~17 MB less). */
const COUNT_YOUNG_GENERATION_MB = 2;

function modelNamedIn(body: Buffer): string | undefined {
  return /"model"\s*:\s*"([^"\\]{1,200})"/.exec(body.toString('latin1'))?.[1];
}

/** The estimate from size alone: 4 bytes a token. */
export function estimateFromSize(body: Buffer): RequestEstimate {
  return { model: modelNamedIn(body), tokens: Math.ceil(body.length / BYTES_PER_TOKEN) };
}

const textsSize = (texts: readonly string[]) => texts.reduce((sum, text) => sum + text.length, 0);

type Job = { id: number; body: Uint8Array } | { id: number; texts: string[]; model?: string };

interface Pending {
  fallback: () => RequestEstimate;
  resolve: (estimate: RequestEstimate) => void;
}

/**
 * Counts on one background thread, off the proxy's event loop. Jobs posted in the same tick travel as one
 * message, which keeps the cost on the proxy's thread small under load. When the thread is busy or gone,
 * the answer is the estimate from size.
 */
export class TokenCounter {
  private worker?: Worker;
  private unavailable = false;
  private readonly waiting = new Map<number, Pending>();
  private outbox: Job[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;

  /** The input tokens of a request body, from the text it carries; bodies over 1 MB from their size. */
  request(body: Buffer): Promise<RequestEstimate> {
    const fallback = () => estimateFromSize(body);
    if (body.length > LARGE_BODY_BYTES) return Promise.resolve(fallback());
    return this.post((id) => ({ id, body }), fallback);
  }

  /** The tokens of `texts` together. */
  async texts(texts: string[], model: string | undefined): Promise<number> {
    const fallback = () => ({ tokens: Math.ceil(textsSize(texts) / BYTES_PER_TOKEN) });
    if (textsSize(texts) > LARGE_BODY_BYTES) return fallback().tokens;
    const estimate = await this.post((id) => ({ id, texts, model }), fallback);
    return estimate.tokens ?? 0;
  }

  private post(job: (id: number) => Job, fallback: () => RequestEstimate): Promise<RequestEstimate> {
    if (this.waiting.size >= MAX_QUEUED) return Promise.resolve(fallback());
    const worker = this.start();
    if (!worker) return Promise.resolve(fallback());
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, { fallback, resolve });
      if (!this.outbox.length) setImmediate(() => this.send());
      this.outbox.push(job(id));
    });
  }

  private send(): void {
    const jobs = this.outbox;
    this.outbox = [];
    if (this.worker) this.worker.postMessage(jobs);
    else for (const job of jobs) this.settleWithFallback(job.id);
  }

  private settle(id: number, estimate: RequestEstimate): void {
    this.waiting.get(id)?.resolve(estimate);
    this.waiting.delete(id);
  }

  private settleWithFallback(id: number): void {
    const pending = this.waiting.get(id);
    if (pending) this.settle(id, pending.fallback());
  }

  private start(): Worker | undefined {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.worker || this.unavailable) return this.worker;
    let worker: Worker;
    try {
      // Counting makes many short strings and keeps few: a small young generation holds them as well
      // as the default one, which grows to tens of MB in this thread alone.
      worker = new Worker(new URL('./count-worker.js', import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: COUNT_YOUNG_GENERATION_MB },
      });
    } catch {
      this.unavailable = true;
      return undefined;
    }
    worker.unref();
    worker.on('message', (answers: { id: number; estimate?: RequestEstimate }[]) => {
      // A job the thread could not count is estimated from its size.
      for (const { id, estimate } of answers) {
        if (estimate) this.settle(id, estimate);
        else this.settleWithFallback(id);
      }
      if (!this.waiting.size) this.stopWhenIdle();
    });
    // A dead worker must not leave requests waiting: they fall back to the size estimate.
    const gone = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.waiting.keys()]) this.settleWithFallback(id);
    };
    worker.on('error', () => {
      this.unavailable = true;
      gone();
    });
    worker.on('exit', gone);
    this.worker = worker;
    return worker;
  }

  private stopWhenIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const worker = this.worker;
      this.worker = undefined;
      void worker?.terminate();
    }, IDLE_STOP_MS);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.unavailable = true;
    const worker = this.worker;
    this.worker = undefined;
    for (const id of [...this.waiting.keys()]) this.settleWithFallback(id);
    if (worker) await worker.terminate();
  }
}
