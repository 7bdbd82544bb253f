// Request bodies an agent may send that the compression hook was not written for: tens of thousands of
// messages, nesting deeper than any call stack, block types newer than this proxy, a body sent chunked
// without a length. Each goes upstream whole (compressed where it can be, untouched where it cannot), the
// client gets the upstream's answer, and the row says what happened.

import { connect } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicConversation, openaiResponsesInput, turnsFor } from './helpers/conversation.js';
import type { FakeUpstream, JsonObject, Reply } from './helpers/fake-upstream.js';
import { PROMPTLY, startProxyPerFile, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started));

const anthropicHeaders = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};
// Answers without usage, so the row's token figures are the proxy's own count of what it forwarded.
const rejected: Reply = {
  kind: 'json',
  status: 400,
  body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } },
};
const CLAUDE_TOOLS = [{ name: 'Bash', input_schema: { type: 'object' } }];

/** POST `body` to the proxy at `path`; every case here must be answered promptly. */
async function post(path: string, body: Buffer | string, headers: Record<string, string> = anthropicHeaders) {
  const response = await request(`${proxy.url}${path}`, {
    method: 'POST',
    headers,
    body,
    ...PROMPTLY,
  });
  return { status: response.statusCode, body: (await response.body.json()) as JsonObject };
}

describe('bodies the hook was not written for', () => {
  it('forwards a conversation of 200,000 messages byte for byte and records it', async () => {
    const messages = Array.from({ length: 200_000 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: `step ${i}: ran the suite again`,
    }));
    const body = Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages }));
    const before = upstream.requests.length;
    const answer = await post('/v1/messages', body);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ type: 'message', role: 'assistant' });
    expect(upstream.requests[before]!.body.equals(body)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, requestBytes: body.length, error: null, compressError: null });
  });

  it('forwards a body nested 100,000 deep as sent, says why, and counts it and the next one from their text', async () => {
    const depth = 100_000;
    const nested = `${'['.repeat(depth)}"the needle"${']'.repeat(depth)}`;
    const body = Buffer.from(
      `{"model":"claude-sonnet-4-6","max_tokens":64,"tools":${JSON.stringify(CLAUDE_TOOLS)},"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":${nested}}]}]}`,
    );
    upstream.queue(rejected, rejected);
    const before = upstream.requests.length;
    const answer = await post('/v1/messages', body);
    expect(answer).toEqual({ status: 400, body: rejected.kind === 'json' ? rejected.body : {} });
    expect(upstream.requests[before]!.body.equals(body)).toBe(true);
    const [deep] = await waitForRows(proxy, 1);
    expect(deep).toMatchObject({
      status: 400,
      requestBytes: body.length,
      compressError: 'the request body nests too deep to compress; forwarded as sent',
    });
    // Counted from its two strings, not estimated from its 400 KB of brackets.
    expect(deep!.estInputTokens).toBeLessThan(20);

    // The next request is served and counted as any other ('List the failing tests.' is 5 tokens).
    const next = await post(
      '/v1/messages',
      JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'List the failing tests.' }],
      }),
    );
    expect(next.status).toBe(400);
    const [latest] = await waitForRows(proxy, 2);
    expect(latest).toMatchObject({ status: 400, estInputTokens: 5, compressError: null });
  });
});

