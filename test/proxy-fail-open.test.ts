// Compression never costs a request: past its time fail-safe the rest of the request goes out as the agent
// wrote it (and does on every later request, by every proxy sharing the store), a body the engine cannot read
// goes out byte for byte, and the stats row says what happened.

import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import type { FakeUpstream } from './helpers/fake-upstream.js';
import { startProxyPerFile, startTestProxy, waitForRows } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;
startProxyPerFile((started) => ({ upstream, proxy } = started), { budgetMs: 0 }, { resetAfterEach: false });

const headers = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};

describe('compression failing open', () => {
  it('sends the tool outputs it had no time left for as they were, and records the overrun', async () => {
    const items = ['log-express-debug', 'json-npm-explain-debug', 'log-npm-ci-offline'].map(realOutput);
    const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 });
    const message = await claude.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      messages: anthropicConversation(turnsFor(items)) as Anthropic.MessageParam[],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });

    const forwarded = JSON.stringify(upstream.requests.at(-1)!.json());
    // The first output used the whole (zero) budget; the ones after it arrive whole.
    expect(forwarded).toContain(JSON.stringify(items[1]!.text));
    expect(forwarded).toContain(JSON.stringify(items[2]!.text));
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, error: null });
    expect(row!.compressError).toMatch(/took over 0 ms: 2 tool output\(s\) sent whole, and kept so/);

    // A proxy started later on the same store, with all the time in the world, sends the same bytes:
    // the provider has that prefix cached.
    const restarted = await startTestProxy(upstream.url, { cacheDir: dirname(proxy.originals!.location) });
    try {
      const again = new Anthropic({ apiKey: 'sk-ant-test', baseURL: restarted.url, maxRetries: 0 });
      await again.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        messages: anthropicConversation(turnsFor(items)) as Anthropic.MessageParam[],
      });
      expect(JSON.stringify(upstream.requests.at(-1)!.json())).toBe(forwarded);
    } finally {
      await restarted.close(0);
    }
  });

  it('forwards a gzip-encoded body byte for byte', async () => {
    const item = realOutput('log-express-debug');
    const body = gzipSync(
      JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 64,
        messages: anthropicConversation(turnsFor([item])),
      }),
    );
    const before = upstream.requests.length;
    const response = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { ...headers, 'content-encoding': 'gzip' },
      body,
    });
    await response.body.dump();
    expect(upstream.requests[before]!.body.equals(body)).toBe(true);
  });

  it('forwards a body with invalid UTF-8 byte for byte instead of re-encoding it, and says so', async () => {
    const item = realOutput('log-express-debug');
    const json = JSON.stringify({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: anthropicConversation(turnsFor([item])),
    });
    // A stray Latin-1 byte inside the tool output, as a command printing a binary file leaves one.
    const at = json.indexOf('RangeError');
    const body = Buffer.concat([
      Buffer.from(json.slice(0, at)),
      Buffer.from([0xe9]),
      Buffer.from(json.slice(at)),
    ]);
    const before = upstream.requests.length;
    const response = await request(`${proxy.url}/v1/messages`, { method: 'POST', headers, body });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(upstream.requests[before]!.body.equals(body)).toBe(true);
    const [row] = await waitForRows(proxy, before + 1);
    expect(row!.compressError).toBe('the request body is not valid UTF-8; forwarded as sent');
  });
});
