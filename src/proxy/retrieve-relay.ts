// Serves a request in which the proxy offered headroom_retrieve: relays the model's answer while answering
// the model's headroom_retrieve calls itself and continuing the turn upstream, so the client sees one answer.
//
// Streams stay live: text and thinking reach the client as they arrive in every round; only the agent's own
// tool calls wait for the end of their round (see ccr/retrieve-stream.ts), and what passes unchanged leaves
// as the upstream's own bytes. JSON answers are read whole, since whether another round follows is only
// known once the answer is complete; one that never names the tool leaves as it came, unparsed.

import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { joinGeminiChunks } from '../ccr/gemini.js';
import {
  answerRetrieveCalls,
  continueWithResults,
  findRetrieveCalls,
  mergeResponses,
  type RetrieveCall,
} from '../ccr/retrieve-loop.js';
import { createRetrieveStream, formatSseEvent } from '../ccr/retrieve-stream.js';
import { RETRIEVE_TOOL_NAME } from '../ccr/tool.js';
import type { Logger } from '../log.js';
import { isObject, type WireFormat, type WireObject } from '../providers/types.js';
import type { OriginalStore } from '../store/types.js';
import type { RetrieveOffer } from './compression.js';
import { describeError, type RelayOutcome, reportFailure } from './failure.js';
import type { ProxyRoute } from './routes.js';
import { SseReader } from './sse.js';
import { clientResponseHeaders, type Upstreams, type UpstreamTarget } from './upstream.js';
import { UpstreamAnswer } from './upstream-answer.js';
import { parseJson, UsageTap } from './usage.js';

export interface RetrieveRelayContext {
  upstreams: Upstreams;
  originals: OriginalStore;
  logger: Logger;
  /** Most continuation rounds per request. */
  maxRounds: number;
}

