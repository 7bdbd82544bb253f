// `headroom wrap <agent>`: start a proxy on a free loopback port (or join a running one), run the agent
// pointed at it, stay silent while it works, then shut the proxy down and report the session.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config, ResolvedConfig } from '../config.js';
import { AgentNotFoundError, HeadroomError, signalExitCode, UsageError } from '../errors.js';
import { createLogger, silentLogger } from '../log.js';
import { liveEnvOf, pushRuntimeEnv } from '../proxy/runtime-env-client.js';
import { type RunningProxy, startProxy } from '../proxy/server.js';
import { totals } from '../stats/report.js';
import type { RequestRow } from '../store/types.js';
import type { AdoptedUpstreams, AgentAdapter, Env, ManualAdapter, UpstreamSetting } from './adapter.js';
import type { ProxyHeaders } from './headers.js';
import { canConnect, findExecutable } from './preflight.js';
import type { SessionStats } from './summary.js';
import { type AgentExit, superviseAgent } from './supervisor.js';

export interface WrapOptions {
  agent: AgentAdapter;
  /** Arguments for the agent, passed after the adapter's own. */
  args: readonly string[];
  resolved: ResolvedConfig;
  /** Join this running `headroom proxy` instead of starting one. */
  proxyUrl?: string;
  env?: Env;
  cwd?: string;
  /** Where the few lines headroom prints before the agent starts go. */
  stderr?: NodeJS.WritableStream;
  /** Session id to tag requests with (random when left out). */
  sessionId?: string;
}

export interface WrapResult {
  exit: AgentExit;
  sessionId: string;
  /** Undefined when the stats could not be read back. */
  stats?: SessionStats;
  /** The proxy log of an in-process proxy. */
  logFile?: string;
}

const UPSTREAM_SETTINGS: UpstreamSetting[] = ['anthropicUpstream', 'openaiUpstream', 'geminiUpstream'];

/**
 * The config with the agent's own base URLs as upstreams. A URL given to headroom itself (flag or HEADROOM_*
 * variable) still wins; the config file and the defaults do not, being less specific than the user's shell.
 */
export function withAdoptedUpstreams(resolved: ResolvedConfig, adopted: AdoptedUpstreams): Config {
  const config = { ...resolved.config };
  for (const setting of UPSTREAM_SETTINGS) {
    const value = adopted[setting];
    if (value && (resolved.sources[setting] === 'file' || resolved.sources[setting] === 'default')) {
      config[setting] = value;
    }
  }
  return config;
}

/** Where an in-process proxy logs while the agent owns the terminal (0600 file in a 0700 directory). */
export function sessionLogFile(cacheDir: string, sessionId: string): string {
  const dir = join(cacheDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return join(dir, `wrap-${sessionId}.log`);
}

interface ProxyLink {
  /** Base URL the agent is pointed at. */
  agentUrl: string;
  /** Headers every model request of the agent must carry to get through. */
  headers: ProxyHeaders;
  /** Read the session's stats once the agent has exited; undefined when they cannot be read. */
  stats(): Promise<SessionStats | undefined>;
  close(): Promise<void>;
  logFile?: string;
}

async function startOwnProxy(config: Config, options: WrapOptions, sessionId: string): Promise<ProxyLink> {
  let logFile: string | undefined;
  try {
    logFile = sessionLogFile(config.cacheDir, sessionId);
  } catch (error) {
    // The agent still runs: its requests go through headroom, only the proxy's log lines are lost.
    process.stderr.write(
      `headroom: cannot keep the session log under ${config.cacheDir}: ${(error as Error).message}; the proxy's log is off for this session\n`,
    );
  }
  // Without a log file, what the proxy warns of while it starts (stats kept in memory, say) is said on
  // stderr before the agent owns the terminal; nothing after.
  let agentRunning = false;
  const logger = logFile
    ? createLogger({ file: logFile, level: config.logLevel as 'error' | 'warn' | 'info' | 'debug' })
    : {
        ...silentLogger,
        warn: (message: string) => {
          if (!agentRunning) process.stderr.write(`${message}\n`);
        },
      };
  const port = options.resolved.sources.port === 'flag' ? config.port : 0;
  const session = { id: sessionId, agent: options.agent.name, project: options.cwd ?? process.cwd() };
  // A proxy of the agent's own needs no key: without one startProxy still refuses a non-loopback host.
  const proxy: RunningProxy = await startProxy({
    config: { ...config, port, apiKey: undefined },
    logger,
    session,
  });
  agentRunning = true;
  // The session's rows as the proxy writes them (closing waits for in-flight requests, whose rows are
  // written as they finish): the summary holds also when the stats could only be kept in memory.
  const rows: RequestRow[] = [];
  const unsubscribe = proxy.events.subscribe((row) => {
    if (row.sessionId === sessionId) rows.push(row);
  });
  return {
    agentUrl: proxy.url,
    headers: {},
    logFile,
    stats: async () => totals(rows),
    close: async () => {
      await proxy.close(2000);
      unsubscribe();
    },
  };
}

// The part of a running proxy's session totals the summary reads; money figures are null when unknown.
const TotalsBody = z.object({
  totals: z.object({
    requests: z.number(),
    tokensBefore: z.number(),
    tokensAfter: z.number(),
    retrievals: z.number(),
    errors: z.number(),
    moneySaved: z
      .number()
      .nullish()
      .transform((v) => v ?? undefined),
    unpricedSavings: z.number().optional(),
  }),
});

function keyHeader(config: Config): Record<string, string> {
  return config.apiKey ? { 'x-headroom-key': config.apiKey } : {};
}

/** True when the proxy at `base` answers a request without x-headroom-key with 401. */
async function needsKey(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.status === 401;
  } catch {
    return false;
  }
}

