// How an exchange that broke on the way is reported: the status and reason the stats row records, and the
// provider-shaped error the client gets when nothing of the answer has reached it yet.

import type { ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ProxyRoute } from './routes.js';
import { providerErrorBody, type UpstreamTarget } from './upstream.js';
import type { UsageTap } from './usage.js';

/** How a relayed exchange ended, for the stats row. */
export interface RelayOutcome {
  status: number;
  error?: string;
  ttfbMs?: number;
  stream: boolean;
  /** Reads the upstream's usage from the bytes the client received. */
  tap?: UsageTap;
  /** headroom_retrieve calls the proxy answered, and the bytes of its answers. */
  retrievals?: number;
  retrievedBytes?: number;
}

export const describeError = (error: unknown) =>
  (error as { code?: string })?.code ?? (error as Error)?.message ?? 'error';

/** What went wrong with an exchange that did not complete, as recorded in the stats row. */
export function failureOf(
  error: unknown,
  clientGone: boolean,
  headersSent: boolean,
): { error: string; status: number } {
  if (clientGone) return { error: 'client aborted', status: 499 };
  const code = (error as { code?: string })?.code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { error: 'upstream timeout', status: 504 };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { error: 'upstream timeout', status: 504 };
  if (headersSent) return { error: 'upstream reset', status: 502 };
  return { error: 'upstream unreachable', status: 502 };
}

/**
 * Record `error` in `outcome` and tell the client: a provider-shaped error when no headers went out yet,
 * else a connection closed without finishing the response, so the client sees a broken response rather
 * than a short one.
 */
export function reportFailure(
  res: ServerResponse,
  error: unknown,
  clientGone: boolean,
  outcome: RelayOutcome,
  where: { route: ProxyRoute; target: UpstreamTarget; logger: Logger },
): void {
  const failure = failureOf(error, clientGone, res.headersSent);
  outcome.error = failure.error;
  if (clientGone) {
    outcome.status ||= failure.status;
    return;
  }
  const { route, target, logger } = where;
  if (!res.headersSent) {
    outcome.status = failure.status;
    const message = `headroom: ${failure.error === 'upstream timeout' ? 'no answer in time from' : 'cannot reach'} upstream ${target.base} (${describeError(error)})`;
    logger.warn(message, { path: route.path });
    const payload = providerErrorBody(route.provider, failure.status, message);
    res.writeHead(failure.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    return;
  }
  logger.warn(`headroom: upstream ${target.base} ${failure.error} mid-response (${describeError(error)})`, {
    path: route.path,
  });
  if (res.socket) res.socket.end();
  else res.destroy();
}
