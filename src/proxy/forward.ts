// Relays one request to its upstream and the response back, byte for byte and chunk by chunk, then records
// what happened. The only rewrites are the compression hook's and, when it offered headroom_retrieve, the
// retrieve loop's; every failure of the proxy's own falls back to forwarding the original.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { NewRequestRow, OriginalStore } from '../store/types.js';
import {
  type CompressionContext,
  type CompressionResult,
  compressForUpstream,
  type RetrieveOffer,
} from './compression.js';
import type { RequestEstimate, RequestEstimator } from './estimate.js';
import { type RelayOutcome, reportFailure } from './failure.js';
import { relayWithRetrieve } from './retrieve-relay.js';
import { isTokenCount, modelInPath, type ProxyRoute } from './routes.js';
import {
  clientResponseHeaders,
  type Upstreams,
  type UpstreamTarget,
  upstreamRequestHeaders,
  withoutResponseEncoding,
} from './upstream.js';
import { type UpstreamUsage, UsageTap } from './usage.js';

export interface SessionTag {
  id: string;
  agent?: string | null;
  project?: string | null;
}

export interface ForwardContext {
  config: Config;
  upstreams: Upstreams;
  /** Keep the exchange's stats row (written off the response path). */
  record: (row: NewRequestRow) => void;
  logger: Logger;
  estimator: RequestEstimator;
  /** Where compressed-away originals are kept; present while compression is on. */
  originals?: OriginalStore;
}

/** Read a whole request body; undefined when the client went away first. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', () => resolve(undefined));
    req.once('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Run the compression hook, failing open: any throw means the original bytes go upstream. What it did goes
 * into `row` (a token count's figures go nowhere: it saves nothing itself).
 */
async function compress(
  route: ProxyRoute,
  original: Buffer,
  hook: CompressionContext,
  requestRow: NewRequestRow,
): Promise<{ body: Buffer; retrieve?: RetrieveOffer; addedTokens?: number }> {
  const row = isTokenCount(route.path) ? { ...requestRow } : requestRow;
  const started = performance.now();
  let result: CompressionResult;
  try {
    result = await compressForUpstream({ provider: route.kind, path: route.path }, original, hook);
  } catch (error) {
    row.compressError = (error as Error)?.message || String(error);
    row.compressMs = performance.now() - started;
    return { body: original };
  }
  row.compressMs = result.ms ?? performance.now() - started;
  row.tokensBefore = result.tokensBefore;
  row.tokensAfter = result.tokensAfter;
  row.transforms = result.transforms;
  row.compressError = result.error;
  if (!Buffer.isBuffer(result.body)) return { body: original };
  return { body: result.body, retrieve: result.retrieve, addedTokens: result.addedTokens };
}

/** True when the client sent the body compressed (the hook reads plain JSON only). */
function encodedBody(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
}

/**
 * Forward `req` along `route` and stream the answer into `res`. Resolves once the exchange is over
 * (response ended, failed or abandoned) and its stats row is queued.
 */
export async function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
  session: SessionTag | undefined,
  ctx: ForwardContext,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const row: NewRequestRow = {
    ts: Date.now(),
    provider: route.provider,
    method,
    path: route.path,
    status: 0,
    sessionId: session?.id,
    agent: session?.agent,
    project: session?.project,
  };

  let original: Buffer | undefined;
  let body: Buffer | IncomingMessage | null = null;
  let offer: RetrieveOffer | undefined;
  let addedTokens: number | undefined;
  if (route.kind !== 'other') {
    original = await readBody(req);
    if (!original) {
      finishRow(row, { status: 499, error: 'client aborted' }, started, ctx);
      return;
    }
    row.requestBytes = original.length;
    body = original;
    if (ctx.config.compress && ctx.originals && !encodedBody(req)) {
      ({
        body,
        retrieve: offer,
        addedTokens,
      } = await compress(route, original, { config: ctx.config, originals: ctx.originals }, row));
    }
  } else if (hasBody(req)) {
    body = req;
    const declared = Number(req.headers['content-length']);
    row.requestBytes = Number.isFinite(declared) ? declared : undefined;
  }

  const target = ctx.upstreams.target(route.provider, route.path, route.query);
  const outcome =
    offer && ctx.originals && Buffer.isBuffer(body)
      ? await relayWithRetrieve(
          res,
          {
            route,
            target,
            // The loop reads the model's answers, so it asks for them uncompressed.
            headers: withoutResponseEncoding(upstreamRequestHeaders(req.rawHeaders, req.headers)),
            bytes: body,
            offer,
            started,
          },
          {
            upstreams: ctx.upstreams,
            originals: ctx.originals,
            logger: ctx.logger,
            maxRounds: ctx.config.retrieveMaxRounds,
          },
        )
      : await relay(req, res, route, target, body, ctx, started);
  row.status = outcome.status;
  row.retrievals = outcome.retrievals;
  row.retrievedBytes = outcome.retrievedBytes;
  row.error = outcome.error;
  row.ttfbMs = outcome.ttfbMs;
  row.stream = outcome.stream;
  row.latencyMs = performance.now() - started;
  const usage = outcome.tap ? await outcome.tap.finish() : {};
  if (original && Buffer.isBuffer(body) && !isTokenCount(route.path)) {
    const unchanged = body === original;
    // Usage summed over retrieve rounds is no longer this request's size.
    const onlyAdded = addedTokens !== undefined && !outcome.retrievals;
    const sent = await inputTokensOf(body, unchanged || onlyAdded, row, usage, ctx.estimator);
    row.model = usage.model ?? sent.model ?? modelInPath(route.path);
    row.estInputTokens = sent.tokens;
    row.tokensAfter ??= sent.tokens;
    if (unchanged) row.tokensBefore ??= sent.tokens;
    else if (onlyAdded && sent.tokens !== undefined) {
      // The upstream counts with its own tokenizer and the tool estimate with ours: never below zero.
      row.tokensBefore ??= Math.max(0, sent.tokens - (addedTokens ?? 0));
    } else row.tokensBefore ??= (await ctx.estimator.estimate(original)).tokens;
  } else {
    row.model = usage.model ?? modelInPath(route.path);
  }
  row.inputTokens = usage.inputTokens;
  row.outputTokens = usage.outputTokens;
  row.cacheReadTokens = usage.cacheReadTokens;
  row.cacheWriteTokens = usage.cacheWriteTokens;
  finishRow(row, {}, started, ctx);
}

