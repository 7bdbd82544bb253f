// The proxy's contract with the compression engine: it asks once per conversation request, forwards what
// the engine returns, records what the engine reports, and forwards the original when the engine fails.
// The engine is replaced here by scripted behaviour, since what is under test is the proxy around it.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countTokens } from '../src/compress/tokens.js';
import type { WireFormat } from '../src/formats/types.js';
import type { CompressionResult } from '../src/proxy/compression.js';
import type { RunningProxy } from '../src/proxy/server.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';

const engine = vi.hoisted(() => ({
  calls: [] as { provider: string; path: string }[],
  behave: undefined as
    | undefined
    | ((body: Buffer) => ({ body: Buffer } & Record<string, unknown>) | Promise<{ body: Buffer }>),
}));

vi.mock('../src/proxy/compression.js', () => ({
  async compressForUpstream(format: WireFormat, path: string, body: Buffer): Promise<CompressionResult> {
    engine.calls.push({ provider: format.name, path });
    return engine.behave ? engine.behave(body) : { body };
  },
}));

let upstream: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url);
});

afterEach(async () => {
  engine.calls = [];
  engine.behave = undefined;
  await proxy.store.reset();
});

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

const anthropic = (baseURL = proxy.url) => new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'Summarise the log.' }],
};

describe('compression hook', () => {
  it('forwards the body the engine returns and records its figures', async () => {
    const long = `${'2026-11-30 12:00:00 INFO block served to 10.0.0.7\n'.repeat(400)}FATAL disk gone\n`;
    engine.behave = (body) => {
      const json = JSON.parse(body.toString('utf8'));
      json.messages[0].content = 'short';
      return {
        body: Buffer.from(JSON.stringify(json)),
        stats: {
          blocks: [],
          tokensBefore: 0,
          tokensAfter: 0,
          transforms: { logs: 1 },
          ms: 3.5,
          problems: undefined,
        },
        rewritten: { before: [long], after: ['short'] },
      };
    };
    const before = upstream.requests.length;
    await anthropic().messages.create(params);
    expect(upstream.requests[before]!.json()).toMatchObject({
      messages: [{ role: 'user', content: 'short' }],
    });
    expect(engine.calls).toEqual([{ provider: 'anthropic', path: '/v1/messages' }]);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ transforms: { logs: 1 }, compressMs: 3.5, compressError: null, status: 200 });
    // What was saved is counted on the outputs the engine rewrote, on top of the request as sent.
    expect(row!.tokensAfter).toBeGreaterThan(0);
    expect(row!.tokensBefore! - row!.tokensAfter!).toBe(
      countTokens(long, 'claude-sonnet-4-6') - countTokens('short', 'claude-sonnet-4-6'),
    );
  });

  it('records how long the request waited in the proxy before going upstream, compression included', async () => {
    engine.behave = async (body) => {
      await new Promise((resolve) => setTimeout(resolve, 80));
      return { body };
    };
    await anthropic().messages.create(params);
    engine.behave = undefined;
    await anthropic().messages.create(params);
    const [quick, slow] = await waitForRows(proxy, 2);
    expect(slow!.overheadMs).toBeGreaterThanOrEqual(79);
    expect(slow!.overheadMs).toBeLessThan(slow!.latencyMs!);
    expect(quick!.overheadMs).toBeGreaterThanOrEqual(0);
    expect(quick!.overheadMs).toBeLessThan(40);
  });

  it('forwards the original bytes and records the error when the engine throws', async () => {
    engine.behave = () => {
      throw new Error('transform json crashed on a cyclic value');
    };
    const raw = Buffer.from(JSON.stringify(params, null, 3));
    const before = upstream.requests.length;
    const response = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'sk-ant-test',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: raw,
    });
    expect(response.statusCode).toBe(200);
    await response.body.json();
    expect(upstream.requests[before]!.body.equals(raw)).toBe(true);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, compressError: 'transform json crashed on a cyclic value' });
    expect(row!.tokensBefore).toBe(row!.tokensAfter);
  });

  it('is asked only about conversation requests: messages (and their token counts), chat completions and responses', async () => {
    await anthropic().messages.create(params);
    await anthropic().messages.countTokens({ model: params.model, messages: params.messages });
    await anthropic().models.list();
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await openai.responses.create({ model: 'gpt-5-codex', input: 'hi' });
    await openai.models.list();
    expect(engine.calls).toEqual([
      { provider: 'anthropic', path: '/v1/messages' },
      { provider: 'anthropic', path: '/v1/messages/count_tokens' },
      { provider: 'openai-chat', path: '/v1/chat/completions' },
      { provider: 'openai-responses', path: '/v1/responses' },
    ]);
  });

  it('is not asked at all when compression is switched off', async () => {
    const off = await startTestProxy(upstream.url, { compress: false });
    try {
      engine.behave = () => {
        throw new Error('must not be called');
      };
      await anthropic(off.url).messages.create(params);
      expect(engine.calls).toEqual([]);
      const [row] = await waitForRows(off, 1);
      expect(row!.compressError).toBeNull();
      expect(row!.tokensBefore).toBe(row!.tokensAfter);
    } finally {
      await off.close(0);
    }
  });
});
