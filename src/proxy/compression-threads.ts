// Threads that rewrite request bodies for the proxy, so compressing one big request never holds up the bytes
// of another. Each thread keeps its own engine (same settings, so the same output); a request goes to an
// idle thread, the first ones first so their memos stay warm. A thread that dies or hangs costs only the
// requests it held (they go out uncompressed) and is replaced on the next request.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineOptions } from '../compress/engine.js';
import type { Notice } from '../compress/types.js';
import type { FormatName, WireFormat } from '../formats/types.js';
import type { TurnBlock, TurnKey } from '../memory/inject.js';
import { type BodyRewrite, type BodyRewriter, type RewriteRequest, rewriterOn } from './compression.js';
import type { MemoryReader, MemoryRewrite } from './memory-body.js';

/** One body to rewrite, as it crosses to a thread, with the request's own settings. */
export interface RewriteJob extends Omit<RewriteRequest, 'sendWhole'> {
  kind: 'rewrite';
  id: number;
  format: FormatName;
  path: string;
  body: Uint8Array;
  sendWhole: string[];
}

/** The memory step's work on a body (memory-body.ts): reading its turns, or adding the tools and blocks. */
export type MemoryJob =
  | { kind: 'memory-turns'; id: number; format: FormatName; body: Uint8Array; reader: MemoryReader }
  | {
      kind: 'memory-blocks';
      id: number;
      format: FormatName;
      path: string;
      body: Uint8Array;
      blocks: readonly TurnBlock[];
    };

export type ThreadJob = RewriteJob | MemoryJob;

/** A thread's answer: the job's result, or why it failed (with the error's class, e.g. `RangeError`). */
export type RewriteAnswer =
  | { id: number; rewrite: BodyRewrite }
  | { id: number; turns: TurnKey[] | undefined }
  | { id: number; memory: MemoryRewrite }
  | { id: number; error: string; name: string };

const ERROR_CLASSES: Record<string, ErrorConstructor> = { RangeError, TypeError, SyntaxError };

/** The thread's error as this side can test it (`instanceof RangeError` for a body nested past the stack). */
function errorOf(answer: { error: string; name: string }): Error {
  return new (ERROR_CLASSES[answer.name] ?? Error)(answer.error);
}

export interface CompressionThreadsOptions {
  /** Threads at most (default: one per core but one, at least 2 and at most 4; the first stays, others end when idle). */
  size?: number;
  /** A job not answered within this long ends its thread and goes out uncompressed (default 30 s). */
  jobTimeoutMs?: number;
  /** A thread past the first ends after this long without work (default 30 s). */
  idleEndMs?: number;
  /** The thread's script (default: the one built beside this module). */
  script?: URL;
}

const JOB_TIMEOUT_MS = 30_000;
/** A thread beyond the first ends after this long without work: its engine's memory is only paid under load. */
const IDLE_END_MS = 30_000;
/** Threads in a row that stop before answering anything, after which bodies are rewritten on this thread. */
const MAX_FAILED_STARTS = 3;
/**
 * A thread past the first starts only when every running one holds this many bytes of bodies: small bodies
 * take well under a millisecond each, so a queue of them costs less wait than another thread's ~35 MB, while
 * behind this much (tens of ms of compression) a small request is better answered beside it.
 */
const BUSY_BYTES = 256 * 1024;
/**
 * Each thread's young generation, in MB. Left to grow, it reached its default of 16 MB and more in every
 * thread; at 8 the proxy's peak RSS was ~20 MB lower on small requests and 70-110 MB lower on 15 MB bodies,
 * which compressed within the run-to-run spread of the default (4 MB cost them 25-30%); 6 holds ~4.5 MB less
 * again under small requests, for 2-3% more time on a 23 MB body and none measurable on 2 MB ones.
 */
const THREAD_YOUNG_GENERATION_MB = 6;

