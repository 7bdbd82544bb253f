// The headroom proxy: an HTTP server on loopback that agents use as their model API. It answers its own
// admin endpoints, checks the proxy key when one is set, and hands everything else to the forwarder.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, isLoopbackHost, type SettingName, type SettingSource } from '../config.js';
import { copilotUpstream } from '../copilot/upstream.js';
import { ConfigError, HeadroomError } from '../errors.js';
import { errorBodyFor } from '../formats/index.js';
import type { Provider } from '../formats/types.js';
import { createHeadroom, engineOptionsFor, type Headroom } from '../headroom.js';
import { hostOf, keyMatches, listen } from '../listen.js';
import { type Logger, silentLogger } from '../log.js';
import { StatsEvents } from '../stats/events.js';
import { StatsRecorder } from '../stats/recorder.js';
import { removeRuntimeFile, writeRuntimeFile } from '../stats/runtime-files.js';
import { TokenCounter } from '../stats/token-counter.js';
import { openStatsStore } from '../store/index.js';
import type { OriginalStore, SessionInfo, StatsStore } from '../store/types.js';
import { handleAdmin } from './admin.js';
import { type BodyRewriter, type CompressionContext, rewriterOn } from './compression.js';
import { CompressionThreads, compressionThreadScript } from './compression-threads.js';
import { forwardRequest, type SessionTag } from './forward.js';
import { ConversationHistory } from './history.js';
import type { MemoryContext } from './memory.js';
import { ProxyMetrics } from './metrics.js';
import { isAdminPath, routeRequest, unsafeTarget } from './routes.js';
import { RuntimeSettings } from './runtime-settings.js';
import { SteeringMemory } from './steering.js';
import { DEFAULT_TIMEOUTS, type UpstreamLogin, Upstreams, type UpstreamTimeouts } from './upstream.js';

export interface ProxySession {
  id: string;
  agent: string;
  project: string;
}

export interface ProxyOptions {
  config: Config;
  /** Where each setting of `config` came from, for `GET /admin/runtime-env`. */
  sources?: Partial<Record<SettingName, SettingSource>>;
  /** The live settings, when the caller holds them too (its logger reads the level from them); made from `config` otherwise. */
  settings?: RuntimeSettings;
  logger?: Logger;
  /** Tag every request with this session (requests on a `/s/<id>/` path keep their own). */
  session?: ProxySession;
  /** Upstream timeouts; the defaults suit real model APIs. */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Longest silence allowed while a client sends its request body (default 60 s). */
  clientBodyIdleMs?: number;
  /** Use this stats store instead of opening the one `config.store` names (closed with the proxy either way). */
  store?: StatsStore;
  /** Use these parts (engine, stores) instead of making them from `config`; their owner closes them. */
  headroom?: Headroom;
  /** The clock the history judges idle time by, in ms (default `Date.now`); tests move it instead of sleeping. */
  now?: () => number;
  /** The compression thread script (default: the one beside this module in the build; none from the sources). */
  compressionThreadScript?: URL;
  /** Sign in to this upstream instead (default: the stored Copilot login when `config.copilotSubscription`). */
  login?: UpstreamLogin;
}

