// The ways an exchange can break on the proxy's side, as error classes with a stable code, the HTTP status
// the client gets (499 when the client itself left) and the reason the stats row records.

export abstract class ProxyFailure extends Error {
  /** Stable identifier, for code that reacts to a failure. */
  abstract readonly code: string;
  /** The status the exchange ends with. */
  abstract readonly status: number;
  /** What the stats row records as the exchange's error. */
  abstract readonly reason: string;

  constructor(
    /** The error underneath (an undici error, a socket error), as the user sees it: its code or message. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** The client went away before the answer was complete. */
export class ClientAborted extends ProxyFailure {
  readonly code = 'client_aborted';
  readonly status = 499;
  readonly reason = 'client aborted';
}

/** The proxy shut down while the exchange was still going, past its grace period. */
export class ProxyShutdown extends ProxyFailure {
  readonly code = 'shutdown';
  readonly status = 503;
  readonly reason = 'shutdown';
}

/** No answer (or no next chunk of one) from the upstream in time. */
export class UpstreamTimeout extends ProxyFailure {
  readonly code = 'upstream_timeout';
  readonly status = 504;
  readonly reason = 'upstream timeout';
}

/** The upstream could not be reached, or failed before it answered. */
export class UpstreamUnreachable extends ProxyFailure {
  readonly code = 'upstream_unreachable';
  readonly status = 502;
  readonly reason = 'upstream unreachable';
}

/** The upstream broke off an answer it had started. */
export class UpstreamReset extends ProxyFailure {
  readonly code = 'upstream_reset';
  readonly status = 502;
  readonly reason = 'upstream reset';
}

/** The upstream answered with a body that is not the answer it was asked for (not JSON, not a stream). */
export class UpstreamMalformed extends ProxyFailure {
  readonly code = 'upstream_malformed';
  readonly status = 502;
  readonly reason = 'upstream malformed answer';
}

/** The upstream ended an event stream cleanly, but before the event that ends its answer. */
export class UpstreamTruncated extends ProxyFailure {
  readonly code = 'upstream_truncated';
  readonly status = 502;
  readonly reason = 'upstream truncated';
}

/** The proxy could not sign in to the upstream it logs in to itself (no stored login, a refused exchange). */
export class UpstreamLoginFailed extends ProxyFailure {
  readonly code = 'upstream_login_failed';
  readonly status = 401;
  readonly reason = 'upstream login failed';
}

/** How an error from below reads in a message: its code (ECONNREFUSED) when it has one, else its message. */
export function describeError(error: unknown): string {
  return (error as { code?: string })?.code ?? (error as Error)?.message ?? 'error';
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The failure an error from the upstream side means, given whether the client left and the answer had begun. */
export function classifyFailure(
  error: unknown,
  {
    clientGone,
    answerStarted,
    shuttingDown = false,
  }: { clientGone: boolean; answerStarted: boolean; shuttingDown?: boolean },
): ProxyFailure {
  if (error instanceof ProxyFailure) return error;
  const detail = describeError(error);
  const options = { cause: error };
  // Connections the proxy itself cut at shutdown break both sides: neither the client nor the upstream did it.
  if (shuttingDown) return new ProxyShutdown(detail, options);
  if (clientGone) return new ClientAborted(detail, options);
  if (TIMEOUT_CODES.has((error as { code?: string })?.code ?? ''))
    return new UpstreamTimeout(detail, options);
  if (answerStarted) return new UpstreamReset(detail, options);
  return new UpstreamUnreachable(detail, options);
}
