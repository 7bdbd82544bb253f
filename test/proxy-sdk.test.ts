// The official SDKs, pointed at the proxy, get exactly what they get from the API directly; the API gets
// exactly the bytes and credentials the SDK sent. Compression is off here: this is the relay's contract
// (what the proxy does with compression on is specified in e2e-compression and proxy-retrieve tests).

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import {
  answer,
  type FakeUpstream,
  type ReceivedRequest,
  startFakeUpstream,
} from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile(
  (started) => ({ upstream, proxy } = started),
  { compress: false },
  { resetAfterEach: false },
);

// Headers that legitimately differ per connection (the proxy opens its own to the upstream).
const PER_CONNECTION = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function endToEndHeaders(req: ReceivedRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(req.headers).filter(([name]) => !PER_CONNECTION.has(name)));
}

/** Run `call` once straight at the fake and once through the proxy; return both results and requests. */
async function directAndProxied<T>(call: (baseURL: string) => Promise<T>) {
  const before = upstream.requests.length;
  const direct = await call(upstream.url);
  const proxied = await call(proxy.url);
  const [directReq, proxiedReq] = upstream.requests.slice(before);
  expect(upstream.requests.length - before).toBe(2);
  return { direct, proxied, directReq: directReq!, proxiedReq: proxiedReq! };
}

function expectSameRequest(directReq: ReceivedRequest, proxiedReq: ReceivedRequest) {
  expect(proxiedReq.method).toBe(directReq.method);
  expect(proxiedReq.url).toBe(directReq.url);
  expect(proxiedReq.body.equals(directReq.body)).toBe(true);
  expect(endToEndHeaders(proxiedReq)).toEqual(endToEndHeaders(directReq));
}

const anthropic = (baseURL: string, extra: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) =>
  new Anthropic({ apiKey: 'sk-ant-test-key', baseURL, maxRetries: 0, ...extra });
const openai = (baseURL: string) =>
  new OpenAI({ apiKey: 'sk-test-openai', baseURL: `${baseURL}/v1`, maxRetries: 0 });

const conversation = [
  { role: 'user' as const, content: 'Why does the build fail?' },
  { role: 'assistant' as const, content: 'Let me look at the log.' },
  { role: 'user' as const, content: 'Here it is: error TS2322 in src/index.ts line 4' },
];

