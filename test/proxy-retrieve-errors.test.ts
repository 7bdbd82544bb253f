// An upstream that fails a request the proxy offered headroom_retrieve in. A refused continuation round (a
// rate limit, a server error) or one whose body nobody can read reaches the client, through its official SDK,
// as it would without the proxy (the status, the body and retry-after of a JSON answer; the API's own error
// event in a stream whose head went out with the first round), never an empty answer that reads as a success.
// A stream the upstream ends early stays visibly cut short: no closing events are made up, nothing is glued
// onto a line the upstream left unterminated, and the SDK reports the answer incomplete.

import Anthropic from '@anthropic-ai/sdk';
import { type ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { answer, type FakeUpstream, type ReceivedRequest, type Reply } from './helpers/fake-upstream.js';
import { startProxyPerFile, waitForRows } from './helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const QUESTION = 'Why does the nightly build fail?';
const RETRIEVE = { id: 'call_hr_0001', name: 'headroom_retrieve', input: { id: 'hr_000000000000' } };
const FIRST_WORDS = 'Let me read the full build log.';
const RATE_LIMITED = 'Rate limit reached for requests. Please try again in 7s.';

/** What a client made of its call: the error it raised (undefined when it saw a success), and its text. */
interface Outcome {
  error: unknown;
  text: string;
}

/** Run `call`, collecting the text it streams through `onText`. */
async function outcomeOf(call: (onText: (text: string) => void) => Promise<unknown>): Promise<Outcome> {
  let text = '';
  const error = await call((piece) => {
    text += piece;
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, text };
}

const claude = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
const gemini = () => new GoogleGenAI({ apiKey: 'AIza-test', httpOptions: { baseUrl: proxy.url } });

const anthropicParams: Anthropic.MessageCreateParamsNonStreaming = {
  model: 'claude-sonnet-4-6',
  max_tokens: 1024,
  tools: [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
  messages: [{ role: 'user', content: QUESTION }],
};
const chatParams: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
  model: 'gpt-4o',
  tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }],
  messages: [{ role: 'user', content: QUESTION }],
};
const responsesParams: OpenAI.Responses.ResponseCreateParamsNonStreaming = {
  model: 'gpt-5-codex',
  tools: [{ type: 'function', name: 'shell', strict: false, parameters: { type: 'object' } }],
  input: [{ role: 'user', content: QUESTION }],
};
const geminiParams = {
  model: 'gemini-2.5-pro',
  contents: [{ role: 'user', parts: [{ text: QUESTION }] }],
  config: {
    tools: [
      { functionDeclarations: [{ name: 'run_shell_command', parametersJsonSchema: { type: 'object' } }] },
    ],
  },
};

/** An API as its SDK meets it: its error answer's shape, a JSON call and a streamed call. */
interface Api {
  name: string;
  /** The upstream's error body for `status`, in this API's shape. */
  errorBody(status: number, message: string): unknown;
  create(): Promise<Outcome>;
  stream(): Promise<Outcome>;
  /** The status and message of the error the SDK raised or the streamed answer reported. */
  reported(error: unknown): { status?: number; message: string; type?: string };
  /** The streamed call as raw HTTP, for what the client's bytes hold. */
  raw: { path: string; headers: Record<string, string>; body: unknown };
  /** What only the API's own end of an answer carries (its closing events). */
  closing: RegExp;
}

const openaiError = (status: number, message: string) => ({
  error: {
    message,
    type: status === 429 ? 'requests' : 'server_error',
    param: null,
    code: status === 429 ? 'rate_limit_exceeded' : null,
  },
});

