// A request body past `maxBodyBytes` is forwarded as it comes, byte for byte, without being held in memory
// or compressed; one under it is compressed as always.

import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';

const LIMIT = 1024 * 1024;
let upstream: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url, { maxBodyBytes: LIMIT });
});

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

/** A Claude-shaped request whose tool outputs are the server log, repeated to about `bytes`. */
function conversationOf(bytes: number): Buffer {
  const log = realOutput('log-express-debug');
  const copies = Math.max(1, Math.ceil(bytes / Buffer.byteLength(log.text)));
  const turns = turnsFor(Array.from({ length: copies }, (_, i) => ({ ...log, text: `${i}\n${log.text}` })));
  return Buffer.from(
    JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: anthropicConversation(turns) }),
  );
}

async function post(body: Buffer, chunked: boolean) {
  const parts = [body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)];
  const response = await request(`${proxy.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
    },
    body: chunked ? Readable.from(parts) : body,
  });
  await response.body.dump();
  return response.statusCode;
}

describe('a request body past the limit', () => {
  it('goes upstream byte for byte, with a length or chunked', async () => {
    const big = conversationOf(3 * LIMIT);
    expect(big.length).toBeGreaterThan(LIMIT);
    for (const chunked of [false, true]) {
      const before = upstream.requests.length;
      expect(await post(big, chunked)).toBe(200);
      const received = upstream.requests[before];
      expect(received?.body.equals(big), chunked ? 'chunked' : 'with a length').toBe(true);
    }
  });

  it('leaves a body under the limit to be compressed', async () => {
    const small = conversationOf(LIMIT / 2);
    expect(small.length).toBeLessThan(LIMIT);
    const before = upstream.requests.length;
    expect(await post(small, false)).toBe(200);
    expect(upstream.requests[before]?.body.length).toBeLessThan(small.length);
  });
});
