// Judges one response of the soak against what the model API wrote for it. A request the API answered must
// reach the client as those bytes; an API error as that status and body; a fault before the answer as the
// proxy's own error in the provider's shape; a fault during it as a visibly cut answer (the connection
// broken, or the API's error event) whose bytes are a prefix of what was written. Anything else is
// corrupted, and a request that never got an end is lost.

import { retrieveCallId } from './wire.js';

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
export function judge(result, record, format, stream) {
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
  if (record.retrieval) return judgeContinued(result, record, format, stream);
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

/** The data line of the event in `written` that no parser can read, if there is one. */
function garbledLine(written) {
  for (const line of written.toString('utf8').split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    try {
      JSON.parse(line.slice(6));
    } catch {
      return line;
    }
  }
  return undefined;
}

/**
 * A turn in which the model called headroom_retrieve: the proxy must answer the call and continue the turn,
 * and the client get the continuation's answer as one answer, never the call; or, when the continuation
 * faults, the API's error (its own status and body for JSON, an error event in a stream whose head went out)
 * or the proxy's own error, never the first round dressed as a finished answer.
 */
function judgeContinued(result, record, format, stream) {
  const next = record.continuation;
  const fault = next?.fault;
  const corrupted = (why) => ({
    outcome: 'corrupted',
    bad: 'corrupted',
    why: `retrieval, then ${fault?.kind}: ${why}`,
  });
  if (!next)
    return corrupted(
      `the proxy did not continue the turn (status ${result.status}, ${result.error ?? 'no error'})`,
    );
  const body = result.body;
  const read = format.read(body, stream);
  const visible = !read.complete && (result.error || body.includes('headroom:') || body.includes('soak '));
  const proxyError = result.status >= 500 && isProxyErrorBody(body);
  if (fault.kind === 'ok') {
    if (result.status !== 200 || result.error || !read.complete)
      return corrupted(`status ${result.status}, incomplete`);
    if (body.includes(retrieveCallId(record.tag)))
      return corrupted('the headroom_retrieve call reached the client');
    if (read.text !== next.text) return corrupted('the text differs from what the model wrote');
    return { outcome: 'answered after a retrieval' };
  }
  if (fault.kind === 'server-error' || fault.kind === 'rate-limited') {
    if (!stream && result.status === fault.status && body.equals(Buffer.concat(next.written))) {
      return { outcome: 'API error after a retrieval, passed on' };
    }
    if (stream && result.status === 200 && visible)
      return { outcome: 'API error after a retrieval, as an error event' };
    return corrupted(`status ${result.status} for ${fault.status}`);
  }
  if (!stream && proxyError) return { outcome: `proxy error after a retrieval (${result.status})` };
  if (stream && result.status === 200 && visible) return { outcome: 'cut short after a retrieval' };
  if (fault.kind === 'malformed' && stream && result.status === 200) {
    const line = garbledLine(Buffer.concat(next.written));
    if (line && body.includes(line)) return { outcome: 'malformed after a retrieval, passed as sent' };
  }
  return corrupted(
    `status ${result.status}, ${read.complete ? 'complete' : 'incomplete'}, ${result.error ?? 'no error'}`,
  );
}

const REASONS = {
  'reset-before-answer': 'upstream unreachable',
  'reset-mid-answer': 'upstream reset',
  'stall-before-answer': 'upstream timeout',
  'stall-mid-answer': 'upstream timeout',
};

/** The failure the proxy's stats row should record for the request `record` tells of ('' for none). */
export function expectedReason(record) {
  const { fault } = record.continuation ?? record;
  // Only a continuation is read by the proxy whole: one it cannot read is its failure, not the client's.
  if (record.continuation && fault.kind === 'malformed' && fault.variant !== 'garbled-event') {
    return 'upstream malformed answer';
  }
  return REASONS[fault.kind] ?? '';
}
