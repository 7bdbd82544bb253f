// Decides where an incoming request goes: which provider's upstream, whether its body is a conversation the
// compression hook may rewrite, and which session it belongs to (from a `/s/<id>/` path prefix).

import type { IncomingHttpHeaders } from 'node:http';

export type Provider = 'anthropic' | 'openai' | 'gemini';

/** The wire format of a request body, as the compression hook sees it. */
export type RouteKind = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini' | 'other';

export interface ProxyRoute {
  provider: Provider;
  kind: RouteKind;
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

/**
 * The conversation format of a request, when it carries one the compression hook understands.
 * Matches on the path's end so OpenAI-compatible clients with or without a `/v1` base both work.
 */
export function routeKind(method: string | undefined, provider: Provider, path: string): RouteKind {
  if (method !== 'POST') return 'other';
  switch (provider) {
    case 'anthropic':
      // count_tokens takes a messages request; counted as it will be sent, i.e. compressed.
      return path.endsWith('/messages') || isTokenCount(path) ? 'anthropic' : 'other';
    case 'openai':
      if (path.endsWith('/chat/completions')) return 'openai-chat';
      return path.endsWith('/responses') ? 'openai-responses' : 'other';
    case 'gemini':
      return /:(stream)?generateContent$/i.test(path) ? 'gemini' : 'other';
  }
}

/** True for a request that only counts a conversation's tokens: no model answers it. */
export function isTokenCount(path: string): boolean {
  return path.endsWith('/messages/count_tokens');
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
  return { provider, kind: routeKind(method, provider, path), path, query, sessionId };
}

/** The model a path names (Gemini's `/v1beta/models/<model>:generateContent`), or undefined. */
export function modelInPath(path: string): string | undefined {
  return /\/models\/([^/:]+):/.exec(path)?.[1];
}

/** Paths the proxy answers itself instead of forwarding. */
export function isAdminPath(path: string): boolean {
  return path === '/health' || path === '/stats' || path === '/stats/stream' || path.startsWith('/admin/');
}
