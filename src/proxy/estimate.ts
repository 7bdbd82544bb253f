// Local token estimate of a request body, for the stats row. Tokenizing a long history takes the CPU for a
// noticeable while, so it runs on a worker thread, after forwarding, and remembers texts it already counted.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { countTokens } from '../compress/tokens.js';
import { isObject, parseJson } from './usage.js';

/** What the request body is estimated to cost as input, and the model it names. */
export interface RequestEstimate {
  model?: string;
  tokens?: number;
}

const LARGE_BODY_BYTES = 1024 * 1024;
const BYTES_PER_TOKEN = 4;

// Fields that never reach the model as text: routing and sampling settings, inline binary data.
const NON_TEXT_FIELDS = new Set([
  'model',
  'data',
  'type',
  'role',
  'media_type',
  'stream',
  'id',
  'tool_use_id',
]);

function collectText(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (!value.startsWith('data:')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectText(item, out);
  } else if (isObject(value)) {
    for (const key in value) if (!NON_TEXT_FIELDS.has(key)) collectText(value[key], out);
  }
}

// Agents resend the whole history every turn: long texts seen before are counted once.
const CACHE_MIN_CHARS = 512;
const CACHE_MAX_ENTRIES = 20_000;
const counted = new Map<string, number>();

function countCached(text: string, model: string | undefined): number {
  const key = `${model ?? ''}\0${createHash('sha1').update(text).digest('base64')}`;
  const hit = counted.get(key);
  if (hit !== undefined) {
    counted.delete(key);
    counted.set(key, hit);
    return hit;
  }
  const tokens = countTokens(text, model);
  counted.set(key, tokens);
  if (counted.size > CACHE_MAX_ENTRIES) counted.delete(counted.keys().next().value!);
  return tokens;
}

function modelNamedIn(body: Buffer): string | undefined {
  return /"model"\s*:\s*"([^"\\]{1,200})"/.exec(body.toString('latin1'))?.[1];
}

/** The estimate from size alone: 4 bytes a token. */
export function estimateFromSize(body: Buffer): RequestEstimate {
  return { model: modelNamedIn(body), tokens: Math.ceil(body.length / BYTES_PER_TOKEN) };
}

/**
 * Estimate the input tokens of a request body from the text it carries (message contents, system prompt,
 * tool definitions). Bodies over 1 MB are estimated from their size; bodies that are not JSON get none.
 */
export function estimateRequest(body: Buffer): RequestEstimate {
  if (body.length > LARGE_BODY_BYTES) return estimateFromSize(body);
  const payload = parseJson(body.toString('utf8'));
  if (!isObject(payload)) return {};
  const model = typeof payload.model === 'string' ? payload.model : undefined;
  const texts: string[] = [];
  collectText(payload, texts);
  let tokens = 0;
  const short: string[] = [];
  for (const text of texts) {
    if (text.length >= CACHE_MIN_CHARS) tokens += countCached(text, model);
    else short.push(text);
  }
  return { model, tokens: tokens + countTokens(short.join('\n'), model) };
}

/** Past this many requests waiting for the worker, new ones are estimated from their size. */
const MAX_QUEUED = 64;
/** The worker (and its tokenizer tables, ~80 MB per encoding) goes away after this long without work. */
const IDLE_STOP_MS = 60_000;

// Tests run the TypeScript sources, which a worker thread cannot load: they use the built copy.
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/proxy/estimate-worker.js', here)
    : new URL('./estimate-worker.js', here);
}

export interface EstimateJob {
  id: number;
  body: Uint8Array;
}

export interface EstimateAnswer {
  id: number;
  estimate: RequestEstimate;
}

interface Pending {
  body: Buffer;
  resolve: (estimate: RequestEstimate) => void;
}

/**
 * Runs `estimateRequest` on one background thread, off the proxy's event loop. Jobs posted in the same
 * tick travel as one message, which keeps the cost on the proxy's thread small under load.
 */
export class RequestEstimator {
  private worker?: Worker;
  private unavailable = false;
  private readonly waiting = new Map<number, Pending>();
  private outbox: EstimateJob[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;

  estimate(body: Buffer): Promise<RequestEstimate> {
    if (body.length > LARGE_BODY_BYTES || this.waiting.size >= MAX_QUEUED) {
      return Promise.resolve(estimateFromSize(body));
    }
    const worker = this.start();
    if (!worker) return Promise.resolve(estimateFromSize(body));
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, { body, resolve });
      if (!this.outbox.length) setImmediate(() => this.send());
      this.outbox.push({ id, body });
    });
  }

  private send(): void {
    const jobs = this.outbox;
    this.outbox = [];
    if (this.worker) this.worker.postMessage(jobs);
    else for (const job of jobs) this.settle(job.id, estimateFromSize(Buffer.from(job.body)));
  }

  private settle(id: number, estimate: RequestEstimate): void {
    this.waiting.get(id)?.resolve(estimate);
    this.waiting.delete(id);
  }

  private start(): Worker | undefined {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.worker || this.unavailable) return this.worker;
    const script = workerScript();
    if (!existsSync(script)) {
      this.unavailable = true;
      return undefined;
    }
    const worker = new Worker(script);
    worker.unref();
    worker.on('message', (answers: EstimateAnswer[]) => {
      for (const { id, estimate } of answers) this.settle(id, estimate);
      if (!this.waiting.size) this.stopWhenIdle();
    });
    // A dead worker must not leave requests waiting: they fall back to the size estimate.
    const gone = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, pending] of this.waiting) this.settle(id, estimateFromSize(pending.body));
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
    for (const [id, pending] of this.waiting) this.settle(id, estimateFromSize(pending.body));
    if (worker) await worker.terminate();
  }
}
