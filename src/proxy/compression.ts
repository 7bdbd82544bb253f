// The proxy's single entry into the compression engine: given a conversation request body about to go
// upstream, return the body to send instead and what the rewrite did.

import type { Config } from '../config.js';
import type { RouteKind } from './routes.js';

export interface CompressionRoute {
  provider: RouteKind;
  path: string;
}

export interface CompressionResult {
  /** The body to forward. Returning the very Buffer passed in forwards the original bytes untouched. */
  body: Buffer;
  /** Estimated tokens of the request before and after the rewrite. */
  tokensBefore?: number;
  tokensAfter?: number;
  /** Transforms applied, with how many blocks each rewrote. */
  transforms?: Record<string, number>;
  ms?: number;
  /** Set when compression gave up on part of the request (the rest still went through). */
  error?: string;
}

/**
 * Called once per POST to a messages / chat completions / responses endpoint while `config.compress` is on.
 * The proxy forwards the original bytes if this throws, and whatever it returns otherwise.
 */
export function compressForUpstream(
  _route: CompressionRoute,
  body: Buffer,
  _config: Config,
): CompressionResult {
  return { body };
}
