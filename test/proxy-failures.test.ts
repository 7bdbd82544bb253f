// How the proxy behaves when things go wrong or get large: slow, broken and malformed upstreams, aborting
// clients, unreachable and unresolvable APIs, bodies that are not JSON or are huge. Each case checks what the
// client sees and the stats row the proxy writes.

import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { totals } from '../src/stats/report.js';
import { answer, anthropicEvents, type FakeUpstream } from './helpers/fake-upstream.js';
import { closedPort, PROMPTLY, startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const anthropic = (baseURL = proxy.url) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
const openai = (baseURL = proxy.url) =>
  new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1`, maxRetries: 0 });
const anthropicHeaders = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};
const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 128,
  messages: [{ role: 'user' as const, content: 'List the failing tests.' }],
};

describe('streaming', () => {
  it('delivers the first event while the upstream still withholds the rest', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let upstreamDone = false;
    upstream.script((req) => ({
      kind: 'sse',
      events: anthropicEvents(req),
      holdAfter: 2,
      release: released.then(() => {
        upstreamDone = true;
      }),
    }));
    const stream = anthropic().messages.stream(params);
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (seen.length === 1) {
        expect(upstreamDone).toBe(false);
        expect(event.type).toBe('message_start');
        release();
      }
    }
    expect(seen.at(-1)).toBe('message_stop');
    expect((await stream.finalMessage()).stop_reason).toBe('end_turn');
  });

  it('closes the upstream connection when the client aborts mid-stream, and records the abort', async () => {
    upstream.script((req) => ({
      kind: 'sse',
      events: anthropicEvents(req),
      holdAfter: 3,
      release: new Promise(() => {}),
    }));
    const before = upstream.requests.length;
    const controller = new AbortController();
    const stream = anthropic().messages.stream(params, { signal: controller.signal });
    await expect(
      (async () => {
        for await (const event of stream) if (event.type === 'content_block_start') controller.abort();
      })(),
    ).rejects.toThrow();
    const [received] = (await upstream.waitForRequests(before + 1)).slice(before);
    expect(await received!.closed).toEqual({ completed: false });
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ path: '/v1/messages', status: 200, error: 'client aborted', stream: true });
  });

  it('closes a client that goes silent mid-body, forwarding nothing, and records it', async () => {
    const own = await startTestProxy(upstream.url, {}, { clientBodyIdleMs: 300 });
    const rows: Array<{ error: string | null }> = [];
    own.events.subscribe((row) => rows.push(row));
    const before = upstream.requests.length;
    const { port } = new URL(own.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      'POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":',
    );
    await new Promise((resolve) => socket.once('close', resolve));
    await own.close(0);
    expect(upstream.requests.length).toBe(before);
    expect(rows).toEqual([expect.objectContaining({ error: 'client aborted' })]);
  });

  it('records a stream still open when shutdown cuts it as shutdown, not as the upstream breaking off', async () => {
    const own = await startTestProxy(upstream.url);
    const rows: Array<{ error: string | null; status: number }> = [];
    own.events.subscribe((row) => rows.push(row));
    upstream.script((req) => ({
      kind: 'sse',
      events: anthropicEvents(req),
      holdAfter: 2,
      release: new Promise(() => {}),
    }));
    const stream = anthropic(own.url).messages.stream(params);
    const reading = (async () => {
      for await (const event of stream) if (event.type === 'message_start') void own.close(100);
    })();
    await expect(reading).rejects.toThrow();
    await own.close(100);
    expect(rows).toEqual([expect.objectContaining({ error: 'shutdown' })]);
  });

  it('relays a malformed event stream as the upstream sent it, without repairing it, and records it', async () => {
    const malformed = Buffer.concat([
      Buffer.from(
        'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":12\n\n',
      ),
      Buffer.from('data: not json at all\r\n\r\n'),
      Buffer.from(
        'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":"many"}}\n\n',
      ),
      Buffer.from(': a comment ending in a lone CR\r'),
      Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0a]),
      Buffer.from('id: 7\nretry: soon\n\n'),
      Buffer.from('event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"cut mid'),
    ]);
    // Cut where an event would not be, as TCP may deliver it.
    const pieces = [malformed.subarray(0, 50), malformed.subarray(50, 51), malformed.subarray(51)];
    upstream.queue({ kind: 'body', headers: { 'content-type': 'text/event-stream' }, chunks: pieces });
    const response = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: anthropicHeaders,
      body: JSON.stringify({ ...params, stream: true }),
      ...PROMPTLY,
    });
    expect(response.statusCode).toBe(200);
    expect(Buffer.from(await response.body.arrayBuffer()).equals(malformed)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({
      status: 200,
      stream: true,
      error: null,
      inputTokens: null,
      outputTokens: null,
    });

    const stream = anthropic().messages.stream(params);
    expect((await stream.finalMessage()).stop_reason).toBe('end_turn');
  });

  it('cuts the client stream when the upstream resets mid-stream, and records the reset', async () => {
    upstream.script((req) => ({ kind: 'sse', events: anthropicEvents(req), resetAfter: 4 }));
    const stream = anthropic().messages.stream(params);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toThrow();
    expect(seen[0]).toBe('message_start');
    expect(seen).not.toContain('message_stop');
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({
      status: 200,
      error: 'upstream reset',
      stream: true,
      model: 'claude-sonnet-4-6',
    });
    expect(row!.inputTokens).toBeGreaterThan(0);
  });

  it('says the upstream broke off, and records a reset, when a JSON answer read whole is cut mid-body', async () => {
    // With tools in the request the proxy offers headroom_retrieve, so it reads the answer whole before replying.
    const withTools = {
      ...params,
      tools: [{ name: 'Bash', input_schema: { type: 'object' as const, properties: {} } }],
    };
    upstream.script((req) => {
      const reply = answer(req);
      return { ...reply, kind: 'json', body: (reply as { body: unknown }).body, resetAfterBytes: 40 };
    });
    const error = await anthropic()
      .messages.create(withTools)
      .catch((e: unknown) => e);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.message).toContain('broke off its answer');
    expect(apiError.message).not.toContain('cannot reach');
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 502, error: 'upstream reset', stream: false });
  });
});

describe('upstream errors reach the client unchanged', () => {
  it('passes a 500 with its body and headers', async () => {
    const body = { type: 'error', error: { type: 'api_error', message: 'Internal server error' } };
    upstream.queue({ kind: 'json', status: 500, headers: { 'x-upstream-trace': 'abc123' }, body });
    const error = await anthropic()
      .messages.create(params)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(500);
    expect(apiError.error).toEqual(body);
    expect(apiError.headers?.get('x-upstream-trace')).toBe('abc123');
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 500, error: null });
    // No usage in an error: the tokenizer estimate fills in ('List the failing tests.' is 5 tokens).
    expect(row!.estInputTokens).toBe(5);
    expect(totals(await proxy.store.rows()).errors).toBe(1);
  });

  it('passes a 429 with retry-after so the agent backs off as it would without the proxy', async () => {
    const body = {
      error: {
        message: 'Rate limit reached for gpt-4o',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
    upstream.queue({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' },
      body,
    });
    const error = await openai()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('7');
    expect(apiError.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(apiError.error).toEqual(body.error);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 429, provider: 'openai', path: '/v1/chat/completions' });
  });

  it('answers 502 in Anthropic shape, naming the upstream, when it cannot be reached', async () => {
    const port = await closedPort();
    const dead = await startTestProxy(`http://127.0.0.1:${port}`);
    try {
      const error = await anthropic(dead.url)
        .messages.create(params)
        .catch((e: unknown) => e);
      const apiError = error as InstanceType<typeof Anthropic.APIError>;
      expect(apiError.status).toBe(502);
      expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(JSON.stringify(apiError.error)).toContain(`upstream http://127.0.0.1:${port}`);
      const [row] = await waitForRows(dead, 1);
      expect(row).toMatchObject({ status: 502, error: 'upstream unreachable', provider: 'anthropic' });
    } finally {
      await dead.close(0);
    }
  });

  it('keeps a password in the upstream URL out of the error it answers and the lines it logs', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      stream: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const dead = await startTestProxy(`http://gateway:hunter2-pass@127.0.0.1:${port}/v1`, {}, { logger });
    try {
      const error = await openai(dead.url)
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(502);
      expect(apiError.message).toContain(`cannot reach upstream http://gateway:***@127.0.0.1:${port}/v1`);
      await waitForRows(dead, 1);
      expect(lines.join('')).toContain('cannot reach upstream');
      expect(`${apiError.message}${lines.join('')}`).not.toContain('hunter2');
    } finally {
      await dead.close(0);
    }
  });

  it('answers 502 in Anthropic shape naming the upstream when its host does not resolve, and serves the next request', async () => {
    const unresolvable = 'http://headroom-no-such-host.invalid';
    const dead = await startTestProxy(upstream.url, { anthropicUpstream: unresolvable });
    try {
      const claude = new Anthropic({
        apiKey: 'sk-ant-test',
        baseURL: dead.url,
        maxRetries: 0,
        timeout: 15_000,
      });
      const error = await claude.messages.create(params).catch((e: unknown) => e);
      const apiError = error as InstanceType<typeof Anthropic.APIError>;
      expect(apiError.status).toBe(502);
      expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      // ENOTFOUND from a resolver that answers, EAI_AGAIN or the connect timeout from one that does not.
      expect(apiError.message).toMatch(
        /cannot reach upstream http:\/\/headroom-no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT)\)/,
      );
      const [row] = await waitForRows(dead, 1);
      expect(row).toMatchObject({ status: 502, error: 'upstream unreachable', provider: 'anthropic' });

      const completion = await openai(dead.url).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.choices[0]!.message.content).toContain('lockfile');
      expect((await waitForRows(dead, 2))[0]).toMatchObject({ status: 200, provider: 'openai', error: null });
    } finally {
      await dead.close(0);
    }
  });

  it('answers 502 in OpenAI shape when the OpenAI upstream cannot be reached', async () => {
    const port = await closedPort();
    const dead = await startTestProxy(`http://127.0.0.1:${port}`);
    try {
      const response = await request(`${dead.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
      });
      expect(response.statusCode).toBe(502);
      const body = (await response.body.json()) as { error: { message: string; type: string } };
      expect(body.error.message).toMatch(/cannot reach upstream http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      const [row] = await waitForRows(dead, 1);
      expect(row).toMatchObject({ status: 502, error: 'upstream unreachable', provider: 'openai' });
    } finally {
      await dead.close(0);
    }
  });

  it('gives up on an upstream that never sends headers within the timeout, with a 504', async () => {
    const slow = await startTestProxy(upstream.url, {}, { timeouts: { headersMs: 300 } });
    upstream.queue({ kind: 'hang' });
    try {
      const error = await anthropic(slow.url)
        .messages.create(params)
        .catch((e: unknown) => e);
      expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(504);
      const [row] = await waitForRows(slow, 1);
      expect(row).toMatchObject({ status: 504, error: 'upstream timeout' });
    } finally {
      await slow.close(0);
    }
  });

  it('cuts a stream whose upstream goes silent for longer than upstreamIdleMs, and records the timeout', async () => {
    const impatient = await startTestProxy(upstream.url, { upstreamIdleMs: 300 });
    upstream.script((req) => ({
      kind: 'sse',
      events: anthropicEvents(req),
      holdAfter: 3,
      release: new Promise(() => {}),
    }));
    try {
      const seen: string[] = [];
      const started = Date.now();
      await expect(
        (async () => {
          for await (const event of anthropic(impatient.url).messages.stream(params)) seen.push(event.type);
        })(),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
      expect(seen[0]).toBe('message_start');
      expect(seen).not.toContain('message_stop');
      const [row] = await waitForRows(impatient, 1);
      expect(row).toMatchObject({ status: 200, error: 'upstream timeout', stream: true });
    } finally {
      await impatient.close(0);
    }
  });
});

describe('request bodies', () => {
  it('forwards a body that is not JSON byte for byte and lets the upstream judge it', async () => {
    const raw = Buffer.from('{"model": "claude-sonnet-4-6", "messages": [ truncated\u00e9\n', 'utf8');
    upstream.queue({
      kind: 'json',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad json' } },
    });
    const before = upstream.requests.length;
    const response = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: anthropicHeaders,
      body: raw,
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ error: { message: 'bad json' } });
    expect(upstream.requests[before]!.body.equals(raw)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 400, requestBytes: raw.length, estInputTokens: null, error: null });
  });

  it('forwards a 20 MB request intact', async () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    const tooLarge = {
      type: 'error',
      error: { type: 'request_too_large', message: 'Request exceeds the maximum size' },
    };
    upstream.queue({ kind: 'json', status: 413, body: tooLarge });
    const body = Buffer.from(JSON.stringify({ ...params, messages: [{ role: 'user', content: huge }] }));
    const before = upstream.requests.length;
    const error = await anthropic()
      .messages.create({ ...params, messages: [{ role: 'user', content: huge }] })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    const received = upstream.requests[before]!;
    expect(received.body.length).toBe(body.length);
    expect(createHash('sha256').update(received.body).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 413, requestBytes: body.length, model: 'claude-sonnet-4-6' });
    // No usage came back, so the row holds an estimate; over 1 MB it comes from the size, not the tokenizer.
    expect(row!.estInputTokens).toBe(Math.ceil(body.length / 4));
  });

  it('streams a large non-conversation upload through without buffering rules getting in the way', async () => {
    const payload = Buffer.alloc(5 * 1024 * 1024, 7);
    const before = upstream.requests.length;
    const response = await request(`${proxy.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/octet-stream' },
      body: payload,
    });
    await response.body.dump();
    expect(upstream.requests[before]!.body.equals(payload)).toBe(true);
    expect(upstream.requests[before]!.path).toBe('/v1/files');
  });
});
