// Google's official SDK, pointed at the proxy, gets exactly what it gets from the Gemini API directly: the API
// gets the same bytes, api key and query string, usage lands in the stats row, and errors keep Google's shape.
// Compression is off here: this is the relay's contract for Gemini (see proxy-gemini-compression tests).

import { ApiError, type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import {
  answer,
  type FakeUpstream,
  geminiError,
  type ReceivedRequest,
  startFakeUpstream,
} from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';

const API_KEY = 'AIza-test-gemini-key-000';
const MODEL = 'gemini-2.5-pro';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started), { compress: false });

const gemini = (baseUrl: string) => new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl } });

const PER_CONNECTION = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** What a caller can observe of a response: everything but the HTTP headers (dates differ per response). */
function observed(response: GenerateContentResponse): unknown {
  const { sdkHttpResponse: _http, ...rest } = response;
  return JSON.parse(JSON.stringify(rest));
}

/** Run `call` once straight at the fake and once through the proxy; return both results and requests. */
async function directAndProxied<T>(call: (baseUrl: string) => Promise<T>) {
  const before = upstream.requests.length;
  const direct = await call(upstream.url);
  const proxied = await call(proxy.url);
  expect(upstream.requests.length - before).toBe(2);
  const [directReq, proxiedReq] = upstream.requests.slice(before) as [ReceivedRequest, ReceivedRequest];
  return { direct, proxied, directReq, proxiedReq };
}

function expectSameRequest(directReq: ReceivedRequest, proxiedReq: ReceivedRequest) {
  const endToEnd = (req: ReceivedRequest) =>
    Object.fromEntries(Object.entries(req.headers).filter(([name]) => !PER_CONNECTION.has(name)));
  expect(proxiedReq.method).toBe(directReq.method);
  expect(proxiedReq.url).toBe(directReq.url);
  expect(proxiedReq.body.equals(directReq.body)).toBe(true);
  expect(endToEnd(proxiedReq)).toEqual(endToEnd(directReq));
}

const contents = [
  { role: 'user', parts: [{ text: 'Why does the build fail?' }] },
  { role: 'model', parts: [{ text: 'Let me look at the log.' }] },
  { role: 'user', parts: [{ text: 'Here it is: error TS2322 in src/index.ts line 4' }] },
];

async function collect(stream: AsyncGenerator<GenerateContentResponse>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(observed(chunk));
  return chunks;
}