describe('Anthropic SDK through the proxy', () => {
  it('gets the same message from messages.create and the API gets identical bytes and auth', async () => {
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied((baseURL) =>
      anthropic(baseURL).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 512,
        messages: conversation,
      }),
    );
    expect(proxied).toEqual(direct);
    expect(proxied.content[0]).toMatchObject({ type: 'text' });
    expectSameRequest(directReq, proxiedReq);
    expect(proxiedReq.headers.authorization).toBe('Bearer sk-ant-test-key');
  });

  it('relays messages.stream event by event, ending in the same final message', async () => {
    const run = async (baseURL: string) => {
      const stream = anthropic(baseURL).messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 512,
        messages: conversation,
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return { events, final: await stream.finalMessage() };
    };
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied(run);
    expect(proxied.events).toEqual(direct.events);
    expect(proxied.final).toEqual(direct.final);
    expect(proxied.events.map((e) => (e as { type: string }).type)).toEqual(
      expect.arrayContaining(['message_start', 'content_block_delta', 'message_delta', 'message_stop']),
    );
    expectSameRequest(directReq, proxiedReq);
  });

  it('relays a streamed tool call with its input intact', async () => {
    upstream.script((req) =>
      answer(req, { toolCall: { name: 'Read', input: { file_path: '/repo/src/index.ts', limit: 2000 } } }),
    );
    try {
      const run = async (baseURL: string) =>
        anthropic(baseURL)
          .messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 512, messages: conversation })
          .finalMessage();
      const { direct, proxied } = await directAndProxied(run);
      expect(proxied).toEqual(direct);
      expect(proxied.stop_reason).toBe('tool_use');
      expect(proxied.content[0]).toMatchObject({
        type: 'tool_use',
        name: 'Read',
        input: { file_path: '/repo/src/index.ts', limit: 2000 },
      });
    } finally {
      upstream.script(undefined);
    }
  });

  it('keeps the beta query string, anthropic-beta and a subscription OAuth token as sent', async () => {
    const client = (baseURL: string) =>
      anthropic(baseURL, {
        apiKey: null,
        authToken: 'sk-ant-oat01-subscription-token',
        defaultHeaders: { 'anthropic-beta': 'oauth-2025-04-20,interleaved-thinking-2025-05-14' },
      });
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied((baseURL) =>
      client(baseURL).beta.messages.create(
        { model: 'claude-opus-4-6', max_tokens: 256, messages: conversation },
        { query: { beta: 'true' } },
      ),
    );
    expect(proxied).toEqual(direct);
    expect(proxiedReq.url).toBe('/v1/messages?beta=true');
    expect(proxiedReq.headers.authorization).toBe('Bearer sk-ant-oat01-subscription-token');
    expect(proxiedReq.headers['anthropic-beta']).toBe('oauth-2025-04-20,interleaved-thinking-2025-05-14');
    expectSameRequest(directReq, proxiedReq);
  });

  it('answers count_tokens and models.list like the API', async () => {
    const counted = await directAndProxied((baseURL) =>
      anthropic(baseURL).messages.countTokens({ model: 'claude-sonnet-4-6', messages: conversation }),
    );
    expect(counted.proxied).toEqual(counted.direct);
    expectSameRequest(counted.directReq, counted.proxiedReq);
    const models = await directAndProxied(async (baseURL) => {
      const page = await anthropic(baseURL).models.list();
      return page.data;
    });
    expect(models.proxied).toEqual(models.direct);
    expect(models.proxied[0]?.id).toBe('claude-sonnet-4-6');
  });
});

