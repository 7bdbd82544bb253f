// One exchange between a client and an upstream, however many upstream rounds it takes. Everything the
// proxy does with a connection lives here once: a client that leaves aborts the upstream, a slow client
// pauses the upstream read, what one TCP read brings leaves in one write, time to first byte, failures.
//
// Three strategies: `pipe` relays the answer byte for byte (every request the proxy offered no tool of its
// own in, and any answer the loop has no business with: an error, an encoded body); `streamRounds` and
// `jsonRounds` serve a request that offered some (headroom_retrieve, the memory tools), answering the model's
// calls to them itself and continuing the turn upstream, so the client sees one answer. Streams stay live: text reaches
// the client as it arrives in every round; only the agent's own tool calls wait for the end of their round,
// and what passes unchanged leaves as the upstream's own bytes. JSON answers are read whole (whether another
// round follows is known only once one is complete); one that never names those tools leaves unparsed.
// A continuation round that fails ends the exchange with that failure, never with the rounds so far as if
// the answer were done: a JSON client gets the upstream's own error answer, a stream the API's error event.
// A stream any round of which stops before its API's end of an answer gets that error event too, and no
// closing events made up for it.

import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { errorBodyFor, usageReadersFor } from '../formats/index.js';
import type { AnsweredCall, AnsweredTools, StreamFailure, UpstreamUsage } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import { parseJson } from '../formats/wire.js';
import type { Logger } from '../log.js';
import { formatSseEvent, SseReader } from '../sse.js';
import {
  answerCalls,
  answeredNames,
  continueWithResults,
  findAnsweredCalls,
  mergeResponses,
} from '../tools/loop.js';
import type { ToolOffer } from './compression.js';
import {
  ClientAborted,
  classifyFailure,
  describeError,
  type ProxyFailure,
  ProxyShutdown,
  UpstreamLoginFailed,
  UpstreamMalformed,
  UpstreamReset,
  UpstreamTimeout,
  UpstreamTruncated,
} from './failures.js';
import type { ProxyRoute } from './routes.js';
import {
  clientResponseHeaders,
  grantedHeaders,
  type UpstreamGrant,
  type UpstreamLogin,
  type Upstreams,
  type UpstreamTarget,
} from './upstream.js';
import { UpstreamAnswer } from './upstream-answer.js';
import { UsageTap } from './usage.js';

export interface ExchangeContext {
  upstreams: Upstreams;
  logger: Logger;
  /** Most continuation rounds per request. */
  maxRounds: number;
  /** True once the proxy cuts the connections still open at shutdown. */
  shuttingDown?: () => boolean;
  /** An upstream the proxy signs in to itself: the providers it serves go there, with its credentials. */
  login?: UpstreamLogin;
}

export interface ExchangeRequest {
  route: ProxyRoute;
  target: UpstreamTarget;
  method: string;
  /** Headers for every round (the client's own, auth included). */
  headers: string[];
  /** The first round's body: read whole, the client's own stream, or none. */
  body: Buffer | Readable | null;
  /** Set when the proxy offered tools of its own: the model's calls to them are answered here. */
  offer?: ToolOffer;
  /** When the request arrived (performance.now()), for time to first byte. */
  started: number;
}

/** How an exchange ended. */
export interface ExchangeOutcome {
  status: number;
  failure?: ProxyFailure;
  ttfbMs?: number;
  stream: boolean;
  /** Reads the upstream's usage from the bytes the client received. */
  tap?: UsageTap;
  /**
   * What the rounds that were answered used, when a later round failed before anything reached the client
   * (which then gets that round's error, carrying no usage): those rounds were billed all the same.
   */
  earlierUsage?: UpstreamUsage;
  /** headroom_retrieve calls answered, and the bytes of the answers. */
  retrievals: number;
  retrievedBytes: number;
  /** Memory tool calls answered (memory_save, memory_search…). */
  memoryCalls: number;
  /** Rounds sent upstream to continue the turn after the proxy answered tool calls. */
  continuations: number;
}

/**
 * What the round continuing a turn brought: the answer to read on, the upstream's refusal (an error status,
 * its body unread), or the failure that left no answer the loop can read.
 */