export interface RunningProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:8787`. */
  url: string;
  host: string;
  port: number;
  store: StatsStore;
  /** Each request's stats row once it is written, as `/stats/stream` sends it. */
  events: StatsEvents;
  /** Where compressed-away originals are kept (absent while compression has been off since start); closed with the proxy. */
  originals?: OriginalStore;
  /** The settings requests start with from now on; `apply` changes them as `POST /admin/runtime-env` does. */
  settings: RuntimeSettings;
  /** Stop accepting, let in-flight requests finish for up to `graceMs` (default 10 s), then cut the rest. */
  close(graceMs?: number): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;
const DEFAULT_CLIENT_BODY_IDLE_MS = 60_000;

// Runtime files of proxies still open when the process exits; removed then so `headroom stats` stops
// looking for them.
const announced = new Map<string, string>();
process.once('exit', () => {
  for (const [key, cacheDir] of announced) removeRuntimeFile(cacheDir, Number(key.split('\0')[0]));
});

// A file-size limit (`ulimit -f`) kills a process that writes past it, unless the signal is handled: handled,
// the write fails (EFBIG) as on a full disk, which costs the stores their writes and never the proxy.
let fileSizeLimitHandled = false;
function surviveFileSizeLimit(): void {
  if (fileSizeLimitHandled) return;
  fileSizeLimitHandled = true;
  process.on('SIGXFSZ', () => {});
}

/**
 * The configured stats store, or, when it cannot be opened (a read-only cache dir, a file another user owns),
 * one in memory with a warning: the proxy's own /stats still count, and the agent's requests go through.
 */
async function statsStoreFor(
  headroom: Headroom,
  config: Config,
  logger: Logger,
): Promise<{ store: StatsStore; inMemory?: StatsStore }> {
  try {
    return { store: await headroom.stats() };
  } catch (error) {
    if (!(error instanceof HeadroomError) || error instanceof ConfigError) throw error;
    logger.warn(`headroom: ${error.message}; this proxy keeps its stats in memory until it exits`);
    const inMemory = await openStatsStore(config, {
      inMemory: true,
      onError: (failure) => logger.warn(`headroom: ${failure.message}`),
    });
    return { store: inMemory, inMemory };
  }
}

/** Announce the proxy to `headroom stats`; a cache dir that cannot be written only costs the announcement. */
function announce(cacheDir: string, url: string, logger: Logger): () => void {
  const info = { pid: process.pid, url, startedAt: Date.now() };
  const key = `${info.pid}\0${cacheDir}`;
  try {
    writeRuntimeFile(cacheDir, info);
  } catch (error) {
    logger.warn(`headroom: cannot announce the proxy in ${cacheDir} (${(error as Error).message})`);
    return () => {};
  }
  announced.set(key, cacheDir);
  return () => {
    announced.delete(key);
    removeRuntimeFile(cacheDir, info.pid);
  };
}

/**
 * Keep a session's registration in the stats store, without waiting for it. A store another process holds
 * locked (or a full disk) costs only the registration row: the proxy still tags the session's requests from
 * memory.
 */
function rememberSession(store: StatsStore, session: SessionInfo, logger: Logger): void {
  store.upsertSession(session).catch((error: unknown) => {
    logger.warn(
      `headroom: cannot record session ${session.id} in ${store.location} (${(error as Error).message})`,
    );
  });
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Start the proxy described by `config` and resolve once it is listening. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  if (!isLoopbackHost(config.host) && !config.apiKey) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without a key: set HEADROOM_API_KEY (clients then send it in x-headroom-key), or bind 127.0.0.1`,
    );
  }
  // Read before anything opens: without a stored login a subscription proxy refuses to start, in one line.
  const login = options.login ?? (config.copilotSubscription ? copilotUpstream(config) : undefined);
  surviveFileSizeLimit();
  const headroom = options.headroom ?? (await createHeadroom(config, { logger, stats: options.store }));
  let statsInMemory: StatsStore | undefined;
  const closeParts = async () => {
    if (!options.headroom) await headroom.close();
    if (options.store) await options.store.close();
    await statsInMemory?.close();
  };
  let store: StatsStore;
  let originals: OriginalStore | undefined;
  try {
    ({ store, inMemory: statsInMemory } = await statsStoreFor(headroom, config, logger));
    originals = config.compress ? await headroom.originals() : undefined;
  } catch (error) {
    await closeParts();
    throw error;
  }
  let memory: MemoryContext | undefined;
  if (config.memory) {
    try {
      memory = {
        memories: await headroom.memories(),
        scopeMode: config.memoryScope,
        topK: config.memoryTopK,
        defaultProject: process.cwd(),
      };
    } catch (error) {
      // Without its store the proxy still serves; the agents only go without memory.
      logger.warn(`headroom: ${(error as Error).message}; serving without memory`);
    }
  }
  const upstreams = new Upstreams(config, {
    ...DEFAULT_TIMEOUTS,
    headersMs: config.upstreamIdleMs,
    bodyIdleMs: config.upstreamIdleMs,
    ...options.timeouts,
  });
  const expectedKey = config.apiKey ? Buffer.from(config.apiKey) : undefined;
  const events = new StatsEvents();
  const metrics = new ProxyMetrics();
  events.subscribe((row) => metrics.observe(row));
  const counter = new TokenCounter();
  const settings = options.settings ?? new RuntimeSettings(config, options.sources);
  const now = options.now ?? Date.now;
  // Compression runs beside the event loop, so a big request never stalls the bytes of the others. The threads'
  // engines hold the proxy's tool policy; each request hands them its own snapshot's settings.
  let threads: CompressionThreads | undefined;
  // Where bodies are worked on (compressed, given memory), made on the first request that needs it.
  let rewriter: Promise<BodyRewriter> | undefined;
  const bodies = (): Promise<BodyRewriter> => {
    rewriter ??= (async () => {
      const script = options.compressionThreadScript ?? compressionThreadScript();
      threads ??= script
        ? new CompressionThreads(engineOptionsFor(headroom.config), script, {}, (m, level = 'warn') =>
            logger[level](m),
          )
        : undefined;
      return threads ?? rewriterOn(await headroom.engine());
    })();
    return rewriter;
  };
  // Made on the first request that needs it: compression may be switched on while the proxy runs.
  let hook: Promise<CompressionContext> | undefined;
  let made: CompressionContext | undefined;
  const compression = (): Promise<CompressionContext> => {
    hook ??= (async () => {
      const kept = originals ?? (await headroom.originals());
      made = {
        rewriter: await bodies(),
        originals: kept,
        whole: await headroom.wholeOutputs(),
        history: await ConversationHistory.open(kept, { now, logger }),
        steering: new SteeringMemory(),
      };
      return made;
    })();
    return hook;
  };
  const steeringActive = () => made?.steering?.active(made.history) ?? false;

  const sessions = new Map<string, SessionTag>();
  if (options.session) {
    rememberSession(store, options.session, logger);
    sessions.set(options.session.id, options.session);
  }
  /** A session registered in the store but not yet seen by this proxy. */
  const lookUpSession = async (id: string): Promise<SessionTag> => {
    let known: SessionInfo | undefined;
    try {
      known = await store.session(id);
    } catch (error) {
      // An unreadable stats store costs the row its agent and project, never the request.
      logger.warn(`cannot read session ${id} from the stats store: ${(error as Error).message}`);
    }
    const tag = { id, agent: known?.agent, project: known?.project };
    if (known) sessions.set(id, tag);
    return tag;
  };
  // Known sessions (nearly every request) are tagged without waiting for anything.
  const sessionTag = (id: string | undefined): SessionTag | undefined | Promise<SessionTag> =>
    id === undefined ? options.session : (sessions.get(id) ?? lookUpSession(id));

  const inFlight = new Set<Promise<void>>();
  const streams = new Set<ServerResponse>();
  const recorder = new StatsRecorder(store, events, counter, logger);
  const admin = {
    store,
    events,
    version: packageVersion(),
    startedAt: Date.now(),
    streams,
    onSession: (s: SessionTag & { id: string }) => {
      rememberSession(store, s, logger);
      sessions.set(s.id, s);
    },
    metrics,
    settled: (session: string, timeoutMs: number) => recorder.settled(session, timeoutMs),
    settings,
  };
  // Set when the grace period is over and the connections still open are cut.
  let cutting = false;
  const forwardContext = {
    exchange: {
      upstreams,
      logger,
      maxRounds: config.retrieveMaxRounds,
      shuttingDown: () => cutting,
      login,
    },
    recorder,
    settings,
    compression,
    bodies,
    steeringActive,
    memory,
    maxBodyBytes: config.maxBodyBytes,
    bodyIdleMs: options.clientBodyIdleMs ?? DEFAULT_CLIENT_BODY_IDLE_MS,
    now,
  };
  let closing = false;
  // Compressing from the start, the proxy is ready for it before it listens (and a store it cannot use says so now).
  if (config.compress) {
    try {
      await compression();
    } catch (error) {
      await closeParts();
      throw error;
    }
    // The first compression thread loads its engine while the proxy starts listening, not in the first request.
    threads?.warm();
  }

  // A request the proxy itself failed still gets an answer, never a connection left open with none.
  const track = (work: Promise<void>, res: ServerResponse, provider: Provider) => {
    inFlight.add(work);
    work
      .catch((error: unknown) => {
        const message = `headroom: request failed inside the proxy: ${(error as Error)?.message}`;
        logger.error(message);
        if (!res.headersSent) {
          const body = errorBodyFor(provider, 500, message);
          res.writeHead(500, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        } else if (!res.writableEnded) {
          res.destroy();
        }
      })
      .finally(() => inFlight.delete(work));
  };

  // Bound to loopback, the proxy answers only requests addressed to loopback: a web page that rebinds its own
  // name to 127.0.0.1 reaches the port, but its requests still say that name.
  const loopbackOnly = isLoopbackHost(config.host);
  /** Why the proxy answers a request with an error of its own before anything else, if it does. */
  const refusalOf = (req: IncomingMessage): { status: number; message: string } | undefined => {
    const host = req.headers.host;
    if (loopbackOnly && host !== undefined && !isLoopbackHost(hostOf(host))) {
      return {
        status: 403,
        message: `refusing a request addressed to "${hostOf(host)}": this proxy answers only requests to localhost`,
      };
    }
    const unsafe = unsafeTarget(req.url ?? '/');
    if (unsafe) return { status: 400, message: `refusing request target: ${unsafe}` };
    if (expectedKey && !keyMatches(expectedKey, req.headers['x-headroom-key'])) {
      return {
        status: 401,
        message:
          'this proxy needs its key in the x-headroom-key header (the HEADROOM_API_KEY it was started with)',
      };
    }
    return undefined;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    const route = routeRequest(req.method, req.url ?? '/', req.headers);
    const refusal = refusalOf(req);
    if (refusal) {
      const body = errorBodyFor(route.provider, refusal.status, `headroom: ${refusal.message}`);
      res.writeHead(refusal.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      req.resume();
      // A model request refused here still gets its row: an agent left without answers shows why in stats.
      if (!isAdminPath(route.path)) {
        void recorder.record({
          ts: now(),
          provider: route.provider,
          method: req.method ?? 'GET',
          path: route.path,
          status: refusal.status,
          sessionId: route.sessionId,
          error: `refused: ${refusal.message}`,
        });
      }
      return;
    }
    if (isAdminPath(route.path)) {
      track(handleAdmin(req, res, route.path, route.query, admin), res, route.provider);
      return;
    }
    const tag = sessionTag(route.sessionId);
    const forward =
      tag instanceof Promise
        ? async () => forwardRequest(req, res, route, await tag, forwardContext)
        : () => forwardRequest(req, res, route, tag, forwardContext);
    track(forward(), res, route.provider);
  };

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handle);
  // Agents send large histories; never let Node's defaults cut a slow upload or a long stream.
  server.headersTimeout = 60_000;
  server.timeout = 0;

  let address: AddressInfo;
  try {
    address = await listen(server, config.host, config.port);
  } catch (error) {
    await upstreams.destroy();
    await closeParts();
    throw error;
  }
  const host = address.address;
  const url = `http://${address.family === 'IPv6' ? `[${host}]` : host}:${address.port}`;
  logger.debug(`headroom proxy listening on ${url}`);
  const withdraw = announce(config.cacheDir, url, logger);

  let closed: Promise<void> | undefined;
  const close = (graceMs = DEFAULT_GRACE_MS): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      withdraw();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of streams) res.end();
      server.closeIdleConnections();
      if (inFlight.size) {
        logger.info(
          `headroom: waiting up to ${Math.round(graceMs / 1000)}s for ${inFlight.size} request(s) to finish`,
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        await Promise.race([Promise.allSettled([...inFlight]), timeout]);
        clearTimeout(timer);
      }
      cutting = true;
      server.closeAllConnections();
      await upstreams.destroy();
      // Requests cut above still record their rows on the way out.
      await Promise.allSettled([...inFlight]);
      await stopped;
      await counter.close();
      await threads?.close();
      await closeParts();
    })();
    return closed;
  };

  return { url, host, port: address.port, store, events, originals, settings, close };
}
