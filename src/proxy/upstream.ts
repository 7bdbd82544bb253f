// The upstream side of the proxy: one pooled keep-alive undici Agent for every model API, base URLs per
// provider (path prefixes joined without doubling `/v1`), and the header rules for both directions.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Agent } from 'undici';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Provider } from '../formats/types.js';

export interface UpstreamTimeouts {
  /** Time allowed to open a TCP/TLS connection. */
  connectMs: number;
  /** Time allowed until response headers arrive; non-streaming completions can think for minutes. */
  headersMs: number;
  /** Longest silence allowed between two body chunks of a response. */
  bodyIdleMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  headersMs: 10 * 60_000,
  bodyIdleMs: 10 * 60_000,
};

export interface UpstreamTarget {
  origin: string;
  /** Path and query to request at the origin. */
  path: string;
  /** The base URL the target was built from, for error messages (any password masked). */
  base: string;
}

interface UpstreamBase {
  base: string;
  origin: string;
  prefix: string;
}

function parseBase(name: string, raw: string): UpstreamBase {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} upstream "${raw}" is not a URL (expected e.g. https://api.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} upstream "${raw}" must be an http:// or https:// URL`);
  }
  return { base: shownBase(url, raw), origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
}

/** The base URL as error messages and logs show it: a password in it stays out of both. */
function shownBase(url: URL, raw: string): string {
  if (!url.password) return raw;
  const shown = new URL(url.href);
  shown.password = '***';
  return shown.href;
}

/** Join a base path prefix and a request path, dropping a `/v1` both of them carry. */
export function joinUpstreamPath(prefix: string, path: string): string {
  if (prefix.endsWith('/v1') && (path === '/v1' || path.startsWith('/v1/'))) return prefix + path.slice(3);
  return prefix + path;
}

/** The model APIs the proxy forwards to, sharing one connection pool per origin. */
export class Upstreams {
  readonly agent: Agent;
  private readonly bases: Record<Provider, UpstreamBase>;

  constructor(
    config: Pick<Config, 'anthropicUpstream' | 'openaiUpstream' | 'geminiUpstream'>,
    timeouts = DEFAULT_TIMEOUTS,
  ) {
    this.bases = {
      anthropic: parseBase('anthropic', config.anthropicUpstream),
      openai: parseBase('openai', config.openaiUpstream),
      gemini: parseBase('gemini', config.geminiUpstream),
    };
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyIdleMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Where a request for `provider` at `path` (plus its query string) goes. */
  target(provider: Provider, path: string, query: string): UpstreamTarget {
    const { base, origin, prefix } = this.bases[provider];
    return { base, origin, path: joinUpstreamPath(prefix, path) + query };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}

/** What an upstream the proxy logs in to itself gives one round of a request: where it goes, what it carries. */
export interface UpstreamGrant {
  target: UpstreamTarget;
  /** Header name/value pairs the request carries upstream. */
  headers: [string, string][];
  /** Names (lower case) of the client's headers that must not go upstream: its own credentials among them. */
  replaces: readonly string[];
  /** The upstream refused these credentials (401): the next grant carries fresh ones. */
  refused(): void;
}

/**
 * An upstream the proxy signs in to itself (a subscription such as GitHub Copilot's) in place of the client's
 * own credentials, for the providers it serves; the target can move as the login's endpoint does.
 */
export interface UpstreamLogin {
  serves(provider: Provider): boolean;
  grant(provider: Provider, path: string, query: string): Promise<UpstreamGrant>;
}

/** The client's headers as they go upstream under `grant`: its replaced ones out, the grant's in. */
export function grantedHeaders(headers: string[], grant: UpstreamGrant): string[] {
  const replaced = new Set(grant.replaces);
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!replaced.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  for (const [name, value] of grant.headers) out.push(name, value);
  return out;
}

// Hop-by-hop headers (RFC 9110 7.6.1) plus what the proxy itself must set or must never pass on.
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'x-headroom-key',
  'x-headroom-history',
  // A local directory name, for the proxy's memory only: the model API has no business with it.
  'x-headroom-project',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers listed in a `Connection` header are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  const tokens = text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t && t !== 'close' && t !== 'keep-alive');
  return tokens.length ? new Set(tokens) : undefined;
}

/**
 * The client's headers as they go upstream, in their original case and order (Node's raw header list),
 * minus hop-by-hop ones. Auth headers pass untouched.
 */
export function upstreamRequestHeaders(rawHeaders: string[], headers: IncomingHttpHeaders): string[] {
  const extra = connectionTokens(headers.connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(lower) || extra?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** The upstream's response headers as they go to the client, minus hop-by-hop ones. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const extra = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (DROPPED_RESPONSE_HEADERS.has(name) || extra?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Upstream request headers asking for an uncompressed answer, for when the proxy must read the answer itself. */
export function withoutResponseEncoding(headers: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'accept-encoding') out.push(headers[i]!, headers[i + 1]!);
  }
  out.push('accept-encoding', 'identity');
  return out;
}
