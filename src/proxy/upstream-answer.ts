// One upstream exchange, read through undici's dispatcher: the head as soon as it arrives, then each body
// chunk handed over in the tick it was parsed in.
//
// No body stream sits in between (undici's `request()` wraps the body in a Readable, whose end is seen
// ticks after the last bytes): the writes for a TCP read, the end of the response included, go out
// together, and backpressure is the caller's `pause()` / `resume()`.

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface UpstreamRequest {
  origin: string;
  path: string;
  method: string;
  headers: string[];
  /** A body read whole, the client's own request stream (relayed as it comes), or none. */
  body: Buffer | Readable | null;
}

type ChunkListener = (chunk: Buffer) => void;

export class UpstreamAnswer {
  statusCode = 0;
  statusMessage = '';
  headers: IncomingHttpHeaders = {};
  private controller: Dispatcher.DispatchController | undefined;
  /** Chunks parsed before a reader was attached (they can share a TCP read with the head). */
  private early: Buffer[] = [];
  private listener: ChunkListener | undefined;
  private ended = false;
  private failure: Error | undefined;
  private done: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private abortReason: Error | undefined;

  private constructor() {}

  /** Send the request; `head` resolves once the head arrives and rejects if the exchange fails before that. */
  static send(
    dispatcher: Dispatcher,
    request: UpstreamRequest,
  ): { answer: UpstreamAnswer; head: Promise<void> } {
    const answer = new UpstreamAnswer();
    const head = new Promise<void>((resolve, reject) => {
      let started = false;
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          answer.controller = controller;
          if (answer.abortReason) controller.abort(answer.abortReason);
        },
        onResponseStart: (controller, statusCode, headers, statusMessage) => {
          answer.controller = controller;
          answer.statusCode = statusCode;
          answer.statusMessage = statusMessage ?? '';
          answer.headers = headers;
          started = true;
          resolve();
        },
        onResponseData: (_controller, chunk) => {
          if (answer.listener) answer.listener(chunk);
          else answer.early.push(chunk);
        },
        onResponseEnd: () => {
          answer.ended = true;
          answer.done?.resolve();
        },
        onResponseError: (_controller, error) => {
          answer.failure = error;
          if (!started) reject(error);
          answer.done?.reject(error);
        },
      };
      try {
        dispatcher.dispatch({ ...request, method: request.method as Dispatcher.HttpMethod }, handler);
      } catch (error) {
        reject(error as Error);
      }
    });
    return { answer, head };
  }

  /** The value of a response header, several values joined. */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  }

  /** Hand every body chunk to `onChunk` as it arrives; resolves at the end of the body. */
  read(onChunk: ChunkListener): Promise<void> {
    for (const chunk of this.early) onChunk(chunk);
    this.early = [];
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve();
    this.listener = onChunk;
    return new Promise((resolve, reject) => {
      this.done = { resolve, reject };
    });
  }

  /** The whole body in one buffer. */
  async bytes(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.read((chunk) => chunks.push(chunk));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
  }

  abort(reason: Error): void {
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