const APIS: Api[] = [
  {
    name: 'Anthropic Messages',
    errorBody: (status, message) => ({
      type: 'error',
      error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message },
    }),
    create: () => outcomeOf(() => claude().messages.create(anthropicParams)),
    stream: () =>
      outcomeOf(async (onText) => {
        const stream = claude().messages.stream(anthropicParams);
        stream.on('text', onText);
        await stream.finalMessage();
      }),
    reported: (error) => {
      const apiError = error as InstanceType<typeof Anthropic.APIError>;
      const body = apiError.error as { error?: { type?: string; message?: string } } | undefined;
      return { status: apiError.status, message: body?.error?.message ?? '', type: body?.error?.type };
    },
    raw: {
      path: '/v1/messages',
      headers: { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: { ...anthropicParams, stream: true },
    },
    closing: /message_delta|message_stop/,
  },
  {
    name: 'OpenAI Chat Completions',
    errorBody: openaiError,
    create: () => outcomeOf(() => openai().chat.completions.create(chatParams)),
    stream: () =>
      outcomeOf(async (onText) => {
        const chunks = await openai().chat.completions.create({ ...chatParams, stream: true });
        for await (const chunk of chunks) onText(chunk.choices[0]?.delta.content ?? '');
      }),
    reported: (error) => {
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      const body = apiError.error as { message?: string; code?: string } | undefined;
      return { status: apiError.status, message: body?.message ?? '', type: body?.code };
    },
    raw: {
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test' },
      body: { ...chatParams, stream: true },
    },
    closing: /\[DONE\]|"finish_reason":"/,
  },
  {
    name: 'OpenAI Responses',
    errorBody: openaiError,
    create: () => outcomeOf(() => openai().responses.create(responsesParams)),
    // Responses ends a streamed response it could not finish with response.failed, which the SDK yields.
    stream: () =>
      outcomeOf(async (onText) => {
        const events = await openai().responses.create({ ...responsesParams, stream: true });
        let failed: OpenAI.Responses.ResponseError | null | undefined;
        for await (const event of events) {
          if (event.type === 'response.output_text.delta') onText(event.delta);
          if (event.type === 'response.failed') failed = event.response.error;
        }
        if (failed) throw failed;
      }),
    reported: (error) => {
      if (error instanceof OpenAI.APIError) {
        const body = error.error as { message?: string; code?: string } | undefined;
        return { status: error.status, message: body?.message ?? '', type: body?.code };
      }
      const failed = error as OpenAI.Responses.ResponseError;
      return { message: failed.message, type: failed.code };
    },
    raw: {
      path: '/v1/responses',
      headers: { authorization: 'Bearer sk-test' },
      body: { ...responsesParams, stream: true },
    },
    closing: /response\.(completed|incomplete)/,
  },
  {
    name: 'Gemini generateContent',
    errorBody: (status, message) => ({
      error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' },
    }),
    create: () => outcomeOf(() => gemini().models.generateContent(geminiParams)),
    stream: () =>
      outcomeOf(async (onText) => {
        for await (const chunk of await gemini().models.generateContentStream(geminiParams))
          onText(chunk.text ?? '');
      }),
    // The SDK's message reads `got status: RESOURCE_EXHAUSTED. {the error chunk}`.
    reported: (error) => {
      const { status, message } = error as ApiError;
      return { status, message, type: /got status: (\w+)/.exec(message)?.[1] };
    },
    raw: {
      path: `/v1beta/models/${geminiParams.model}:streamGenerateContent?alt=sse`,
      headers: { 'x-goog-api-key': 'AIza-test' },
      body: {
        contents: geminiParams.contents,
        tools: [{ functionDeclarations: [{ name: 'run_shell_command', parameters: { type: 'object' } }] }],
      },
    },
    closing: /"finishReason"/,
  },
];

/** Round 1 says a few words and calls headroom_retrieve; the round continuing the turn gets `reply`. */
function scriptContinuation(reply: Reply) {
  upstream.script((req) =>
    req.body.includes('"call_hr_0001"') ? reply : answer(req, { text: FIRST_WORDS, toolCall: RETRIEVE }),
  );
}

describe.each(APIS)('$name: a continuation round the upstream refuses', (api) => {
  const statuses: { status: number; message: string; headers: Record<string, string> }[] = [
    { status: 429, message: RATE_LIMITED, headers: { 'retry-after': '7' } },
    { status: 500, message: 'The server had an error processing your request.', headers: {} },
  ];

  it.each(statuses)(
    'answers a JSON call with the upstream’s $status, its body and its headers',
    async ({ status, message, headers }) => {
      const sent = api.errorBody(status, message);
      scriptContinuation({ kind: 'json', status, headers, body: sent });
      const { error } = await api.create();
      expect(error).toBeDefined();
      expect(api.reported(error)).toMatchObject({ status, message: expect.stringContaining(message) });
      // The SDK reads the upstream's own error body, and the headers an agent backs off by.
      if (error instanceof Anthropic.APIError) expect(error.error).toEqual(sent);
      if (error instanceof OpenAI.APIError) expect(error.error).toEqual((sent as { error: unknown }).error);
      if (error instanceof Anthropic.APIError || error instanceof OpenAI.APIError) {
        for (const [name, value] of Object.entries(headers)) expect(error.headers?.get(name)).toBe(value);
      }
      const [row] = await waitForRows(proxy, 1);
      expect(row).toMatchObject({ status, retrievals: 1 });
      // The round that called headroom_retrieve was answered and billed: its usage stays on the row.
      expect(row!.inputTokens).toBeGreaterThan(0);
      expect(row!.outputTokens).toBeGreaterThan(0);
    },
  );

  it.each(statuses)(
    'ends a stream with the API’s own error event carrying the upstream’s $status error',
    async ({ status, message }) => {
      scriptContinuation({ kind: 'json', status, body: api.errorBody(status, message) });
      const { error, text } = await api.stream();
      expect(error).toBeDefined();
      const reported = api.reported(error);
      expect(reported.message).toContain(message);
      // Mid-stream errors carry no HTTP status, but for Gemini's, whose SDK needs the code in the chunk.
      if (reported.status !== undefined) expect(reported.status).toBe(status);
      if (status === 429) expect(reported.type).toMatch(/rate_limit|RESOURCE_EXHAUSTED/);
      expect(text).toBe(FIRST_WORDS);
      const [row] = await waitForRows(proxy, 1);
      expect(row).toMatchObject({ status, retrievals: 1, stream: true });
    },
  );

  it('answers a JSON call whose continuation came back unreadable with a 502 saying so', async () => {
    scriptContinuation({ kind: 'json', body: '{"id": "msg_01' });
    const { error } = await api.create();
    expect(error).toBeDefined();
    const reported = api.reported(error);
    expect(reported.status).toBe(502);
    expect(reported.message).toContain('headroom');
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 502, error: 'upstream malformed answer', retrievals: 1 });
    expect(row!.inputTokens).toBeGreaterThan(0);
  });

  it('ends a stream whose continuation came back as no event stream with an error event', async () => {
    scriptContinuation({
      kind: 'json',
      body: '<html><body>502 Bad Gateway</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const { error, text } = await api.stream();
    expect(error).toBeDefined();
    expect(api.reported(error).message).toContain('headroom');
    expect(text).toBe(FIRST_WORDS);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 502, error: 'upstream malformed answer', retrievals: 1 });
  });
});