describe('block types newer than this proxy', () => {
  const log = realOutput('log-express-debug');

  it('keeps unknown Anthropic blocks and fields where they were while it compresses the tool output beside them', async () => {
    const unknownInUser = { type: 'x_voice_note', transcript: 'check the logs', duration_ms: 1200 };
    const unknownInAssistant = { type: 'x_plan', steps: [{ id: 1, text: 'read the log' }] };
    const unknownInResult = { type: 'x_chart', series: [3, 1, 4, 1, 5], unit: 'ms' };
    const messages = anthropicConversation(turnsFor([log])) as JsonObject[];
    (messages[0] as JsonObject).content = [{ type: 'text', text: log.question }, unknownInUser];
    ((messages[1] as JsonObject).content as unknown[]).unshift(unknownInAssistant);
    const result = ((messages[2] as JsonObject).content as JsonObject[])[0]!;
    result.content = [{ type: 'text', text: log.text }, unknownInResult];
    const sent = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      x_future_option: { mode: 'thorough' },
      tools: CLAUDE_TOOLS,
      messages,
    };
    const before = upstream.requests.length;
    expect((await post('/v1/messages', JSON.stringify(sent))).status).toBe(200);

    const forwarded = upstream.requests[before]!.json();
    const out = forwarded.messages as JsonObject[];
    expect(JSON.stringify(forwarded.x_future_option)).toBe(JSON.stringify(sent.x_future_option));
    expect(JSON.stringify((out[0]!.content as unknown[])[1])).toBe(JSON.stringify(unknownInUser));
    expect(JSON.stringify((out[1]!.content as unknown[])[0])).toBe(JSON.stringify(unknownInAssistant));
    const parts = (out[2]!.content as JsonObject[])[0]!.content as JsonObject[];
    expect(JSON.stringify(parts[1])).toBe(JSON.stringify(unknownInResult));
    // The log beside them was compressed, and says where its original is.
    expect(String(parts[0]!.text).length).toBeLessThan(log.text.length);
    expect(String(parts[0]!.text)).toMatch(/headroom_retrieve id=hr_[0-9a-f]{12}/);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, compressError: null });
    expect(row!.tokensAfter).toBeLessThan(row!.tokensBefore!);
  });

  it('keeps unknown Responses input items where they were while it compresses the call output beside them', async () => {
    const unknownItem = { type: 'x_local_shell_snapshot', id: 'snap_1', files: ['a.ts', 'b.ts'] };
    const input = openaiResponsesInput(turnsFor([log]));
    input.splice(1, 0, unknownItem);
    const sent = {
      model: 'gpt-5-codex',
      tools: [{ type: 'function', name: 'shell', parameters: {} }],
      input,
    };
    const before = upstream.requests.length;
    const headers = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
    expect((await post('/v1/responses', JSON.stringify(sent), headers)).status).toBe(200);

    const items = upstream.requests[before]!.json().input as JsonObject[];
    expect(items).toHaveLength(input.length);
    expect(JSON.stringify(items[1])).toBe(JSON.stringify(unknownItem));
    const output = items.find((item) => item.type === 'function_call_output')!;
    expect(String(output.output).length).toBeLessThan(log.text.length);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, provider: 'openai', compressError: null });
  });
});

/**
 * Send `body` over a raw connection with `transfer-encoding: chunked` and no content-length, in pieces a
 * moment apart as a client streaming its upload does; resolves with the status line's code.
 */
function postChunked(path: string, body: Buffer, pieces = 5): Promise<number> {
  const { port } = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('connect', async () => {
      const head = Object.entries(anthropicHeaders).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ntransfer-encoding: chunked\r\n${head.join('')}\r\n`,
      );
      const size = Math.ceil(body.length / pieces);
      for (let at = 0; at < body.length; at += size) {
        const piece = body.subarray(at, at + size);
        socket.write(`${piece.length.toString(16)}\r\n`);
        socket.write(piece);
        socket.write('\r\n');
        await new Promise((done) => setTimeout(done, 20));
      }
      socket.write('0\r\n\r\n');
    });
  });
}

describe('a body sent chunked, without content-length', () => {
  it('is compressed exactly as the same body sent with a length, and forwarded with its new length', async () => {
    const log = realOutput('log-express-debug');
    const body = Buffer.from(
      JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        tools: CLAUDE_TOOLS,
        messages: anthropicConversation(turnsFor([log])),
      }),
    );
    const before = upstream.requests.length;
    expect((await post('/v1/messages', body)).status).toBe(200);
    expect(await postChunked('/v1/messages', body)).toBe(200);

    const [withLength, chunked] = upstream.requests.slice(before);
    expect(withLength!.body.length).toBeLessThan(body.length);
    expect(chunked!.body.equals(withLength!.body)).toBe(true);
    expect(chunked!.headers['content-length']).toBe(String(chunked!.body.length));
    expect(chunked!.headers['transfer-encoding']).toBeUndefined();
    const rows = await waitForRows(proxy, 2);
    for (const row of rows) expect(row).toMatchObject({ status: 200, requestBytes: body.length });
    expect(rows[0]!.transforms).toEqual(rows[1]!.transforms);
  });
});