type Continuation =
  | { body: WireObject; answer: UpstreamAnswer }
  | { refused: UpstreamAnswer }
  | { failure: ProxyFailure };

/** True when `next` starts in memory right where `previous` ends (two views of one upstream chunk). */
function adjacent(previous: Buffer, next: Buffer): boolean {
  return previous.buffer === next.buffer && previous.byteOffset + previous.length === next.byteOffset;
}

function joinPieces(pieces: (Buffer | string)[]): Buffer | string {
  if (pieces.every((piece) => typeof piece === 'string')) return pieces.join('');
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

// What a client may have waiting before the upstream read pauses for it: well above one socket read (64 KiB).
const CLIENT_BUFFER_BYTES = 256 * 1024;

const isPlain = (encoding: string | undefined) => !encoding || encoding.trim().toLowerCase() === 'identity';

class Exchange {
  readonly outcome: ExchangeOutcome = {
    status: 0,
    stream: false,
    retrievals: 0,
    retrievedBytes: 0,
    memoryCalls: 0,
    continuations: 0,
  };
  /** The upstream exchange in flight, aborted if the client goes away. */
  private active: UpstreamAnswer | undefined;
  private clientGone = false;
  private rounds = 0;
  private corked = false;
  /** An upstream answer's head arrived: a break after it is a reset, even before the client's head went out. */
  private answered = false;
  /** Where the rounds go: the request's target, or where the upstream login's latest grant pointed. */
  private target: UpstreamTarget;

  constructor(
    private readonly res: ServerResponse,
    private readonly request: ExchangeRequest,
    private readonly ctx: ExchangeContext,
  ) {
    this.target = request.target;
  }

  async run(): Promise<ExchangeOutcome> {
    const onClose = () => {
      if (this.res.writableFinished) return;
      this.clientGone = true;
      this.active?.abort(new ClientAborted('client aborted'));
    };
    const onDrain = () => this.active?.resume();
    this.res.on('close', onClose);
    this.res.on('drain', onDrain);
    try {
      const first = await this.send(this.request.body);
      const type = first.header('content-type') ?? '';
      const encoding = first.header('content-encoding');
      const { route } = this.request;
      this.outcome.status = first.statusCode;
      this.outcome.stream = type.includes('text/event-stream');
      this.outcome.tap = UsageTap.for(type, encoding, usageReadersFor(route.provider, route.format));
      const loop = this.request.offer && first.statusCode === 200 && isPlain(encoding);
      if (loop && this.outcome.stream) await this.streamRounds(first);
      else if (loop && type.includes('json')) await this.jsonRounds(first);
      else await this.pipe(first);
    } catch (error) {
      this.fail(error);
    } finally {
      this.res.off('close', onClose);
      this.res.off('drain', onDrain);
    }
    return this.outcome;
  }

  /** One round upstream; under an upstream login, a refusal of its credentials buys new ones and goes again once. */
  private async send(body: Buffer | Readable | null): Promise<UpstreamAnswer> {
    const grant = await this.grant();
    const answer = await this.sendOnce(body, grant);
    if (!grant || answer.statusCode !== 401 || body instanceof Readable) return answer;
    await answer.bytes().catch(() => undefined);
    grant.refused();
    return this.sendOnce(body, await this.grant());
  }

  /** The upstream login's credentials for this round, when it serves the request's provider. */
  private async grant(): Promise<UpstreamGrant | undefined> {
    const { login } = this.ctx;
    const { route } = this.request;
    if (!login?.serves(route.provider)) return undefined;
    try {
      const grant = await login.grant(route.provider, route.path, route.query);
      this.target = grant.target;
      return grant;
    } catch (error) {
      throw new UpstreamLoginFailed(describeError(error), { cause: error });
    }
  }

  private async sendOnce(
    body: Buffer | Readable | null,
    grant: UpstreamGrant | undefined,
  ): Promise<UpstreamAnswer> {
    if (this.clientGone) throw new ClientAborted('client aborted');
    const { method } = this.request;
    const target = this.target;
    const headers = grant ? grantedHeaders(this.request.headers, grant) : this.request.headers;
    const { answer, head } = UpstreamAnswer.send(this.ctx.upstreams.agent, {
      origin: target.origin,
      path: target.path,
      method,
      headers,
      body,
    });
    this.active = answer;
    await head;
    this.answered = true;
    return answer;
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

  /**
   * Write to the client; once it holds more than it takes, the upstream waits until it drains. Pausing at the
   * first write the client cannot take at once would read the upstream one HTTP chunk per pause, while each
   * resume reads a socket's worth more: the upstream's body would pile up in the proxy.
   */
  private write(chunk: string | Buffer): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.outcome.tap?.write(bytes);
    this.coalesce();
    if (!this.res.write(bytes) && this.res.writableLength > CLIENT_BUFFER_BYTES) this.active?.pause();
  }

  /** Send the head; an event stream's leaves this tick even if the model is slow to say anything. */
  private writeHead(answer: UpstreamAnswer, headers = clientResponseHeaders(answer.headers)): void {
    try {
      this.res.writeHead(answer.statusCode, answer.statusMessage || undefined, headers);
    } catch {
      // A status message Node will not send (a character it refuses) goes; the status stays.
      this.res.writeHead(answer.statusCode, headers);
    }
    if (this.outcome.stream) {
      this.coalesce();
      this.res.flushHeaders();
    }
  }

  /** The answer relayed as it came, chunk by chunk. */
  private async pipe(answer: UpstreamAnswer): Promise<void> {
    this.writeHead(answer);
    await answer.read((chunk) => {
      this.firstByte();
      this.write(chunk);
    });
    this.firstByte();
    this.res.end();
  }

  /**
   * Answer the calls from the store and send the round that continues the turn: its answer when it is one
   * the loop can read, the upstream's own answer when it refused the round (an error status), or the failure
   * when it could not be reached or sent something else.
   */
  private async continueRound(
    body: WireObject,
    response: WireObject,
    calls: readonly AnsweredCall[],
    stream: boolean,
  ): Promise<Continuation> {
    const { format, tools } = this.request.offer!;
    const { results, answers } = await answerCalls(calls, tools);
    for (const { retrieval, memory } of answers) {
      if (memory) this.outcome.memoryCalls += 1;
      if (!retrieval) continue;
      this.outcome.retrievals += 1;
      this.outcome.retrievedBytes += retrieval.bytes;
    }
    const next = continueWithResults(format, body, response, results, answeredNames(tools));
    this.rounds += 1;
    this.outcome.continuations = this.rounds;
    const { logger } = this.ctx;
    const where = { path: this.request.route.path };
    let answer: UpstreamAnswer;
    try {
      answer = await this.send(Buffer.from(JSON.stringify(next)));
    } catch (error) {
      if (this.clientGone) throw error;
      const failure = classifyFailure(error, { clientGone: false, answerStarted: false });
      logger.warn(
        `headroom: continuing after a tool call headroom answered failed upstream (${failure.detail})`,
        where,
      );
      return { failure };
    }
    if (answer.statusCode !== 200) {
      logger.warn(
        `headroom: continuing after a tool call headroom answered got HTTP ${answer.statusCode} upstream`,
        where,
      );
      return { refused: answer };
    }
    const type = answer.header('content-type') ?? '';
    const readable =
      isPlain(answer.header('content-encoding')) &&
      (stream ? type.includes('text/event-stream') : type.includes('json'));
    if (!readable) {
      // Its size, never its text: an error page may echo the request's credentials, or its content.
      const size = (await answer.bytes().catch(() => Buffer.alloc(0))).length;
      const what = `${type || 'no content-type'} instead of ${stream ? 'an event stream' : 'JSON'}`;
      logger.warn(
        `headroom: continuing after a tool call headroom answered got ${what} upstream (${size} bytes)`,
        where,
      );
      return {
        failure: new UpstreamMalformed(`${what} continuing the turn after a tool call headroom answered`),
      };
    }
    return { body: next, answer };
  }

  /** A continuation that cannot go on, as a stream's error: the upstream's own error body when it sent one. */
  private async streamFailure(
    continuation: Exclude<Continuation, { answer: UpstreamAnswer }>,
  ): Promise<StreamFailure> {
    const base = this.target.base;
    if ('failure' in continuation) {
      const { failure } = continuation;
      this.outcome.failure = failure;
      this.outcome.status = failure.status;
      return {
        status: failure.status,
        message: `headroom: upstream ${base} could not continue the answer after a tool call headroom answered (${failure.reason}: ${failure.detail}); the answer is incomplete`,
      };
    }
    const { refused } = continuation;
    this.outcome.status = refused.statusCode;
    const body = (await refused.bytes().catch(() => Buffer.alloc(0))).toString('utf8');
    return {
      status: refused.statusCode,
      body,
      message: `headroom: upstream ${base} answered HTTP ${refused.statusCode} continuing the answer after a tool call headroom answered; the answer is incomplete`,
    };
  }

  private async streamRounds(first: UpstreamAnswer): Promise<void> {
    const { format, body: forwarded } = this.request.offer!;
    const headers = clientResponseHeaders(first.headers);
    delete headers['content-length'];
    this.writeHead(first, headers);
    const rewriter = format.createStream(answeredNames(this.request.offer!.tools));
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
    // The head went out with the first round: a round that fails ends the stream with the API's error event.
    const fail = (failure: StreamFailure) => {
      for (const event of rewriter.fail(failure)) add(formatSseEvent(event));
      flush();
      this.res.end();
    };
    let body: WireObject | undefined;
    let answer = first;
    for (;;) {
      try {
        await answer.read((chunk) => {
          this.firstByte();
          reader.push(chunk);
          flush();
        });
      } catch (error) {
        // A continuation that breaks off ends the client's stream with an error it can read; the first
        // round breaks as the upstream broke, as a relayed answer does.
        if (this.clientGone || answer === first) throw error;
        const failure = classifyFailure(error, { clientGone: false, answerStarted: true });
        this.outcome.failure = failure;
        const silent = failure instanceof UpstreamTimeout;
        this.ctx.logger.warn(
          `headroom: upstream ${this.target.base} ${silent ? 'went silent in' : 'broke off'} the answer after a tool call headroom answered (${failure.detail})`,
          { path: this.request.route.path },
        );
        const what = silent ? 'upstream went silent' : 'upstream connection broke';
        const message = `headroom: the ${what} while continuing the answer (${failure.detail}); the answer is incomplete`;
        fail({ status: failure.status, message });
        return;
      }
      // An event the stream cut off is dropped, as the client's own SSE reader would drop it, so nothing is
      // ever written onto its unterminated line.
      const cut = reader.endStrictly();
      flush();
      const round = rewriter.endRound();
      if (!round.complete && !rewriter.failed) {
        // A round that stopped before its end stays visibly cut short: no closing events are made up for it.
        const { base } = this.target;
        const detail = cut ? 'its last event cut off' : 'no closing event';
        this.outcome.failure = new UpstreamTruncated(detail);
        this.ctx.logger.warn(`headroom: upstream ${base} ended its stream early (${detail})`, {
          path: this.request.route.path,
        });
        const message = `headroom: upstream ${base} ended its stream before the answer was complete (${detail}); the answer is incomplete`;
        fail({ status: this.outcome.failure.status, message });
        return;
      }
      if (!round.calls.length || rewriter.failed || this.rounds >= this.ctx.maxRounds) break;
      const next = await this.continueRound(body ?? forwarded(), round.response, round.calls, true);
      if (!('answer' in next)) {
        fail(await this.streamFailure(next));
        return;
      }
      body = next.body;
      answer = next.answer;
    }
    for (const event of rewriter.finish()) add(formatSseEvent(event));
    flush();
    this.res.end();
  }

  private async jsonRounds(first: UpstreamAnswer): Promise<void> {
    const { format, body: forwarded, tools } = this.request.offer!;
    const answered = answeredNames(tools);
    const raw = await first.bytes();
    this.firstByte();
    // An answer that never names one of the tools cannot call it: it goes out as it came, unparsed.
    const named = [...answered].some((name) => raw.includes(name));
    const parsed = named ? parseJson(raw.toString('utf8')) : undefined;
    const chunked = Array.isArray(parsed);
    const initial = format.responseOf(parsed);
    const responses: WireObject[] = initial ? [initial] : [];
    let body: WireObject | undefined;
    let calledOurs = false;
    for (let last = responses[0]; last; ) {
      const { calls } = findAnsweredCalls(format, last, answered);
      if (!calls.length) break;
      calledOurs = true;
      if (this.rounds >= this.ctx.maxRounds) break;
      const next = await this.continueRound(body ?? forwarded(), last, calls, false);
      if ('failure' in next || 'refused' in next) this.noteEarlierUsage(responses, answered, chunked);
      // Nothing went out yet: a refusal reaches the client as the upstream sent it, a failure in its shape.
      if ('failure' in next) throw next.failure;
      if ('refused' in next) {
        this.outcome.status = next.refused.statusCode;
        await this.pipe(next.refused);
        return;
      }
      body = next.body;
      last = format.responseOf(parseJson((await next.answer.bytes()).toString('utf8')));
      if (!last) {
        this.noteEarlierUsage(responses, answered, chunked);
        throw new UpstreamMalformed('no response continuing the turn after a tool call headroom answered');
      }
      responses.push(last);
    }
    const merged = calledOurs ? mergeResponses(format, responses, answered) : undefined;
    const out = merged ? Buffer.from(JSON.stringify(chunked ? [merged] : merged)) : raw;
    const headers = clientResponseHeaders(first.headers);
    headers['content-length'] = out.length;
    this.writeHead(first, headers);
    this.write(out);
    this.res.end();
  }

  /** The usage the answered rounds reported, summed as the merged answer would have carried it. */
  private noteEarlierUsage(
    responses: readonly WireObject[],
    answered: AnsweredTools,
    chunked: boolean,
  ): void {
    if (!responses.length) return;
    const { format } = this.request.offer!;
    const { route } = this.request;
    const merged = mergeResponses(format, responses, answered);
    const usage: UpstreamUsage = {};
    for (const reader of usageReadersFor(route.provider, route.format))
      reader.usageFromResponse(chunked ? [merged] : merged, usage);
    this.outcome.earlierUsage = usage;
  }

  /**
   * Record the failure and tell the client: an error in the provider's own shape when no headers went out
   * yet, else a connection closed without finishing the response, so the client sees a broken response
   * rather than a short one.
   */
  private fail(error: unknown): void {
    const failure = classifyFailure(error, {
      clientGone: this.clientGone,
      answerStarted: this.answered,
      shuttingDown: this.ctx.shuttingDown?.(),
    });
    this.outcome.failure = failure;
    if (failure instanceof ClientAborted || failure instanceof ProxyShutdown) {
      this.outcome.status ||= failure.status;
      return;
    }
    const { route } = this.request;
    const { target } = this;
    const { logger } = this.ctx;
    if (!this.res.headersSent) {
      this.outcome.status = failure.status;
      const upstream = `upstream ${target.base}`;
      const what =
        failure instanceof UpstreamLoginFailed
          ? `cannot sign in to the upstream ${route.provider} requests go to`
          : failure instanceof UpstreamTimeout
            ? `no answer in time from ${upstream}`
            : failure instanceof UpstreamMalformed
              ? `cannot read the answer of ${upstream}`
              : failure instanceof UpstreamReset
                ? `${upstream} broke off its answer`
                : `cannot reach ${upstream}`;
      const message = `headroom: ${what} (${failure.detail})`;
      logger.warn(message, { path: route.path });
      const payload = errorBodyFor(route.provider, failure.status, message);
      this.res.writeHead(failure.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      this.res.end(payload);
      return;
    }
    logger.warn(`headroom: upstream ${target.base} ${failure.reason} mid-response (${failure.detail})`, {
      path: route.path,
    });
    if (this.res.socket) this.res.socket.end();
    else this.res.destroy();
  }
}

/** Forward the request and serve the client its answer; resolves once the exchange is over. */
export function runExchange(
  res: ServerResponse,
  request: ExchangeRequest,
  ctx: ExchangeContext,
): Promise<ExchangeOutcome> {
  return new Exchange(res, request, ctx).run();
}
