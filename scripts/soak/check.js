// Judges one response of the soak against what the model API wrote for it. A request the API answered must
// reach the client as those bytes; an API error as that status and body; a fault before the answer as the
// proxy's own error in the provider's shape; a fault during it as a visibly cut answer (the connection
// broken, or the API's error event) whose bytes are a prefix of what was written. Anything else is
// corrupted, and a request that never got an end is lost.

/** Where a trailing error event the proxy wrote starts (it names headroom), or the body's end. */
function proxyErrorEventAt(body) {
  const at = body.lastIndexOf('headroom:');
  if (at < 0) return body.length;
  const start = body.lastIndexOf('\n\n', at);
  return start < 0 ? 0 : start + 2;
}

/** True when `body` is the proxy's own error answer in JSON (`headroom: …` in its message). */
function isProxyErrorBody(body) {
  try {
    return JSON.stringify(JSON.parse(body.toString('utf8'))).includes('headroom:');
  } catch {
    return false;
  }
}

/**
 * The outcome of `result` (what the client got) against `record` (what the API wrote): `{ outcome, bad }`
 * where `bad` is 'lost', 'corrupted' or undefined, and `why` says what was wrong.
 */
export function judge(result, record) {
  if (result.timedOut) return { outcome: 'no end in time', bad: 'lost', why: 'the response never ended' };
  if (!record) {
    return {
      outcome: 'never reached the model API',
      bad: 'lost',
      why: `status ${result.status} ${result.error ?? ''}`,
    };
  }
  if (record.repeated)
    return { outcome: 'sent upstream twice', bad: 'corrupted', why: 'the request reached the API twice' };
  const written = Buffer.concat(record.written);
  const body = result.body;
  const same = body.equals(written) && !result.error;
  const { fault } = record;
  const corrupted = (why) => ({ outcome: 'corrupted', bad: 'corrupted', why: `${fault.kind}: ${why}` });
  switch (fault.kind) {
    case 'ok':
      if (result.status === 200 && same) return { outcome: 'answered' };
      return corrupted(
        `status ${result.status}, ${body.length} of ${written.length} bytes, ${result.error ?? 'no error'}`,
      );
    case 'server-error':
    case 'rate-limited':
      if (result.status !== fault.status || !same)
        return corrupted(`status ${result.status} for ${fault.status}`);
      if (fault.retryAfter && result.headers['retry-after'] !== fault.retryAfter)
        return corrupted('retry-after lost');
      return { outcome: `API error passed on (${fault.status})` };
    case 'reset-before-answer':
    case 'stall-before-answer': {
      const status = fault.kind === 'reset-before-answer' ? 502 : 504;
      if (result.status === status && isProxyErrorBody(body)) return { outcome: `proxy error (${status})` };
      return corrupted(`status ${result.status} for ${status}, ${result.error ?? 'no error'}`);
    }
    case 'reset-mid-answer':
    case 'stall-mid-answer': {
      // An answer the proxy reads whole before replying (the retrieve loop's JSON) fails before its head.
      if (result.status >= 500 && isProxyErrorBody(body))
        return { outcome: `proxy error (${result.status})` };
      if (result.status !== 200) return corrupted(`status ${result.status}`);
      const prefix = body.subarray(0, proxyErrorEventAt(body));
      const errorEvent = prefix.length < body.length;
      if (!written.subarray(0, prefix.length).equals(prefix))
        return corrupted('bytes differ from what was written');
      if (prefix.length >= written.length && !result.error && !errorEvent)
        return corrupted('cut answer arrived as whole');
      if (!result.error && !errorEvent) return corrupted('cut answer ended cleanly');
      return { outcome: errorEvent ? 'cut short (error event)' : 'cut short (connection broken)' };
    }
    case 'malformed': {
      if (result.status === 200 && same) return { outcome: `malformed passed as sent (${fault.variant})` };
      if (result.status >= 500 && isProxyErrorBody(body))
        return { outcome: `malformed refused (${fault.variant})` };
      const prefix = body.subarray(0, proxyErrorEventAt(body));
      if (prefix.length < body.length && written.subarray(0, prefix.length).equals(prefix)) {
        return { outcome: `malformed cut short (${fault.variant})` };
      }
      return corrupted(
        `${fault.variant}: status ${result.status}, ${body.length} of ${written.length} bytes`,
      );
    }
  }
  return corrupted('unknown fault');
}

const REASONS = {
  'reset-before-answer': 'upstream unreachable',
  'reset-mid-answer': 'upstream reset',
  'stall-before-answer': 'upstream timeout',
  'stall-mid-answer': 'upstream timeout',
};

/** The failure the proxy's stats row should record for a fault ('' for none). */
export function expectedReason(fault) {
  return REASONS[fault.kind] ?? '';
}
