// The endpoints the proxy answers itself: /health, /stats (totals + recent rows), /stats/stream (one SSE
// event per recorded request), POST /admin/sessions (tag requests with an agent and a project) and
// POST /admin/sessions/<id>/end (the session's agent has exited: its totals once its last rows are written),
// and GET/POST /admin/runtime-env (the live settings: what is in effect, and a change for the requests to come).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../config.js';
import { ConfigError } from '../errors.js';
import type { StatsEvents } from '../stats/events.js';
import { totalsJson } from '../stats/export.js';
import { RunningTotals, SessionGroups, totals } from '../stats/report.js';
import { matchesSession, type StatsFilter } from '../store/filter.js';
import type { RequestRow, StatsStore } from '../store/types.js';
import type { ProxyMetrics } from './metrics.js';
import type { RuntimeSettings } from './runtime-settings.js';

export interface AdminContext {
  store: StatsStore;
  /** Rows as they are written, for /stats/stream. */
  events: StatsEvents;
  version: string;
  startedAt: number;
  /** Open /stats/stream responses, ended when the proxy shuts down. */
  streams: Set<ServerResponse>;
  /** Called when a session registers: the proxy records it and tags its requests from then on. */
  onSession: (session: { id: string; agent: string | null; project: string | null }) => void;
  /** This process's counters for /metrics. */
  metrics: ProxyMetrics;
  /** Resolves once the session's requests so far have their rows written: true, or false after `timeoutMs`. */
  settled: (session: string, timeoutMs: number) => Promise<boolean>;
  /** The settings requests start with; `/admin/runtime-env` reads and changes them. */
  settings: RuntimeSettings;
}

const HEARTBEAT_MS = 15_000;
const MAX_ADMIN_BODY = 64 * 1024;

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SESSION_ID_RULE = 'id must be 1-128 letters, digits, or . _ : -';
// The longest a session's end waits for its last rows, whatever the caller asks.
const MAX_END_WAIT_MS = 30_000;
const DEFAULT_END_WAIT_MS = 10_000;

const makeSchemas = async () => {
  const { z } = await import('zod');
  return {
    session: z.object({
      id: z.string().regex(SESSION_ID, SESSION_ID_RULE),
      agent: z.string().max(200).optional(),
      project: z.string().max(4096).optional(),
    }),
    end: z.object({ waitMs: z.number().int().min(0).optional() }),
  };
};
let made: ReturnType<typeof makeSchemas> | undefined;
/** The admin bodies' schemas, made on the first one: a proxy no session registers with never loads zod. */
const schemas = () => (made ??= makeSchemas());

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message: `headroom: ${message}`, type: 'invalid_request_error' } });
}

function filterFrom(params: URLSearchParams): StatsFilter {
  const since = Number(params.get('since'));
  return {
    since: params.has('since') && Number.isFinite(since) ? since : undefined,
    session: params.get('session') ?? undefined,
    agent: params.get('agent') ?? undefined,
    project: params.get('project') ?? undefined,
  };
}

function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ADMIN_BODY) chunks.push(chunk);
    });
    req.once('end', () =>
      resolve(size > MAX_ADMIN_BODY ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', () => resolve(undefined));
  });
}

function streamStats(res: ServerResponse, ctx: AdminContext): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  // Ended at shutdown, the stream can stay open a while for a reader that stopped reading; a write past
  // its end would be an error nobody handles.
  const send = (text: string) => {
    if (!res.writableEnded) res.write(text);
  };
  send(': headroom stats stream\n\n');
  const onRow = (row: RequestRow) => send(`event: request\ndata: ${JSON.stringify(row)}\n\n`);
  // A store shared by several proxies tells of every proxy's rows; otherwise this proxy's own are all there are.
  const unsubscribe = ctx.store.follow ? ctx.store.follow(onRow) : ctx.events.subscribe(onRow);
  const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  ctx.streams.add(res);
  res.once('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.streams.delete(res);
  });
}

/**
 * The JSON body of a POST that changes something, or undefined once the error is sent. A form a web page posts
 * (text/plain, no preflight) is no client of these endpoints, so JSON is the only content type taken.
 */
async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  what: string,
  example: string,
): Promise<{ json: unknown } | undefined> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    sendError(res, 415, `${what} needs content-type: application/json`);
    return undefined;
  }
  const text = await readSmallBody(req);
  if (text === undefined) {
    sendError(res, 413, `${what} body over ${MAX_ADMIN_BODY} bytes`);
    return undefined;
  }
  try {
    return { json: JSON.parse(text) };
  } catch {
    sendError(res, 400, `${what} body must be JSON like ${example}`);
    return undefined;
  }
}

async function registerSession(req: IncomingMessage, res: ServerResponse, ctx: AdminContext): Promise<void> {
  const body = await readJsonBody(
    req,
    res,
    'session registration',
    '{"id":"abc","agent":"claude","project":"/repo"}',
  );
  if (!body) return;
  const { json } = body;
  const parsed = (await schemas()).session.safeParse(json);
  if (!parsed.success) return sendError(res, 400, parsed.error.issues[0]?.message ?? 'invalid session');
  const session = {
    id: parsed.data.id,
    agent: parsed.data.agent ?? null,
    project: parsed.data.project ?? null,
  };
  ctx.onSession(session);
  sendJson(res, 201, { session });
}

/**
 * A session's agent has exited: wait (up to `waitMs`) until the rows of the requests it sent are written, mark
 * a registered session ended, and answer its totals. `settled` is false when the wait ran out first.
 */
