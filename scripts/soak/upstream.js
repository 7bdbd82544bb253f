// The soak's model API on loopback: answers each request in its wire format, or faults as `faultFor` says
// (an error status, a 429 with retry-after, a connection reset before or during the answer, a stall the
// proxy must time out, a malformed body), and keeps, per request tag, exactly the bytes it wrote, so the
// client can check what reached it against what was sent for it.

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { faultFor, generator, hashOf, pick } from './faults.js';
import { formatFor, retrieveCallId } from './wire.js';

const WORDS =
  'the build fails because a lockfile pins an older compiler so update it and rerun every test in the worker pool'.split(
    ' ',
  );
const HTML_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The answer's text: the tag first, then words drawn from it, so no two requests get the same answer. */
export function answerText(tag) {
  const random = generator(hashOf(tag));
  const count = 12 + Math.floor(random() * 28);
  return `soak ${tag}: ${Array.from({ length: count }, () => pick(random, WORDS)).join(' ')}.`;
}

/** A copy of an SSE event with its data cut in the middle, as a broken gateway might send it. */
function garbled(event) {
  const at = event.indexOf('data: ') + 6;
  const end = event.length - 2;
  return `${event.slice(0, at + Math.floor((end - at) / 2))}\n\n`;
}

/**
 * Start the model API. `sent` maps each tag to what it received and wrote: the fault, the status and
 * headers, the body bytes as written (`written`), the hash and size of the request body that reached it,
 * and when it started and stopped answering.
 */
export async function startFaultyUpstream({ seed }) {
  const sent = new Map();
  const sockets = new Set();
  let untagged = 0;

  async function serve(req, res, body) {
    const tag = req.headers['x-soak-tag'];
    const format = formatFor(req.url);
    if (typeof tag !== 'string' || !format) {
      untagged++;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"no such route"}}');
      return;
    }
    let json = {};
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {}
    const stream = json.stream === true;
    const text = body.toString('utf8');
    // The proxy continuing a turn after answering the model's headroom_retrieve call: the round has a fault
    // of its own, and is kept with the first.
    const first = sent.get(tag);
    const continuing = first?.retrieval !== undefined && text.includes(retrieveCallId(tag));
    const round = continuing ? `${tag}/2` : tag;
    const fault = faultFor(seed, round, { stream });
    const record = {
      tag,
      format: format.name,
      stream,
      fault,
      received: { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') },
      /** A marker in the body: the proxy compressed a tool output of this request. */
      compressed: text.includes('headroom_retrieve id=hr_'),
      status: 0,
      headers: {},
      written: [],
      startedAt: performance.now(),
      endedAt: undefined,
    };
    if (continuing) {
      if (first.continuation) first.repeated = true;
      first.continuation = record;
      record.body = text;
    } else {
      if (first) record.repeated = true;
      sent.set(tag, record);
    }
    res.once('close', () => {
      record.endedAt ??= performance.now();
    });
    res.once('finish', () => {
      record.endedAt = performance.now();
    });
    const head = (status, headers) => {
      record.status = status;
      record.headers = headers;
      res.writeHead(status, headers);
    };
    const write = (chunk) => {
      if (res.destroyed) return false;
      record.written.push(Buffer.from(chunk));
      res.write(chunk);
      return true;
    };
    /** Let what was written leave, then cut the connection, as a crashing server's kernel would. */
    const reset = async () => {
      await new Promise((resolve) => res.write('', resolve));
      res.socket?.destroy();
    };

    const usage = { input: Math.max(1, Math.round(body.length / 4)), output: 30, cacheRead: 0 };
    // Some compressed requests the model answers by reading an original back first.
    const marker = /headroom_retrieve id=(hr_[0-9a-f]{12})/.exec(text)?.[1];
    if (!continuing && fault.kind === 'ok' && fault.retrieves && marker) record.retrieval = { id: marker };
    if (!record.retrieval) record.text = answerText(round);
    const answer = record.retrieval
      ? format.retrieveMessage(tag, marker, usage)
      : format.message(tag, answerText(round), usage);
    const events = record.retrieval
      ? format.retrieveEvents(tag, marker, usage)
      : format.events(tag, answerText(round), usage);
    const eventHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
    const sendJson = (status, payload, headers = {}) => {
      const bytes = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
      head(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
      write(bytes);
      res.end();
    };
    /** The answer's events, the `stopAt`-th and those after it left out; the events as written. */
    const sendEvents = async (list, stopAt = list.length) => {
      head(200, eventHeaders);
      res.flushHeaders();
      for (let i = 0; i < stopAt; i++) {
        if (i > 0 && fault.gapMs) await sleep(fault.gapMs);
        if (!write(list[i])) return;
      }
    };

    await sleep(fault.thinkMs);
    if (res.destroyed) return;
    const cutAt = (length) => Math.max(1, Math.min(length - 1, Math.floor(length * fault.at)));
    switch (fault.kind) {
      case 'ok':
        if (stream) {
          await sendEvents(events);
          res.end();
        } else sendJson(200, answer);
        return;
      case 'server-error':
      case 'rate-limited': {
        const message = `soak ${tag}: ${fault.kind === 'rate-limited' ? 'rate limited' : 'the model API failed'}`;
        sendJson(
          fault.status,
          format.error(fault.status, message),
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
        return;
      }
      case 'reset-before-answer':
        res.socket?.destroy();
        return;
      case 'stall-before-answer':
        // Nothing, until the proxy gives up and closes the connection.
        return;
      case 'reset-mid-answer':
      case 'stall-mid-answer': {
        if (stream) await sendEvents(events, cutAt(events.length));
        else {
          const bytes = Buffer.from(JSON.stringify(answer));
          head(200, { 'content-type': 'application/json', 'content-length': bytes.length });
          write(bytes.subarray(0, cutAt(bytes.length)));
        }
        if (fault.kind === 'reset-mid-answer') await reset();
        return;
      }
      case 'malformed': {
        if (fault.variant === 'html-page') {
          const page = `${HTML_PAGE}<!-- ${tag} -->`;
          head(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
          write(page);
          res.end();
        } else if (fault.variant === 'cut-json') {
          const bytes = Buffer.from(JSON.stringify(answer));
          sendJson(200, bytes.subarray(0, cutAt(bytes.length)).toString('latin1'));
        } else {
          const at = fault.fromEnd ? events.length - fault.fromEnd : cutAt(events.length);
          await sendEvents([...events.slice(0, at), garbled(events[at]), ...events.slice(at + 1)]);
          res.end();
        }
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      serve(req, res, Buffer.concat(chunks)).catch((error) => {
        process.stderr.write(`soak upstream: ${error.stack}\n`);
        res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    sent,
    untagged: () => untagged,
    /** Close the connections no answer is using, so the proxy's pool lets go of them. */
    closeIdle: () => server.closeIdleConnections(),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  };
}