export interface RetrieveRelayRequest {
  route: ProxyRoute;
  target: UpstreamTarget;
  /** Headers for every round (the client's own, auth included). */
  headers: string[];
  /** The first round's body, already serialized. */
  bytes: Buffer;
  offer: RetrieveOffer;
  started: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A JSON answer as one response; Gemini's chunk array (streamGenerateContent without alt=sse) joined. */
function jsonResponse(format: WireFormat, parsed: unknown): WireObject | undefined {
  if (format === 'gemini' && Array.isArray(parsed)) return joinGeminiChunks(parsed);
  return isObject(parsed) ? parsed : undefined;
}

/** True when `next` starts in memory right where `previous` ends (two views of one upstream chunk). */
function adjacent(previous: Buffer, next: Buffer): boolean {
  return previous.buffer === next.buffer && previous.byteOffset + previous.length === next.byteOffset;
}

function joinPieces(pieces: (Buffer | string)[]): Buffer | string {
  if (pieces.every((piece) => typeof piece === 'string')) return pieces.join('');
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

/** One exchange's rounds, sharing the client connection, the upstream in flight and the stats figures. */
class RetrieveRelay {
  readonly outcome: RelayOutcome = { status: 0, stream: false, retrievals: 0, retrievedBytes: 0 };
  /** The upstream exchange in flight, aborted if the client goes away. */
  private active: UpstreamAnswer | undefined;
  private clientGone = false;
  private rounds = 0;
  private corked = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly request: RetrieveRelayRequest,
    private readonly ctx: RetrieveRelayContext,
  ) {}

  async run(): Promise<RelayOutcome> {
    const onClose = () => {
      if (this.res.writableFinished) return;
      this.clientGone = true;
      this.active?.abort(new Error('client aborted'));
    };
    const onDrain = () => this.active?.resume();
    this.res.on('close', onClose);
    this.res.on('drain', onDrain);
    try {
      const first = await this.send(this.request.bytes);
      this.outcome.status = first.statusCode;
      const type = header(first.headers, 'content-type') ?? '';
      const encoding = header(first.headers, 'content-encoding');
      this.outcome.stream = type.includes('text/event-stream');
      this.outcome.tap = UsageTap.for(type, encoding);
      const plain = !encoding || encoding.trim().toLowerCase() === 'identity';
      if (first.statusCode !== 200 || !plain) await this.pipe(first);
      else if (this.outcome.stream) await this.streamRounds(first);
      else if (type.includes('json')) await this.jsonRounds(first);
      else await this.pipe(first);
    } catch (error) {
      reportFailure(this.res, error, this.clientGone, this.outcome, {
        route: this.request.route,
        target: this.request.target,
        logger: this.ctx.logger,
      });
    } finally {
      this.res.off('close', onClose);
      this.res.off('drain', onDrain);
    }
    return this.outcome;
  }

  private async send(bytes: Buffer): Promise<UpstreamAnswer> {
    if (this.clientGone) throw new Error('client aborted');
    const { target, headers } = this.request;
    const { answer, head } = UpstreamAnswer.send(this.ctx.upstreams.agent, {
      origin: target.origin,
      path: target.path,
      headers,
      body: bytes,
    });
    this.active = answer;
    await head;
    return answer;
  }

  /** Answer the calls from the store and send the next round; undefined when that round cannot be used. */
  private async continueRound(
    body: WireObject,
    response: WireObject,
    calls: readonly RetrieveCall[],
    stream: boolean,
  ): Promise<{ body: WireObject; response: UpstreamAnswer } | undefined> {
    const { results, retrievals } = await answerRetrieveCalls(calls, this.ctx.originals);
    this.outcome.retrievals = (this.outcome.retrievals ?? 0) + retrievals.length;
    this.outcome.retrievedBytes =
      (this.outcome.retrievedBytes ?? 0) + retrievals.reduce((sum, r) => sum + r.bytes, 0);
    const next = continueWithResults(this.request.offer.format, body, response, results);
    this.rounds += 1;
    let answer: UpstreamAnswer;
    try {
      answer = await this.send(Buffer.from(JSON.stringify(next)));
    } catch (error) {
      if (this.clientGone) throw error;
      this.ctx.logger.warn(
        `headroom: continuing after headroom_retrieve failed upstream (${(error as Error).message}); answering with the rounds so far`,
        { path: this.request.route.path },
      );
      return undefined;
    }
    const type = header(answer.headers, 'content-type') ?? '';
    const usable =
      answer.statusCode === 200 &&
      !header(answer.headers, 'content-encoding') &&
      (stream ? type.includes('text/event-stream') : type.includes('json'));
    if (!usable) {
      const detail = (await answer.bytes().catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 300);
      this.ctx.logger.warn(
        `headroom: continuing after headroom_retrieve got HTTP ${answer.statusCode} upstream; answering with the rounds so far (${detail})`,
        { path: this.request.route.path },
      );
      return undefined;
    }
    return { body: next, response: answer };
  }

  private firstByte(): void {
    this.outcome.ttfbMs ??= performance.now() - this.request.started;
  }

  /**
   * What is written for one TCP read (headers and the first events, a read's events) leaves in one write.
   * Uncorked once the read's callbacks, ticks and microtasks are done: the upstream body's end is seen
   * a few microtasks after its last bytes, and the client's end of response then joins them.
   */
  private coalesce(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    setImmediate(() => {
      this.corked = false;
      this.res.uncork();
    });
  }

  /** Write to the client; when it cannot take more, the upstream waits until it drains. */
  private write(chunk: string | Buffer): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.outcome.tap?.write(bytes);
    this.coalesce();
    if (!this.res.write(bytes)) this.active?.pause();
  }

  /** An answer the loop has no business with (an error, an encoded body): relayed as it came. */
  private async pipe(response: UpstreamAnswer): Promise<void> {
    this.res.writeHead(response.statusCode, clientResponseHeaders(response.headers));
    await response.read((chunk) => {
      this.firstByte();
      this.write(chunk);
    });
    this.res.end();
  }