const ANSWER =
  'The lockfile pins an old compiler, so the nightly build fails; update it and rerun the tests.';
const CUT_SHORT = 'ended its stream before the answer was complete';

/**
 * The upstream's stream of `text` for `req`, ending cleanly a few events in, before the API's own end of an
 * answer; with `cutLine`, the next event follows without its blank line, cut off mid-line.
 */
function cutShort(req: ReceivedRequest, text: string, cutLine = false): Reply {
  const reply = answer(req, { text });
  if (reply.kind !== 'sse') throw new Error(`expected a stream for ${req.path}`);
  const kept = Math.min(5, reply.events.length - 1);
  const next = reply.events[kept]!;
  const trailer = `${next.event ? `event: ${next.event}\n` : ''}data: ${JSON.stringify(next.data).slice(0, 24)}`;
  return { ...reply, events: reply.events.slice(0, kept), ...(cutLine ? { trailer } : {}) };
}

/** The client's bytes of a streamed call, as raw HTTP. */
async function rawStream(api: Api): Promise<string> {
  const response = await request(`${proxy.url}${api.raw.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...api.raw.headers },
    body: JSON.stringify(api.raw.body),
  });
  expect(response.statusCode).toBe(200);
  return response.body.text();
}

/** The data of each event in `stream`, which must consist of whole events only. */
function eventsOf(stream: string): string[] {
  expect(stream).toMatch(/(\r?\n){2}$/);
  return stream
    .split(/\r?\n\r?\n/)
    .filter(Boolean)
    .map((block) => {
      const data = block
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (data !== '[DONE]') expect(() => JSON.parse(data)).not.toThrow();
      return data;
    });
}

describe.each(APIS)('$name: a stream the upstream ends early', (api) => {
  it('stays visibly cut short when the answer stops before its end', async () => {
    upstream.script((req) => cutShort(req, ANSWER));
    const { error, text } = await api.stream();
    expect(error).toBeDefined();
    expect(api.reported(error).message).toContain(CUT_SHORT);
    expect(text.length).toBeGreaterThan(0);
    expect(ANSWER.startsWith(text)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ error: 'upstream truncated', stream: true });
  });

  it('stays visibly cut short when the round after headroom_retrieve stops before its end', async () => {
    upstream.script((req) =>
      req.body.includes('"call_hr_0001"')
        ? cutShort(req, ANSWER)
        : answer(req, { text: FIRST_WORDS, toolCall: RETRIEVE }),
    );
    const { error, text } = await api.stream();
    expect(error).toBeDefined();
    expect(api.reported(error).message).toContain(CUT_SHORT);
    expect(text.startsWith(FIRST_WORDS)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ error: 'upstream truncated', retrievals: 1 });
  });

  it('makes up no closing events and writes nothing onto a line the upstream cut off', async () => {
    upstream.script((req) => cutShort(req, ANSWER, true));
    const stream = await rawStream(api);
    expect(stream).not.toMatch(api.closing);
    const events = eventsOf(stream);
    expect(events.at(-1)).toContain(CUT_SHORT);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ error: 'upstream truncated' });
  });
});