/**
 * The input tokens of the body as sent, from the best source at hand: the compression engine's count, else
 * (when no tool output was rewritten) the upstream's own report, else a tokenizer estimate made now, after
 * the client has its answer, on another thread.
 */
async function inputTokensOf(
  body: Buffer,
  unchanged: boolean,
  row: NewRequestRow,
  usage: UpstreamUsage,
  estimator: RequestEstimator,
): Promise<RequestEstimate> {
  if (row.tokensAfter !== undefined && row.tokensAfter !== null) return { tokens: row.tokensAfter };
  if (unchanged && usage.inputTokens !== undefined) {
    return { tokens: usage.inputTokens + (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0) };
  }
  return estimator.estimate(body);
}

function finishRow(
  row: NewRequestRow,
  patch: Partial<NewRequestRow>,
  started: number,
  { record, logger }: ForwardContext,
): void {
  Object.assign(row, patch);
  row.latencyMs ??= performance.now() - started;
  record(row);
  if (logger.enabled('debug')) logger.debug(describeRow(row));
}

/** The `--verbose` line for a request: status, time, tokens before → after, transforms, retrievals. */
export function describeRow(row: NewRequestRow): string {
  const parts = [`${row.method} ${row.path} ${row.status} ${Math.round(row.latencyMs ?? 0)}ms`];
  if (row.tokensBefore !== undefined && row.tokensBefore !== null) {
    parts.push(`tokens ${row.tokensBefore}→${row.tokensAfter}`);
  }
  if (row.transforms) {
    const used = Object.entries(row.transforms).map(([name, blocks]) => `${name}×${blocks}`);
    parts.push(`[${used.join(' ')}]`);
  }
  if (row.retrievals) parts.push(`retrieved ${row.retrievals} (${row.retrievedBytes ?? 0} B)`);
  if (row.model) parts.push(row.model);
  if (row.compressError) parts.push(`(compression: ${row.compressError})`);
  if (row.error) parts.push(`(${row.error})`);
  return parts.join(' ');
}

/** Send the request upstream with undici's dispatcher and pipe the response into `res` with backpressure. */
function relay(
  req: IncomingMessage,
  res: ServerResponse,
  route: ProxyRoute,
  target: UpstreamTarget,
  body: Buffer | IncomingMessage | null,
  ctx: ForwardContext,
  started: number,
): Promise<RelayOutcome> {
  return new Promise((resolve) => {
    const outcome: RelayOutcome = { status: 0, stream: false };
    let controller: Dispatcher.DispatchController | undefined;
    let done = false;
    let clientGone = false;

    const settle = () => {
      if (done) return false;
      done = true;
      res.off('close', onClientClose);
      resolve(outcome);
      return true;
    };
    const onClientClose = () => {
      if (res.writableFinished || done) return;
      clientGone = true;
      controller?.abort(new Error('client aborted'));
    };
    res.on('close', onClientClose);
    res.on('drain', () => controller?.resume());
    // What arrives in one tick (headers and the first events, or several events in one TCP read) leaves
    // in one write: fewer syscalls and packets, and nothing waits past the current tick.
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const coalesce = () => {
      if (corked) return;
      corked = true;
      res.cork();
      process.nextTick(uncork);
    };

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (clientGone) c.abort(new Error('client aborted'));
      },
      onResponseStart(c, statusCode, headers, statusMessage) {
        controller = c;
        outcome.status = statusCode;
        const contentType = headers['content-type'];
        const type = Array.isArray(contentType) ? contentType[0] : contentType;
        outcome.stream = type?.includes('text/event-stream') ?? false;
        const encoding = headers['content-encoding'];
        outcome.tap = UsageTap.for(type, Array.isArray(encoding) ? encoding.join(',') : encoding);
        const out = clientResponseHeaders(headers);
        try {
          res.writeHead(statusCode, statusMessage || undefined, out);
        } catch {
          res.writeHead(statusCode, out);
        }
        // An event stream's headers go out this tick even if the model is slow to say anything (clients
        // time out waiting for headers); a JSON body's go out with its first bytes.
        if (outcome.stream) {
          coalesce();
          res.flushHeaders();
        }
      },
      onResponseData(c, chunk) {
        outcome.ttfbMs ??= performance.now() - started;
        outcome.tap?.write(chunk);
        coalesce();
        if (!res.write(chunk)) c.pause();
      },
      onResponseEnd() {
        outcome.ttfbMs ??= performance.now() - started;
        res.end();
        settle();
      },
      onResponseError(_c, error) {
        reportFailure(res, error, clientGone, outcome, { route, target, logger: ctx.logger });
        settle();
      },
    };

    try {
      ctx.upstreams.agent.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: req.method as Dispatcher.HttpMethod,
          headers: upstreamRequestHeaders(req.rawHeaders, req.headers),
          body,
        },
        handler,
      );
    } catch (error) {
      handler.onResponseError?.(undefined as unknown as Dispatcher.DispatchController, error as Error);
    }
  });
}