interface Pending {
  /** The body's size, counted in its thread's queue until answered. */
  bytes: number;
  resolve: (answer: RewriteAnswer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Bytes of the bodies it holds. */
  queued: number;
  answered: boolean;
  idle?: NodeJS.Timeout;
}

/**
 * The thread script beside this module, as the build lays it out; undefined when there is none (run from the
 * sources), and the caller then compresses on its own thread unless it is handed a script.
 */
export function compressionThreadScript(): URL | undefined {
  const url = new URL('./compression-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export class CompressionThreads implements BodyRewriter {
  private readonly threads: Thread[] = [];
  private readonly size: number;
  private readonly jobTimeoutMs: number;
  private readonly idleEndMs: number;
  private nextId = 0;
  private closed = false;
  private failedStarts = 0;
  private readonly warned = new Set<string>();
  /** Set once threads keep failing to start: the engine then runs here, slower for others but never lost. */
  private inline?: Promise<BodyRewriter>;

  constructor(
    private readonly engine: EngineOptions,
    private readonly script: URL,
    options: CompressionThreadsOptions = {},
    /** Told what goes wrong (a thread that keeps stopping, a model that fails), and at `debug` what is absent. */
    private readonly onWarning: (message: string, level?: 'warn' | 'debug') => void = () => {},
  ) {
    // A second thread keeps small requests from waiting behind a big one; each holds an engine (~35 MB, more
    // with grammars), so threads past the first start only when the others hold big bodies, and end when idle.
    this.size = Math.max(1, options.size ?? Math.min(4, Math.max(2, availableParallelism() - 1)));
    this.jobTimeoutMs = options.jobTimeoutMs ?? JOB_TIMEOUT_MS;
    this.idleEndMs = options.idleEndMs ?? IDLE_END_MS;
  }

  async rewrite(
    format: WireFormat,
    path: string,
    body: Buffer,
    request: RewriteRequest,
  ): Promise<BodyRewrite> {
    if (this.inline) return (await this.inline).rewrite(format, path, body, request);
    const answer = await this.run(body, (id, bytes) => ({
      ...request,
      kind: 'rewrite',
      id,
      format: format.name,
      path,
      body: bytes,
      sendWhole: [...request.sendWhole],
    }));
    return (answer as { rewrite: BodyRewrite }).rewrite;
  }

  async memoryTurns(format: WireFormat, body: Buffer, reader: MemoryReader): Promise<TurnKey[] | undefined> {
    if (this.inline) return (await this.inline).memoryTurns(format, body, reader);
    const answer = await this.run(body, (id, bytes) => ({
      kind: 'memory-turns',
      id,
      format: format.name,
      body: bytes,
      reader,
    }));
    return (answer as { turns: TurnKey[] | undefined }).turns;
  }

  async withMemory(
    format: WireFormat,
    path: string,
    body: Buffer,
    blocks: readonly TurnBlock[],
  ): Promise<MemoryRewrite> {
    if (this.inline) return (await this.inline).withMemory(format, path, body, blocks);
    const answer = await this.run(body, (id, bytes) => ({
      kind: 'memory-blocks',
      id,
      format: format.name,
      path,
      body: bytes,
      blocks,
    }));
    return (answer as { memory: MemoryRewrite }).memory;
  }

  /** Hand `body` to a thread as the job `jobOf` makes, and resolve with its answer (an error rejects). */
  private run(body: Buffer, jobOf: (id: number, bytes: Uint8Array) => ThreadJob): Promise<RewriteAnswer> {
    if (this.closed) return Promise.reject(new Error('the compression threads are closed'));
    const thread = this.pick();
    if (thread.idle) clearTimeout(thread.idle);
    thread.idle = undefined;
    const id = this.nextId++;
    // Shared memory the thread reads in place; other bytes are copied for it to own, since the request's own
    // bytes stay here, to be forwarded should the thread fail.
    const shared = body.buffer instanceof SharedArrayBuffer;
    const bytes = shared ? body : new Uint8Array(body);
    const job = jobOf(id, bytes);
    return new Promise<RewriteAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.end(thread, new Error(`compression took over ${this.jobTimeoutMs} ms; forwarded as sent`));
      }, this.jobTimeoutMs);
      timer.unref();
      thread.pending.set(id, { bytes: body.length, resolve, reject, timer });
      thread.queued += body.length;
      thread.worker.postMessage(job, shared ? [] : [bytes.buffer as ArrayBuffer]);
    });
  }

  /**
   * Start the first thread now, while nothing waits on it: its engine takes a few hundred ms to load, which
   * the first body would otherwise wait for. The first thread stays once started, so this costs no memory
   * a proxy that compresses would not hold anyway.
   */
  warm(): void {
    if (!this.closed && !this.inline && this.threads.length === 0) this.spawn();
  }

  /** Stop every thread; requests they held go out uncompressed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.threads.splice(0).map((thread) => {
        this.settleAll(thread, new Error('the proxy is closing'));
        return thread.worker.terminate();
      }),
    );
  }

  /** An idle thread (the first one idle), else the one holding the fewest bytes unless all hold many. */
  private pick(): Thread {
    const idle = this.threads.find((thread) => thread.pending.size === 0);
    if (idle) return idle;
    const least = this.threads.reduce<Thread | undefined>(
      (least, thread) => (least && least.queued <= thread.queued ? least : thread),
      undefined,
    );
    if (least && (least.queued < BUSY_BYTES || this.threads.length >= this.size)) return least;
    return this.spawn();
  }

  private spawn(): Thread {
    const worker = new Worker(this.script, {
      workerData: this.engine,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    // The threads never keep a finished proxy's process alive.
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), queued: 0, answered: false };
    worker.on('message', (answer: RewriteAnswer | { notice: Notice }) => {
      if ('notice' in answer) {
        // Every thread loads the same model: what it says is said once for the proxy.
        const { level, message } = answer.notice;
        if (!this.warned.has(message)) this.onWarning(`headroom: ${message}`, level);
        this.warned.add(message);
        return;
      }
      thread.answered = true;
      this.failedStarts = 0;
      const pending = thread.pending.get(answer.id);
      if (!pending) return;
      thread.pending.delete(answer.id);
      thread.queued -= pending.bytes;
      clearTimeout(pending.timer);
      if (thread.pending.size === 0 && thread !== this.threads[0]) this.endWhenIdle(thread);
      if ('error' in answer) pending.reject(errorOf(answer));
      else pending.resolve(answer);
    });
    worker.on('error', (error) => this.end(thread, error));
    worker.on('exit', (code) =>
      this.end(thread, new Error(`the compression thread stopped (exit code ${code})`)),
    );
    this.threads.push(thread);
    return thread;
  }

  private endWhenIdle(thread: Thread): void {
    thread.idle = setTimeout(() => {
      const at = this.threads.indexOf(thread);
      if (at <= 0 || thread.pending.size) return;
      this.threads.splice(at, 1);
      void thread.worker.terminate();
    }, this.idleEndMs);
    thread.idle.unref();
  }

  /** A thread that failed or hung: its requests fail (and go out as sent), and a new one takes its place. */
  private end(thread: Thread, error: Error): void {
    const at = this.threads.indexOf(thread);
    if (at === -1) return;
    this.threads.splice(at, 1);
    this.settleAll(thread, error);
    if (!thread.answered && !this.closed && ++this.failedStarts >= MAX_FAILED_STARTS && !this.inline) {
      this.onWarning(
        `headroom: compression threads keep stopping (${error.message}); compressing on the proxy's own thread`,
      );
      this.inline = (async () => {
        const { createEngine } = await import('../compress/engine.js');
        const engine = createEngine(this.engine);
        await engine.init();
        return rewriterOn(engine);
      })();
    }
    void thread.worker.terminate();
  }

  /** Threads running now. */
  get running(): number {
    return this.threads.length;
  }

  private settleAll(thread: Thread, error: Error): void {
    if (thread.idle) clearTimeout(thread.idle);
    for (const pending of thread.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    thread.pending.clear();
    thread.queued = 0;
  }
}
