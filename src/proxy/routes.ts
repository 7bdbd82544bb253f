// Decides where an incoming request goes: which provider's upstream, which wire format its body carries
// (when it is a conversation the engine may compress), and which session it belongs to (a `/s/<id>/` prefix).

import type { IncomingHttpHeaders } from 'node:http';
import { formatOfRequest } from '../formats/index.js';
import type { Provider, WireFormat } from '../formats/types.js';

export interface ProxyRoute {
  provider: Provider;
  /** The conversation format of the body; undefined for requests passed through unread. */
  format: WireFormat | undefined;
  /** Path as the upstream API names it: session prefix removed, no query string. */
  path: string;
  /** The query string with its leading `?`, or ''. Forwarded unchanged. */
  query: string;
  sessionId?: string;
}

const SESSION_PREFIX = /^\/s\/([A-Za-z0-9._:-]{1,128})(?=\/|$)/;

/** Split `/s/<id>/v1/messages?x` into the session id and the rest of the URL. */
export function splitSessionPrefix(url: string): { sessionId?: string; url: string } {
  const match = SESSION_PREFIX.exec(url);
  if (!match) return { url };
  return { sessionId: match[1], url: url.slice(match[0].length) || '/' };
}

/** Pick the provider from the path first (it is unambiguous), then from the auth headers the client sent. */
export function providerFor(path: string, headers: IncomingHttpHeaders): Provider {
  if (/^\/v1(beta|alpha)\//.test(path) || headers['x-goog-api-key'] !== undefined) return 'gemini';
  if (/\/messages(\/count_tokens)?$/.test(path)) return 'anthropic';
  if (headers['x-api-key'] !== undefined || headers['anthropic-version'] !== undefined) return 'anthropic';
  return 'openai';
}

/** Resolve the full route of a request from its URL (path + query) and headers. */
export function routeRequest(
  method: string | undefined,
  rawUrl: string,
  headers: IncomingHttpHeaders,
): ProxyRoute {
  const { sessionId, url } = splitSessionPrefix(rawUrl);
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const provider = providerFor(path, headers);
  return { provider, format: formatOfRequest(method, provider, path), path, query, sessionId };
}

/** True for a request that only counts a conversation's tokens: no model answers it. */
export function isTokenCount(route: ProxyRoute): boolean {
  return route.format?.isTokenCount(route.path) ?? false;
}

/** The model a path names (Gemini's `/v1beta/models/<model>:generateContent`), or undefined. */
export function modelInPath(path: string): string | undefined {
  return /\/models\/([^/:]+):/.exec(path)?.[1];
}

/** Paths the proxy answers itself instead of forwarding. */
export function isAdminPath(path: string): boolean {
  return (
    path === '/health' ||
    path === '/stats' ||
    path === '/stats/stream' ||
    path === '/metrics' ||
    path === '/dashboard' ||
    path.startsWith('/admin/')
  );
}

/**
 * Why a request target cannot be forwarded, or undefined when it can: only an origin-form path (`/v1/…`) that
 * stays under the upstream's base path goes on. An absolute URI (`http://169.254.169.254/…`), a `//host`
 * path, and `.` or `..` segments (written plainly or percent-encoded) could reach elsewhere.
 */
export function unsafeTarget(rawUrl: string): string | undefined {
  if (!rawUrl.startsWith('/')) return 'only a path is forwarded, not an absolute URI';
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (path.startsWith('//')) return 'a path starting with // names another host';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'the path is not valid percent-encoding';
  }
  if (decoded.includes('\\')) return 'the path holds a backslash';
  if (decoded.split('/').some((segment) => segment === '.' || segment === '..')) {
    return "the path climbs out of the upstream's base with . or ..";
  }
  return undefined;
}