async function endSession(
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  ctx: AdminContext,
): Promise<void> {
  const body = await readJsonBody(req, res, 'ending a session', '{"waitMs":10000}');
  if (!body) return;
  if (!SESSION_ID.test(id)) return sendError(res, 400, `session ${SESSION_ID_RULE}`);
  const parsed = (await schemas()).end.safeParse(body.json);
  if (!parsed.success) return sendError(res, 400, 'waitMs must be a whole number of milliseconds');
  const waitMs = Math.min(parsed.data.waitMs ?? DEFAULT_END_WAIT_MS, MAX_END_WAIT_MS);
  const deadline = Date.now() + waitMs;
  const settled = await ctx.settled(id, waitMs);
  let session = await ctx.store.session(id);
  if (session) {
    session = { ...session, endedTs: Date.now() };
    // Written with the rows when the store can; a store another process holds locked costs only the end time.
    const marked = ctx.store.upsertSession(session).catch(() => undefined);
    await Promise.race([
      marked,
      new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
    ]);
  }
  const rows = await ctx.store.rows({ session: id });
  sendJson(res, 200, { session: session ?? null, settled, totals: totalsJson(totals(rows)) });
}

/** Registered sessions and sessions known from tagged requests, with their totals, latest activity first. */
async function listSessions(res: ServerResponse, filter: StatsFilter, ctx: AdminContext): Promise<void> {
  // A session that registered before `since` still counts when it has requests after it.
  const groups = new SessionGroups();
  const [, registered] = await Promise.all([
    ctx.store.scanRows(filter, (rows) => {
      for (const row of rows) groups.add(row);
    }),
    ctx.store.sessions({ ...filter, since: undefined }),
  ]);
  const shown = registered.filter((s) => groups.has(s.id) || matchesSession(s, filter));
  const list = groups
    .summaries(shown)
    .filter((s) => s.id !== null)
    .map((s) => ({ ...s, totals: totalsJson(s.totals) }));
  sendJson(res, 200, { sessions: list });
}

/** True when the request came from this machine (an IPv4 peer may be written `::ffff:127.0.0.1`). */
function fromLoopback(req: IncomingMessage): boolean {
  const peer = req.socket.remoteAddress ?? '';
  return isLoopbackHost(peer.replace(/^::ffff:/i, ''));
}

function runtimeEnv(ctx: AdminContext): unknown {
  const snapshot = ctx.settings.current();
  return { version: snapshot.version, settings: ctx.settings.describe() };
}

/**
 * Change live settings: a JSON object of `HEADROOM_*` keys, applied whole to the requests that start after it,
 * or, when one key or value is wrong, a 400 that names it and nothing applied.
 */
async function setRuntimeEnv(req: IncomingMessage, res: ServerResponse, ctx: AdminContext): Promise<void> {
  const body = await readJsonBody(req, res, 'a runtime setting', '{"HEADROOM_VERBOSITY":"terse"}');
  if (!body) return;
  const { json } = body;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return sendError(res, 400, 'the body must be a JSON object of HEADROOM_* settings');
  }
  try {
    ctx.settings.apply(json as Record<string, unknown>);
  } catch (error) {
    if (error instanceof ConfigError) return sendError(res, 400, error.message);
    throw error;
  }
  sendJson(res, 200, runtimeEnv(ctx));
}

/** Answer an admin request (the caller has already checked the proxy key). */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  ctx: AdminContext,
): Promise<void> {
  const method = req.method ?? 'GET';
  const params = new URLSearchParams(query);
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) {
    return sendJson(res, 200, { status: 'ok', version: ctx.version, uptimeMs: Date.now() - ctx.startedAt });
  }
  if (path === '/stats' && method === 'GET') {
    const limit = Math.min(1000, Math.max(0, Number(params.get('limit') ?? 50) || 0));
    // Totals over the whole history, read a page at a time: never every row at once, nor one long hold
    // of the event loop the other requests share.
    const sum = new RunningTotals();
    let recent: RequestRow[] = [];
    await ctx.store.scanRows(filterFrom(params), (rows) => {
      for (const row of rows) sum.add(row);
      if (limit > 0) recent = [...recent, ...rows].slice(-limit);
    });
    return sendJson(res, 200, { totals: totalsJson(sum.totals()), recent: recent.reverse() });
  }
  if (path === '/stats/stream' && method === 'GET') return streamStats(res, ctx);
  if (path === '/metrics' && method === 'GET') {
    const { body, contentType } = await ctx.metrics.scrape();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (path === '/admin/runtime-env' && (method === 'GET' || method === 'POST')) {
    // The settings are the machine owner's: a proxy bound wider still takes them from this machine only.
    if (!fromLoopback(req)) {
      req.resume();
      return sendError(res, 403, '/admin/runtime-env answers only requests from this machine');
    }
    if (method === 'GET') return sendJson(res, 200, runtimeEnv(ctx));
    return setRuntimeEnv(req, res, ctx);
  }
  if (path === '/admin/sessions' && method === 'POST') return registerSession(req, res, ctx);
  if (path === '/admin/sessions' && method === 'GET') return listSessions(res, filterFrom(params), ctx);
  const ending = /^\/admin\/sessions\/([^/]+)\/end$/.exec(path);
  if (ending && method === 'POST') return endSession(req, res, decodeURIComponent(ending[1] as string), ctx);
  sendError(
    res,
    404,
    `no admin endpoint ${method} ${path} (try GET /health, /stats, /stats/stream, /metrics, /admin/runtime-env, POST /admin/sessions, POST /admin/sessions/<id>/end, POST /admin/runtime-env)`,
  );
}