/**
 * The headers the agent's requests need to get through the proxy at `base`: its key when it wants one, which
 * the agent must then be able to send. Refuses in one line, before the agent starts, when it cannot: a refused
 * request is a 401 the agent may wait on without a word.
 */
async function headersFor(
  base: string,
  config: Config,
  options: WrapOptions,
  env: Env,
): Promise<ProxyHeaders> {
  if (!(await needsKey(base))) return {};
  const { agent } = options;
  if (!config.apiKey) {
    throw new HeadroomError(
      `the proxy at ${base} needs its key in x-headroom-key: set HEADROOM_API_KEY to the key it was started with`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const can = agent.kind === 'process' ? agent.canSendHeaders?.(env, cwd, options.args) : undefined;
  if (can !== true) {
    const why = typeof can === 'string' ? ` as set up here (${can})` : '';
    throw new HeadroomError(
      `the proxy at ${base} needs x-headroom-key on every request, which ${agent.title} cannot send${why}: run \`headroom wrap ${agent.name}\` without --proxy-url (it starts its own proxy), or start the shared proxy on loopback without HEADROOM_API_KEY`,
    );
  }
  return keyHeader(config);
}

/** POST `body` as JSON to an admin endpoint of the proxy at `base`. */
function postAdmin(base: string, path: string, config: Config, body: unknown, timeoutMs: number) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...keyHeader(config) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** The totals in an admin answer, or undefined when it has none. */
async function totalsIn(response: Response): Promise<SessionStats | undefined> {
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  const body = TotalsBody.safeParse(await response.json());
  return body.success ? body.data.totals : undefined;
}

// How long the running proxy may take to finish the session's last requests and write their rows.
const SESSION_END_WAIT_MS = 10_000;

async function joinRunningProxy(
  config: Config,
  options: WrapOptions,
  env: Env,
  sessionId: string,
): Promise<ProxyLink> {
  const base = (options.proxyUrl ?? '').replace(/\/+$/, '');
  const session = { id: sessionId, agent: options.agent.name, project: options.cwd ?? process.cwd() };
  const headers = await headersFor(base, config, options, env);
  let response: Response;
  try {
    response = await postAdmin(base, '/admin/sessions', config, session, 5000);
  } catch (error) {
    throw new HeadroomError(`cannot reach the headroom proxy at ${base} (is \`headroom proxy\` running?)`, {
      cause: error,
    });
  }
  if (response.status === 401) {
    await response.body?.cancel();
    throw new HeadroomError(
      `the proxy at ${base} refused the key in HEADROOM_API_KEY (HTTP 401): set it to the key the proxy was started with`,
    );
  }
  if (!response.ok) {
    throw new HeadroomError(
      `the proxy at ${base} refused the session (HTTP ${response.status}: ${await response.text()})`,
    );
  }
  // Settings exported in this shell (HEADROOM_VERBOSITY=terse) reach the shared proxy as a live change.
  const live = liveEnvOf(options.resolved);
  if (Object.keys(live).length) {
    try {
      await pushRuntimeEnv(base, live, config.apiKey);
    } catch (error) {
      (options.stderr ?? process.stderr).write(
        `headroom: warning: ${(error as Error).message}; the proxy keeps its own settings\n`,
      );
    }
  }
  const encoded = encodeURIComponent(sessionId);
  return {
    agentUrl: `${base}/s/${sessionId}`,
    headers,
    // The proxy may still be finishing the last turn (counting its tokens, writing its row) when the agent has
    // its answer and exits; ending the session there waits for that. A proxy without that endpoint answers 404,
    // and its /stats is the next best thing.
    stats: async () => {
      try {
        const ended = await postAdmin(
          base,
          `/admin/sessions/${encoded}/end`,
          config,
          { waitMs: SESSION_END_WAIT_MS },
          SESSION_END_WAIT_MS + 5000,
        );
        if (ended.status !== 404) return await totalsIn(ended);
        await ended.body?.cancel();
        return await totalsIn(
          await fetch(`${base}/stats?session=${encoded}&limit=0`, {
            headers: keyHeader(config),
            signal: AbortSignal.timeout(5000),
          }),
        );
      } catch {
        return undefined;
      }
    },
    close: async () => {},
  };
}

async function warnUnreachable(settings: UpstreamSetting[], config: Config, stderr: NodeJS.WritableStream) {
  const urls = [...new Set(settings.map((s) => config[s]))];
  const reachable = await Promise.all(urls.map((url) => canConnect(url)));
  const down = urls.filter((_, i) => !reachable[i]);
  if (down.length > 0) {
    stderr.write(
      `headroom: warning: cannot reach ${down.join(', ')}; starting anyway (requests fail until it is up)\n`,
    );
  }
}

/** Serve until SIGINT/SIGTERM/SIGHUP for an agent that has to be configured by hand. */
function serveUntilStopped(
  agent: ManualAdapter,
  agentUrl: string,
  stderr: NodeJS.WritableStream,
): Promise<AgentExit> {
  for (const line of agent.instructions(agentUrl)) stderr.write(`${line}\n`);
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const stop = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, stop);
      resolve(signal === 'SIGINT' ? { code: 0 } : { code: signalExitCode(signal) });
    };
    for (const s of signals) process.on(s, stop);
  });
}