  private async streamRounds(first: UpstreamAnswer): Promise<void> {
    const { format } = this.request.offer;
    const headers = clientResponseHeaders(first.headers);
    delete headers['content-length'];
    this.res.writeHead(first.statusCode, headers);
    // The headers leave this tick even if the model is slow to say anything (clients time out on them).
    this.coalesce();
    this.res.flushHeaders();
    const rewriter = createRetrieveStream(format);
    // What goes out after each upstream chunk: views of the upstream's bytes for every event passed on
    // unchanged (adjacent ones joined, so an untouched chunk leaves as it came) and text for the others.
    let pieces: (Buffer | string)[] = [];
    const add = (piece: Buffer | string) => {
      const last = pieces.at(-1);
      if (typeof piece !== 'string' && typeof last === 'object' && adjacent(last, piece)) {
        pieces[pieces.length - 1] = Buffer.from(
          last.buffer as ArrayBuffer,
          last.byteOffset,
          last.length + piece.length,
        );
      } else {
        pieces.push(piece);
      }
    };
    const reader = new SseReader(
      (event, data, raw) => {
        const input = { event, data };
        for (const out of rewriter.push(input)) add(out === input ? raw : formatSseEvent(out));
      },
      // Comments and keep-alives pass as they came.
      add,
    );
    const flush = () => {
      if (!pieces.length) return;
      const out = pieces.length === 1 ? pieces[0]! : joinPieces(pieces);
      pieces = [];
      this.write(out);
    };
    let body = this.request.offer.body;
    let response = first;
    for (;;) {
      try {
        await response.read((chunk) => {
          this.firstByte();
          reader.push(chunk);
          flush();
        });
      } catch (error) {
        // A continuation that breaks off ends the client's stream with an error it can read; the first
        // round breaks as the upstream broke, as the plain relay does.
        if (this.clientGone || response === first) throw error;
        const reason = describeError(error);
        this.outcome.error = 'upstream reset';
        this.ctx.logger.warn(
          `headroom: upstream ${this.request.target.base} broke off the answer after headroom_retrieve (${reason})`,
          { path: this.request.route.path },
        );
        const message = `headroom: the upstream connection broke while continuing the answer (${reason}); the answer is incomplete`;
        for (const event of rewriter.fail(message)) add(formatSseEvent(event));
        flush();
        this.res.end();
        return;
      }
      reader.end();
      flush();
      const round = rewriter.endRound();
      if (!round.calls.length || rewriter.failed || this.rounds >= this.ctx.maxRounds) break;
      const next = await this.continueRound(body, round.response, round.calls, true);
      if (!next) break;
      body = next.body;
      response = next.response;
    }
    for (const event of rewriter.finish()) add(formatSseEvent(event));
    flush();
    this.res.end();
  }

  private async jsonRounds(first: UpstreamAnswer): Promise<void> {
    const { format } = this.request.offer;
    const raw = await first.bytes();
    this.firstByte();
    // An answer that never names the tool cannot call it: it goes out as it came, unparsed.
    const parsed = raw.includes(RETRIEVE_TOOL_NAME) ? parseJson(raw.toString('utf8')) : undefined;
    const chunked = Array.isArray(parsed);
    const initial = jsonResponse(format, parsed);
    const responses: WireObject[] = initial ? [initial] : [];
    let body = this.request.offer.body;
    let calledRetrieve = false;
    for (let last = responses[0]; last; ) {
      const { calls } = findRetrieveCalls(format, last);
      if (!calls.length) break;
      calledRetrieve = true;
      if (this.rounds >= this.ctx.maxRounds) break;
      const next = await this.continueRound(body, last, calls, false);
      if (!next) break;
      body = next.body;
      last = jsonResponse(format, parseJson((await next.response.bytes()).toString('utf8')));
      if (last) responses.push(last);
    }
    const merged = calledRetrieve ? mergeResponses(format, responses) : undefined;
    const out = merged ? Buffer.from(JSON.stringify(chunked ? [merged] : merged)) : raw;
    const headers = clientResponseHeaders(first.headers);
    headers['content-length'] = out.length;
    this.res.writeHead(first.statusCode, headers);
    this.write(out);
    this.res.end();
  }
}

/** Forward the request and serve the client one answer, however many rounds the model needs. */
export function relayWithRetrieve(
  res: ServerResponse,
  request: RetrieveRelayRequest,
  ctx: RetrieveRelayContext,
): Promise<RelayOutcome> {
  return new RetrieveRelay(res, request, ctx).run();
}
