// Forwards one request: reads a conversation body, runs it through the compression hook (failing open:
// any throw sends the original), hands the exchange to the pipeline, and reports each step to the stats
// recorder. Requests that carry no conversation are relayed unread.

import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { UpstreamUsage } from '../formats/types.js';
import type { TurnKey } from '../memory/inject.js';
import type { OutputDecision } from '../output/steer.js';
import type { RequestRecord, SessionTag, StatsRecorder } from '../stats/recorder.js';
import {
  type BodyRewriter,
  type CompressionContext,
  compressForUpstream,
  type HistoryOutcome,
  type ToolOffer,
} from './compression.js';
import { type ExchangeContext, runExchange } from './exchange.js';
import { ClientAborted } from './failures.js';
import { agentOf, type MemoryContext, memoryReaderOf, projectOf, withMemory } from './memory.js';
import type { MemoryReader } from './memory-body.js';
import { isTokenCount, modelInPath, type ProxyRoute } from './routes.js';
import type { RuntimeSettings, SettingsSnapshot } from './runtime-settings.js';
import { steeringOf } from './steering.js';
import { upstreamRequestHeaders, withoutResponseEncoding } from './upstream.js';

export type { SessionTag };

export interface ForwardContext {
  exchange: ExchangeContext;
  recorder: StatsRecorder;
  /** The settings each request reads once, as it starts, and keeps to its end. */
  settings: RuntimeSettings;
  /** The compression hook, made on first use. */
  compression: () => Promise<CompressionContext>;
  /** Where bodies are worked on: the compression threads, made on first use. */
  bodies: () => Promise<BodyRewriter>;
  /** Some conversation of this process went out with a verbosity note its next turns must keep while warm. */
  steeringActive: () => boolean;
  /** Present with `--memory`. */
  memory?: MemoryContext;
  /** A conversation body past this many bytes is forwarded as it comes, unread and uncompressed. */
  maxBodyBytes: number;
  /** Longest silence allowed while a client sends its request body. */
  bodyIdleMs: number;
  /** The proxy's clock in ms (the history's notion of idle time). */
  now: () => number;
}

/** What reading a body gave: all of it, or (past the limit) a stream of what was read and the rest. */
type ReadBody = { whole: Buffer } | { tooLarge: Readable; size: number | undefined };

/** Bodies past this size are gathered in shared memory, so a compression thread reads them without a copy. */
const SHARED_FROM_BYTES = 256 * 1024;

/** `chunks` as one Buffer; a large one in a SharedArrayBuffer. */
function joined(chunks: readonly Buffer[], size: number): Buffer {
  if (size < SHARED_FROM_BYTES) return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  const whole = Buffer.from(new SharedArrayBuffer(size));
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(whole, at);
  return whole;
}

/** The bytes read so far, then the rest of the request as it arrives. */
async function* readAndRest(head: readonly Buffer[], req: IncomingMessage): AsyncGenerator<Buffer> {
  yield* head;
  for await (const chunk of req) yield chunk as Buffer;
}

/**
 * Read a request body up to `limit` bytes; a longer one is handed on as a stream, so memory stays bounded
 * whatever a client sends. Undefined when the client went away first.
 */
function readBody(req: IncomingMessage, limit: number, idleMs: number): Promise<ReadBody | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ tooLarge: req, size: declared });
  }
  // A client that stops sending mid-body would hold its connection and its buffered bytes for ever.
  req.setTimeout(idleMs, () => req.destroy(new Error(`no request bytes for ${idleMs} ms`)));
  return new Promise<ReadBody | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A large body of declared length goes into shared memory as it arrives: no second copy of it is held,
    // and no copy of all of it at the end holds the event loop (tens of ms for tens of MB).
    let shared =
      Number.isFinite(declared) && declared >= SHARED_FROM_BYTES
        ? Buffer.from(new SharedArrayBuffer(declared))
        : undefined;
    const onData = (chunk: Buffer) => {
      if (shared && size + chunk.length <= shared.length) {
        size += chunk.copy(shared, size);
        return;
      }
      if (shared) {
        // More bytes than declared: the ones read so far go back to the plain list.
        chunks.push(shared.subarray(0, size));
        shared = undefined;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      req.off('data', onData);
      req.pause();
      resolve({ tooLarge: Readable.from(readAndRest(chunks, req), { objectMode: false }), size: undefined });
    };
    req.on('data', onData);
    req.once('end', () => resolve({ whole: shared ? shared.subarray(0, size) : joined(chunks, size) }));
    req.once('error', () => resolve(undefined));
    req.once('close', () => {
      if (!req.complete) resolve(undefined);
    });
  }).finally(() => req.setTimeout(0));
}