describe('Google GenAI SDK through the proxy', () => {
  it('gets the same answer from generateContent, and the API gets identical bytes and the api key', async () => {
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied((baseUrl) =>
      gemini(baseUrl).models.generateContent({ model: MODEL, contents }),
    );
    expect(observed(proxied)).toEqual(observed(direct));
    expect(proxied.text).toContain('lockfile');
    expectSameRequest(directReq, proxiedReq);
    expect(proxiedReq.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(proxiedReq.headers['x-goog-api-key']).toBe(API_KEY);
  });

  it('relays generateContentStream chunk by chunk with ?alt=sse forwarded', async () => {
    const { direct, proxied, directReq, proxiedReq } = await directAndProxied((baseUrl) =>
      gemini(baseUrl).models.generateContentStream({ model: MODEL, contents }).then(collect),
    );
    expect(proxied).toEqual(direct);
    expect(proxied.length).toBeGreaterThan(3);
    expect(proxied.at(-1)).toMatchObject({
      candidates: [{ finishReason: 'STOP' }],
      usageMetadata: { candidatesTokenCount: 42 },
    });
    expectSameRequest(directReq, proxiedReq);
    expect(proxiedReq.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
  });

  it('relays a function call the model makes, args intact, streamed and not', async () => {
    upstream.script((req) =>
      answer(req, { toolCall: { name: 'run_shell_command', input: { command: 'npm test', dir_path: '.' } } }),
    );
    const tools = [
      {
        functionDeclarations: [
          {
            name: 'run_shell_command',
            description: 'Run a shell command',
            parametersJsonSchema: { type: 'object', properties: { command: { type: 'string' } } },
          },
        ],
      },
    ];
    const plain = await directAndProxied((baseUrl) =>
      gemini(baseUrl).models.generateContent({ model: MODEL, contents, config: { tools } }),
    );
    expect(observed(plain.proxied)).toEqual(observed(plain.direct));
    expect(plain.proxied.functionCalls).toEqual([
      { name: 'run_shell_command', args: { command: 'npm test', dir_path: '.' } },
    ]);
    const streamed = await directAndProxied((baseUrl) =>
      gemini(baseUrl)
        .models.generateContentStream({ model: MODEL, contents, config: { tools } })
        .then(collect),
    );
    expect(streamed.proxied).toEqual(streamed.direct);
    expectSameRequest(streamed.directReq, streamed.proxiedReq);
  });

  it('relays the JSON-array stream (no alt=sse) byte for byte', async () => {
    const path = `/v1beta/models/${MODEL}:streamGenerateContent`;
    const send = (base: string) =>
      request(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': API_KEY },
        body: JSON.stringify({ contents }),
      }).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    const { direct, proxied, proxiedReq } = await directAndProxied(send);
    expect(proxied).toEqual(direct);
    expect(proxied.body.startsWith('[{"candidates"')).toBe(true);
    expect(proxiedReq.url).toBe(path);
  });

  it('records input, output and cached tokens and the model of the path in the stats row', async () => {
    upstream.script((req) => answer(req, { usage: { input: 1200, cacheRead: 800, output: 64 } }));
    await gemini(proxy.url).models.generateContent({ model: 'gemini-2.5-flash', contents });
    const streamed = await gemini(proxy.url)
      .models.generateContentStream({ model: 'gemini-2.5-flash', contents })
      .then(collect);
    expect(streamed.length).toBeGreaterThan(1);
    const rows = await waitForRows(proxy, 2);
    for (const row of rows) {
      expect(row).toMatchObject({
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        status: 200,
        inputTokens: 1200,
        cacheReadTokens: 800,
        outputTokens: 64,
      });
    }
    expect(rows.map((r) => r.stream).sort()).toEqual([false, true]);
  });

  it('forwards a ?key= query string untouched and keeps it out of the stats', async () => {
    const path = `/v1beta/models/${MODEL}:generateContent?key=${API_KEY}`;
    const response = await request(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents }),
    });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(upstream.requests.at(-1)?.url).toBe(path);
    const [row] = await waitForRows(proxy, 1);
    expect(row?.provider).toBe('gemini');
    expect(JSON.stringify(row)).not.toContain(API_KEY);
  });

  it('passes upstream errors through with their status and Google error body, the model still recorded', async () => {
    for (const [code, status] of [
      [400, 'INVALID_ARGUMENT'],
      [429, 'RESOURCE_EXHAUSTED'],
      [503, 'UNAVAILABLE'],
    ] as const) {
      upstream.script(() => geminiError(code, status, `fake ${status}`));
      const failure = (baseUrl: string) =>
        gemini(baseUrl)
          .models.generateContent({ model: MODEL, contents })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
      const { direct, proxied } = await directAndProxied(failure);
      expect(proxied).toBeInstanceOf(ApiError);
      expect((proxied as ApiError).status).toBe(code);
      expect((proxied as ApiError).message).toBe((direct as ApiError).message);
      expect(JSON.parse((proxied as ApiError).message)).toEqual({
        error: { code, message: `fake ${status}`, status },
      });
    }
    // No usage comes back with an error: the model is the one the path names.
    const rows = await waitForRows(proxy, 3);
    expect(rows.map((r) => [r.status, r.model])).toEqual(
      expect.arrayContaining([
        [400, MODEL],
        [429, MODEL],
        [503, MODEL],
      ]),
    );
  });

  it('answers 502 in Google’s error shape when the upstream cannot be reached', async () => {
    const closed = await startFakeUpstream();
    await closed.close();
    const orphan = await startTestProxy(closed.url, { compress: false });
    try {
      const error = await gemini(orphan.url)
        .models.generateContentStream({ model: MODEL, contents })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(502);
      const body = JSON.parse((error as ApiError).message) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 502, status: 'UNAVAILABLE' });
      expect(String(body.error.message)).toMatch(/^headroom: cannot reach upstream/);
    } finally {
      await orphan.close(0);
    }
  });
});
