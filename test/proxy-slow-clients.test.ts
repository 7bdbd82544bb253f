// Many slow clients at once never cost a fast one its answer: 50 clients trickling their request bodies, or
// 50 holding streams open without reading them, and an agent's request in between is answered as usual. The
// slow ones are served (or, once they leave, recorded as aborted with their upstream requests closed).

import { connect, type Socket } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicEvents, type FakeUpstream } from './helpers/fake-upstream.js';
import { startProxyPerFile, waitForRows } from './helpers/proxy.js';
import { until } from './helpers/until.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const SLOW_CLIENTS = 50;
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** A raw connection to the proxy, kept to be closed after the test. */
function open(): Socket {
  const socket = connect(Number(new URL(proxy.url).port), '127.0.0.1');
  socket.on('error', () => {});
  sockets.push(socket);
  return socket;
}

/** A request's head; `close` asks the proxy to close the connection after its answer. */
const head = (body: string, close = false) =>
  `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\n${close ? 'connection: close\r\n' : ''}x-api-key: sk-ant-test\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;

const bodyOf = (model: string, content: string, stream = false) =>
  JSON.stringify({ model, max_tokens: 64, stream, messages: [{ role: 'user', content }] });

/** The fast client: an official SDK call that must be answered within 10 s. */
const askFast = () =>
  new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: proxy.url,
    maxRetries: 0,
    timeout: 10_000,
  }).messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Which test fails first?' }],
  });

/** Resolves with the status of the answer the socket receives (the connection closes after it). */
function statusOf(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
  });
}

describe('slow clients', () => {
  it(`answers a fast client while ${SLOW_CLIENTS} others trickle their request bodies, then answers them all`, async () => {
    let finishBodies!: () => void;
    const fastServed = new Promise<void>((resolve) => {
      finishBodies = resolve;
    });
    const before = upstream.requests.length;
    const answered: Promise<number>[] = [];
    const sending = Array.from({ length: SLOW_CLIENTS }, async (_, i) => {
      const body = bodyOf(
        'claude-sonnet-4-6',
        `Slow client ${i}: ${'summarise the failing job. '.repeat(40)}`,
      );
      const socket = open();
      answered.push(statusOf(socket));
      socket.write(head(body, true));
      // A few bytes at a time, every 50 ms; the last ones only once the fast client has its answer.
      const last = body.length - 10;
      for (let at = 0; at < last; at += 100) {
        socket.write(body.slice(at, Math.min(at + 100, last)));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await fastServed;
      socket.write(body.slice(last));
    });
    await until(() => sockets.length === SLOW_CLIENTS, 'the slow clients');

    const message = await askFast();
    expect(message.content[0]).toMatchObject({ type: 'text' });
    // Nothing of the slow clients had gone upstream yet: their bodies are still incomplete.
    expect(upstream.requests.slice(before).map((req) => req.json().messages)).toEqual([
      [{ role: 'user', content: 'Which test fails first?' }],
    ]);
    finishBodies();
    await Promise.all(sending);
    expect(await Promise.all(answered)).toEqual(Array(SLOW_CLIENTS).fill(200));
    const rows = await waitForRows(proxy, SLOW_CLIENTS + 1);
    expect(rows.filter((row) => row.status === 200 && row.error === null)).toHaveLength(SLOW_CLIENTS + 1);
  });

  it(`answers a fast client while ${SLOW_CLIENTS} others hold streams open without reading, and closes each upstream stream once its client leaves`, async () => {
    // The slow clients' model streams one event every 20 ms for as long as someone listens.
    upstream.script((req) => {
      if (req.json().model !== 'claude-haiku-4-5') return undefined;
      const [start, ...rest] = anthropicEvents(req, { text: 'still compiling '.repeat(200) });
      const delta = rest.find((event) => event.event === 'content_block_delta')!;
      const format = (event: { event?: string; data: unknown }) =>
        `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
      async function* endless() {
        yield format(start!);
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          yield format(delta);
        }
      }
      return { kind: 'body', headers: { 'content-type': 'text/event-stream' }, chunks: endless() };
    });
    const before = upstream.requests.length;
    for (let i = 0; i < SLOW_CLIENTS; i++) {
      const socket = open();
      const body = bodyOf('claude-haiku-4-5', `Stream ${i}`, true);
      socket.write(`${head(body)}${body}`);
      // Read the head, then stop reading, as an agent suspended in its terminal does.
      socket.once('data', () => socket.pause());
    }
    await until(() => upstream.requests.length >= before + SLOW_CLIENTS, 'every slow stream upstream');
    const streams = upstream.requests.slice(before, before + SLOW_CLIENTS);

    const message = await askFast();
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const [fastRow] = await waitForRows(proxy, 1);
    expect(fastRow).toMatchObject({ status: 200, error: null, model: 'claude-sonnet-4-6' });

    for (const socket of sockets.splice(0)) socket.destroy();
    const closed = await Promise.all(streams.map((req) => req.closed));
    expect(closed).toEqual(Array(SLOW_CLIENTS).fill({ completed: false }));
    const rows = await waitForRows(proxy, SLOW_CLIENTS + 1);
    expect(rows.filter((row) => row.error === 'client aborted' && row.stream)).toHaveLength(SLOW_CLIENTS);
  });
});