/** True when the snapshot has the proxy rewrite bodies: to compress them, or to steer the model's output. */
function rewrites({ config }: SettingsSnapshot): boolean {
  return config.compress || config.verbosity !== 'off' || config.effortRouting;
}

/** The client asked for this request's history to go as it wrote it (`x-headroom-history: off`). */
function historyBypassed(req: IncomingMessage): boolean {
  return (
    String(req.headers['x-headroom-history'] ?? '')
      .trim()
      .toLowerCase() === 'off'
  );
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

/** True when the client sent the body compressed (the hook reads plain JSON only). */
function encodedBody(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
}

/** Run the compression hook; whatever goes wrong in it, the original bytes go upstream. */
async function compress(
  route: ProxyRoute,
  original: Buffer,
  ctx: ForwardContext,
  snapshot: SettingsSnapshot,
  record: RequestRecord,
  conversation: { session?: string; bypass: boolean; memory?: MemoryReader },
): Promise<{
  body: Buffer;
  offer?: ToolOffer;
  history?: HistoryOutcome;
  output?: OutputDecision;
  hook?: CompressionContext;
  /** With `conversation.memory`: the user turns' keys of the body as rewritten (null: no agent turn). */
  memoryTurns?: TurnKey[] | null;
}> {
  const started = performance.now();
  // Decoding would replace invalid bytes with U+FFFD, and re-encoding would send those instead of the client's.
  if (!isUtf8(original)) {
    record.compressionFailed(new Error('the request body is not valid UTF-8; forwarded as sent'), 0);
    return { body: original };
  }
  try {
    const hook = await ctx.compression();
    const result = await compressForUpstream(
      route.format!,
      route.path,
      original,
      hook,
      snapshot,
      conversation,
    );
    record.compressed(result, performance.now() - started);
    return {
      body: result.body,
      offer: result.retrieve,
      history: result.history,
      output: result.output,
      hook,
      memoryTurns: result.memoryTurns,
    };
  } catch (error) {
    record.compressionFailed(whyNotCompressed(error), performance.now() - started);
    return { body: original };
  }
}

/** The memory step; whatever goes wrong in it, the request goes on without memory, and the log says why. */
async function addMemory(
  req: IncomingMessage,
  route: ProxyRoute,
  session: SessionTag | undefined,
  body: Buffer,
  offer: ToolOffer | undefined,
  ctx: ForwardContext,
  turns: TurnKey[] | null | undefined,
): Promise<{ body: Buffer; offer?: ToolOffer }> {
  const memory = ctx.memory!;
  try {
    return await withMemory(
      {
        format: route.format!,
        path: route.path,
        body,
        offer,
        project: projectOf(req, session, memory.defaultProject),
        agent: agentOf(req, session),
        session,
        turns,
      },
      memory,
      await ctx.bodies(),
    );
  } catch (error) {
    ctx.exchange.logger.warn(`headroom: memory left out of a request (${(error as Error).message})`, {
      path: route.path,
    });
    return { body, offer };
  }
}

/** What the client's answer reported, with the figures it lacks taken from the rounds answered before it. */
function withEarlierUsage(usage: UpstreamUsage, earlier: UpstreamUsage | undefined): UpstreamUsage {
  if (!earlier) return usage;
  return {
    model: usage.model ?? earlier.model,
    inputTokens: usage.inputTokens ?? earlier.inputTokens,
    outputTokens: usage.outputTokens ?? earlier.outputTokens,
    cacheReadTokens: usage.cacheReadTokens ?? earlier.cacheReadTokens,
    cacheWriteTokens: usage.cacheWriteTokens ?? earlier.cacheWriteTokens,
  };
}

/** What the row says when the hook threw; a body nested past the call stack is named as such. */
function whyNotCompressed(error: unknown): unknown {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new Error('the request body nests too deep to compress; forwarded as sent');
  }
  return error;
}

