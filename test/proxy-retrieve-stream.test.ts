// Streams of requests where the proxy offered headroom_retrieve: an answer that never calls it reaches the
// client byte for byte as the upstream sent it, and a continuation that breaks off ends the client's stream
// with an error its SDK reports in words, instead of a dropped connection.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { answer, type FakeUpstream, type ReceivedRequest, type Reply } from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const QUESTION = 'Why does the nightly build fail?';

/** A streamed agent request with a tool of its own, so the proxy offers headroom_retrieve beside it. */
const STREAMED: { name: string; path: string; body: Record<string, unknown> }[] = [
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    body: {
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      stream: true,
      tools: [
        { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
      ],
      messages: [{ role: 'user', content: QUESTION }],
    },
  },
  {
    name: 'OpenAI Chat Completions',
    path: '/v1/chat/completions',
    body: {
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }],
      messages: [{ role: 'user', content: QUESTION }],
    },
  },
  {
    name: 'OpenAI Responses',
    path: '/v1/responses',
    body: {
      model: 'gpt-5-codex',
      stream: true,
      tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' } }],
      input: [{ role: 'user', content: QUESTION }],
    },
  },
];

async function post(base: string, path: string, body: unknown): Promise<Buffer> {
  const auth = path.endsWith('/messages')
    ? { 'x-api-key': 'sk-ant-test' }
    : { authorization: 'Bearer sk-test' };
  const response = await request(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
  expect(response.statusCode).toBe(200);
  return Buffer.from(await response.body.arrayBuffer());
}

describe('an answer without headroom_retrieve', () => {
  it.each(STREAMED)(
    '$name: reaches the client byte for byte as the upstream streamed it',
    async ({ path, body }) => {
      let reply: Reply | undefined;
      upstream.script((req) => {
        reply ??= answer(req, { text: 'The lockfile pins an old compiler; update it and rerun.' });
        return reply;
      });
      const before = upstream.requests.length;
      const proxied = await post(proxy.url, path, body);
      // The proxy did offer the tool: this answer went through the retrieve loop's reader.
      expect(upstream.requests[before]!.body.toString('utf8')).toContain('headroom_retrieve');
      const direct = await post(upstream.url, path, body);
      expect(proxied.toString('utf8')).toContain('lockfile');
      expect(proxied.equals(direct)).toBe(true);
    },
  );
});

const RETRIEVE = { id: 'call_hr_0001', name: 'headroom_retrieve', input: { id: 'hr_000000000000' } };
const FIRST_WORDS = 'The build log shows';

/** Round 1 calls headroom_retrieve; round 2 starts its answer, then the upstream's connection drops. */
function scriptBrokenContinuation() {
  upstream.script((req: ReceivedRequest) => {
    if (!req.body.toString('utf8').includes('"call_hr_0001"')) return answer(req, { toolCall: RETRIEVE });
    const reply = answer(req, { text: `${FIRST_WORDS} an out-of-memory kill in the reducer step.` });
    // Past the opening events and the first few words.
    return reply.kind === 'sse' ? { ...reply, resetAfter: 7 } : reply;
  });
}

const claude = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });

describe('a continuation round that breaks off mid-stream', () => {
  it('Anthropic: the SDK gets the words so far, then an api_error saying the answer is incomplete', async () => {
    scriptBrokenContinuation();
    const stream = claude().messages.stream(STREAMED[0]!.body as unknown as Anthropic.MessageCreateParams);
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('api_error');
    expect((error as Error).message).toContain('the answer is incomplete');
    expect(text.startsWith('The build')).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, error: 'upstream reset', retrievals: 1 });
  });

  it('OpenAI Chat Completions: iterating the stream throws an APIError with the reason', async () => {
    scriptBrokenContinuation();
    const chunks = await openai().chat.completions.create({
      ...(STREAMED[1]!.body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming),
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('the answer is incomplete');
    expect(text.startsWith('The build')).toBe(true);
    expect(text).not.toContain('reducer');
  });

  it('OpenAI Responses: the stream ends with response.failed carrying the reason', async () => {
    scriptBrokenContinuation();
    const stream = await openai().responses.create({
      ...(STREAMED[2]!.body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming),
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    if (last?.type !== 'response.failed') return;
    expect(last.response.status).toBe('failed');
    expect(last.response.error?.message).toContain('the answer is incomplete');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(JSON.stringify(events)).not.toContain('headroom_retrieve');
  });
});

describe('a continuation round that goes silent mid-stream', () => {
  it('ends the stream with an error saying so once the idle timeout passes, and records a timeout', async () => {
    const impatient = await startTestProxy(upstream.url, { upstreamIdleMs: 300 });
    upstream.script((req: ReceivedRequest) => {
      if (!req.body.toString('utf8').includes('"call_hr_0001"')) return answer(req, { toolCall: RETRIEVE });
      const reply = answer(req, { text: `${FIRST_WORDS} an out-of-memory kill in the reducer step.` });
      return reply.kind === 'sse' ? { ...reply, holdAfter: 7, release: new Promise(() => {}) } : reply;
    });
    try {
      const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: impatient.url, maxRetries: 0 });
      const stream = client.messages.stream(STREAMED[0]!.body as unknown as Anthropic.MessageCreateParams);
      const error = await stream.finalMessage().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as Error).message).toContain('went silent');
      expect((error as Error).message).toContain('the answer is incomplete');
      const [row] = await waitForRows(impatient, 1);
      expect(row).toMatchObject({ status: 200, error: 'upstream timeout', retrievals: 1 });
    } finally {
      await impatient.close(0);
    }
  });
});