/** Run one wrapped agent session from start to finish. */
export async function wrapAgent(options: WrapOptions): Promise<WrapResult> {
  const { agent } = options;
  const env: Env = options.env ?? process.env;
  const stderr = options.stderr ?? process.stderr;
  const cwd = options.cwd ?? process.cwd();
  const reason = agent.cannotRoute?.(env, cwd, options.args);
  if (reason) throw new UsageError(`cannot wrap ${agent.name}: ${reason}`);
  const command = agent.kind === 'process' ? findExecutable(agent.binary, env) : undefined;
  if (agent.kind === 'process' && !command) {
    throw new AgentNotFoundError(
      `cannot start ${agent.binary}: not found on PATH (install: ${agent.install})`,
    );
  }

  const sessionId = options.sessionId ?? randomBytes(4).toString('hex');
  const adopted = agent.adoptUpstreams(env, cwd, options.args);
  const config = withAdoptedUpstreams(options.resolved, adopted);
  if (options.proxyUrl && Object.keys(adopted).length > 0) {
    stderr.write(
      `headroom: note: the proxy at ${options.proxyUrl} forwards to its own upstreams; ${Object.values(adopted).join(', ')} is not used\n`,
    );
  }
  const link = options.proxyUrl
    ? await joinRunningProxy(config, options, env, sessionId)
    : await startOwnProxy(config, options, sessionId);
  // Files an adapter writes for the agent (a settings file carrying the proxy's key): 0700, gone at exit.
  let made: string | undefined;
  const privateDir = () => {
    made ??= mkdtempSync(join(tmpdir(), 'headroom-wrap-'));
    return made;
  };
  const removePrivateDir = () => {
    if (made) rmSync(made, { recursive: true, force: true });
  };
  let exit: AgentExit;
  try {
    if (!options.proxyUrl) await warnUnreachable(agent.upstreamsUsed(env, cwd, options.args), config, stderr);
    if (agent.kind === 'manual') {
      exit = await serveUntilStopped(agent, link.agentUrl, stderr);
    } else {
      const plan = agent.launch(link.agentUrl, env, options.args, cwd, link.headers, privateDir);
      exit = await superviseAgent({
        command: command ?? agent.binary,
        args: plan.args,
        env: { ...env, ...plan.env },
        cwd: options.cwd,
        installHint: agent.install,
      });
    }
  } catch (error) {
    removePrivateDir();
    await link.close();
    throw error;
  }
  removePrivateDir();
  await link.close();
  const stats = await link.stats().catch(() => undefined);
  return { exit, sessionId, stats, logFile: link.logFile };
}