/**
 * Forward `req` along `route` and stream the answer into `res`. Resolves once the exchange is over
 * (response ended, failed or abandoned) and its stats row is queued; a throw still leaves a row behind.
 */
export async function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
  session: SessionTag | undefined,
  ctx: ForwardContext,
): Promise<void> {
  // One read: whatever changes while this request runs, it runs by the settings it started with.
  const snapshot = ctx.settings.current();
  const record = ctx.recorder.begin({
    provider: route.provider,
    method: req.method ?? 'GET',
    path: route.path,
    session,
    tokenCount: isTokenCount(route),
    pathModel: modelInPath(route.path),
  });
  try {
    await forwardRecorded(req, res, route, session, record, ctx, snapshot);
  } catch (error) {
    record.failed(error);
    throw error;
  }
}

async function forwardRecorded(
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
  session: SessionTag | undefined,
  record: RequestRecord,
  ctx: ForwardContext,
  snapshot: SettingsSnapshot,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  let headers = upstreamRequestHeaders(req.rawHeaders, req.headers);
  let original: Buffer | undefined;
  let body: Buffer | Readable | null = null;
  let offer: ToolOffer | undefined;
  // From here the request waits on the proxy alone (a body read whole first waits on the client).
  let ready = started;
  let history: HistoryOutcome | undefined;
  let hook: CompressionContext | undefined;
  let output: OutputDecision | undefined;
  // The memory step reads the user turns from the body the compression step already parses.
  let memoryTurns: TurnKey[] | null | undefined;
  const sentAt = ctx.now();
  if (route.format) {
    const read = await readBody(req, ctx.maxBodyBytes, ctx.bodyIdleMs);
    if (!read)
      return record.ended(new ClientAborted('client left (or went silent) before its request was read'));
    ready = performance.now();
    if ('tooLarge' in read) {
      body = read.tooLarge;
      record.bodySize(read.size);
    } else {
      original = read.whole;
      record.bodySize(original.length);
      body = original;
      // With every rewrite turned off live, a conversation steered before still keeps its note until cold.
      if ((rewrites(snapshot) || ctx.steeringActive()) && !encodedBody(req)) {
        const conversation = {
          session: session?.id,
          bypass: historyBypassed(req),
          memory: ctx.memory && memoryReaderOf(req, session, ctx.memory),
        };
        ({ body, offer, history, output, hook, memoryTurns } = await compress(
          route,
          original,
          ctx,
          snapshot,
          record,
          conversation,
        ));
      }
      if (ctx.memory && Buffer.isBuffer(body) && !encodedBody(req) && isUtf8(body)) {
        const before = body.length;
        ({ body, offer } = await addMemory(req, route, session, body, offer, ctx, memoryTurns));
        // The memory tools and block are headroom's, not the agent's: left out of what the agent sent.
        if (Buffer.isBuffer(body)) record.addedByMemory(body.length - before);
      }
      // The loop of answered tools reads the model's answers, so it asks for them uncompressed.
      if (offer) headers = withoutResponseEncoding(headers);
    }
  } else if (hasBody(req)) {
    body = req;
    const declared = Number(req.headers['content-length']);
    record.bodySize(Number.isFinite(declared) ? declared : undefined);
  }

  const target = ctx.exchange.upstreams.target(route.provider, route.path, route.query);
  record.heldFor(performance.now() - ready);
  const outcome = await runExchange(
    res,
    { route, target, method, headers, body, offer, started },
    ctx.exchange,
  );
  const usage = withEarlierUsage(outcome.tap ? await outcome.tap.finish() : {}, outcome.earlierUsage);
  // What the answer says of the cache is kept for history and for steering alike (a level changes only when cold).
  const answered = history?.decision ?? (output?.agentTurn ? { ...output, stubbed: [] } : undefined);
  if (answered && outcome.status >= 200 && outcome.status < 300 && !isTokenCount(route))
    await hook?.history?.answered(
      answered,
      sentAt,
      usage,
      output?.agentTurn ? steeringOf(output) : undefined,
    );
  const sent = original && Buffer.isBuffer(body) ? { original, sent: body } : undefined;
  await record.finish({ ...outcome, usage }, sent);
}