describe('OpenAI SDK through the proxy', () => {
  it('gets the same chat completion, and the API gets identical bytes and auth', async () => {
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied((baseURL) =>
      openai(baseURL).chat.completions.create({ model: 'gpt-4o', messages: conversation }),
    );
    expect(proxied).toEqual(direct);
    expectSameRequest(directReq, proxiedReq);
    expect(proxiedReq.url).toBe('/v1/chat/completions');
    expect(proxiedReq.headers.authorization).toBe('Bearer sk-test-openai');
  });

  it('relays a chat stream with include_usage chunk by chunk', async () => {
    const run = async (baseURL: string) => {
      const stream = await openai(baseURL).chat.completions.create({
        model: 'gpt-4o',
        messages: conversation,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    };
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied(run);
    expect(proxied).toEqual(direct);
    expect(proxied.at(-1)?.usage?.completion_tokens).toBe(42);
    expectSameRequest(directReq, proxiedReq);
  });

  it('relays streamed tool-call deltas that reassemble into the same call', async () => {
    upstream.script((req) =>
      answer(req, { toolCall: { name: 'shell', input: { command: ['npm', 'test'] } } }),
    );
    try {
      const run = async (baseURL: string) => {
        const stream = openai(baseURL).chat.completions.stream({
          model: 'gpt-4o',
          messages: conversation,
          tools: [
            {
              type: 'function',
              function: {
                name: 'shell',
                parameters: { type: 'object', properties: { command: { type: 'array' } } },
              },
            },
          ],
        });
        return stream.finalChatCompletion();
      };
      const { direct, proxied } = await directAndProxied(run);
      expect(proxied).toEqual(direct);
      expect(proxied.choices[0]?.message.tool_calls?.[0]).toMatchObject({
        function: { name: 'shell', arguments: '{"command":["npm","test"]}' },
      });
    } finally {
      upstream.script(undefined);
    }
  });

  it('gets the same response from responses.create, streamed and not', async () => {
    const plain = await directAndProxied((baseURL) =>
      openai(baseURL).responses.create({ model: 'gpt-5-codex', input: 'Summarise the failing test.' }),
    );
    expect(plain.proxied).toEqual(plain.direct);
    expect(plain.proxied.output_text).toContain('lockfile');
    expectSameRequest(plain.directReq, plain.proxiedReq);

    const streamed = await directAndProxied(async (baseURL) => {
      const stream = await openai(baseURL).responses.create({
        model: 'gpt-5-codex',
        input: 'Summarise the failing test.',
        stream: true,
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    });
    expect(streamed.proxied).toEqual(streamed.direct);
    expect((streamed.proxied.at(-1) as { type: string }).type).toBe('response.completed');
    expectSameRequest(streamed.directReq, streamed.proxiedReq);
  });

  it('relays a streamed Responses function call', async () => {
    upstream.script((req) =>
      answer(req, { toolCall: { name: 'apply_patch', input: { patch: '*** Begin Patch' } } }),
    );
    try {
      const { direct, proxied } = await directAndProxied(async (baseURL) => {
        const stream = openai(baseURL).responses.stream({ model: 'gpt-5-codex', input: 'Fix it.' });
        return stream.finalResponse();
      });
      expect(proxied).toEqual(direct);
      expect(proxied.output[0]).toMatchObject({ type: 'function_call', name: 'apply_patch' });
    } finally {
      upstream.script(undefined);
    }
  });

  it('lists models like the API', async () => {
    const { direct, proxied } = await directAndProxied(async (baseURL) => {
      const page = await openai(baseURL).models.list();
      return page.data;
    });
    expect(proxied).toEqual(direct);
    expect(proxied.map((m) => m.id)).toContain('gpt-4o');
  });
});

describe('usage recorded from SDK traffic', () => {
  it('records upstream usage from JSON bodies and from each stream format', async () => {
    const fresh = await startFakeUpstream();
    const p = await startTestProxy(fresh.url);
    try {
      fresh.script((req) =>
        answer(req, { usage: { input: 1200, output: 77, cacheRead: 300, cacheWrite: 50 } }),
      );
      await anthropic(p.url).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: conversation,
      });
      await anthropic(p.url)
        .messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: conversation })
        .finalMessage();
      const chat = await openai(p.url).chat.completions.create({
        model: 'gpt-4o',
        messages: conversation,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of chat) {
        // drain
      }
      await openai(p.url)
        .responses.stream({ model: 'gpt-5-codex', input: 'Summarise why the integration tests time out.' })
        .finalResponse();
      const rows = (await waitForRows(p, 4)).reverse();
      expect(rows.map((r) => [r.path, r.stream])).toEqual([
        ['/v1/messages', false],
        ['/v1/messages', true],
        ['/v1/chat/completions', true],
        ['/v1/responses', true],
      ]);
      for (const row of rows.slice(0, 2)) {
        expect(row).toMatchObject({
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          status: 200,
          inputTokens: 1200,
          outputTokens: 77,
          cacheReadTokens: 300,
          cacheWriteTokens: 50,
        });
      }
      // OpenAI counts cached tokens inside prompt tokens; the row separates them as Anthropic does.
      for (const row of rows.slice(2)) {
        expect(row).toMatchObject({
          provider: 'openai',
          status: 200,
          inputTokens: 1200,
          outputTokens: 77,
          cacheReadTokens: 300,
        });
      }
      expect(rows[2]!.model).toBe('gpt-4o');
      expect(rows[3]!.model).toBe('gpt-5-codex');
      for (const row of rows) {
        expect(row.estInputTokens).toBeGreaterThan(5);
        expect(row.tokensBefore).toBe(row.estInputTokens);
        expect(row.tokensAfter).toBe(row.estInputTokens);
        expect(row.latencyMs).toBeGreaterThan(0);
        expect(row.ttfbMs).toBeGreaterThan(0);
        expect(row.requestBytes).toBeGreaterThan(50);
      }
    } finally {
      await p.close(0);
      await fresh.close();
    }
  });
});
