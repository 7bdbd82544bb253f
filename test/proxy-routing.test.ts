// Where requests go: provider choice, upstream base URLs with path prefixes, session prefixes, query strings,
// and the headers that must or must not cross the proxy.

import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';

/** Send `text` as it is on a new connection and read the whole answer (the request says connection: close). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('forwarding', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('reaches an upstream whose base URL carries a path prefix', async () => {
    const proxy = await startTestProxy(upstream.url, {
      openaiUpstream: `${upstream.url}/openrouter/api/v1`,
      anthropicUpstream: `${upstream.url}/anthropic`,
    });
    try {
      const before = upstream.requests.length;
      await new OpenAI({
        apiKey: 'sk-or-test',
        baseURL: `${proxy.url}/v1`,
        maxRetries: 0,
      }).chat.completions.create({
        model: 'anthropic/claude-sonnet-4.6',
        messages: [{ role: 'user', content: 'hello' }],
      });
      await new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxy.url, maxRetries: 0 }).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(upstream.requests.slice(before).map((r) => r.url)).toEqual([
        '/openrouter/api/v1/chat/completions',
        '/anthropic/v1/messages',
      ]);
    } finally {
      await proxy.close(0);
    }
  });

  it('refuses request targets that could climb out of the upstream base or name another host', async () => {
    const proxy = await startTestProxy(upstream.url, { openaiUpstream: `${upstream.url}/openrouter/api/v1` });
    try {
      const before = upstream.requests.length;
      const { port } = new URL(proxy.url);
      for (const target of [
        'http://169.254.169.254/latest/meta-data',
        '//evil.example/x',
        '/v1/../../admin',
      ]) {
        const answer = await rawRequest(
          Number(port),
          `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`,
        );
        expect(answer, target).toMatch(/^HTTP\/1\.1 400 /);
        expect(answer).toContain('refusing request target');
      }
      expect(upstream.requests.length).toBe(before);
    } finally {
      await proxy.close(0);
    }
  });

  it('strips a session prefix before forwarding and tags the row with the session', async () => {
    const proxy = await startTestProxy(upstream.url);
    try {
      const before = upstream.requests.length;
      await new Anthropic({
        apiKey: 'sk-ant-test',
        baseURL: `${proxy.url}/s/abc123`,
        maxRetries: 0,
      }).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(upstream.requests[before]!.url).toBe('/v1/messages');
      const [row] = await waitForRows(proxy, 1);
      expect(row).toMatchObject({ sessionId: 'abc123', path: '/v1/messages' });
    } finally {
      await proxy.close(0);
    }
  });

  it('tags every request with the session it was started for', async () => {
    const session = { id: 'wrap-1', agent: 'claude', project: '/home/dev/repo' };
    const proxy = await startTestProxy(upstream.url, {}, { session });
    try {
      await request(`${proxy.url}/v1/models`, { headers: { authorization: 'Bearer sk-test' } }).then((r) =>
        r.body.dump(),
      );
      const [row] = await waitForRows(proxy, 1);
      expect(row).toMatchObject({
        sessionId: 'wrap-1',
        agent: 'claude',
        project: '/home/dev/repo',
        provider: 'openai',
      });
      expect((await proxy.store.sessions())[0]).toMatchObject({ id: 'wrap-1', agent: 'claude' });
    } finally {
      await proxy.close(0);
    }
  });

  it('drops hop-by-hop headers both ways and keeps end-to-end ones', async () => {
    const proxy = await startTestProxy(upstream.url);
    try {
      upstream.queue({
        kind: 'json',
        body: { object: 'list', data: [] },
        headers: { 'x-ratelimit-limit-requests': '500', 'keep-alive': 'timeout=5', 'set-cookie': 'a=1' },
      });
      const before = upstream.requests.length;
      // node:http, unlike undici, lets a caller send its own Connection header.
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        get(
          `${proxy.url}/v1/models?limit=2`,
          {
            headers: {
              authorization: 'Bearer sk-test',
              'openai-organization': 'org-123',
              'x-custom-trace': 'trace-1',
              connection: 'keep-alive, x-drop-me',
              'x-drop-me': 'secret-hop',
              te: 'trailers',
            },
          },
          resolve,
        ).on('error', reject);
      });
      response.resume();
      const received = upstream.requests[before]!;
      expect(received.url).toBe('/v1/models?limit=2');
      expect(received.headers).toMatchObject({
        authorization: 'Bearer sk-test',
        'openai-organization': 'org-123',
        'x-custom-trace': 'trace-1',
      });
      expect(received.headers['x-drop-me']).toBeUndefined();
      expect(received.headers.te).toBeUndefined();
      expect(response.headers['x-ratelimit-limit-requests']).toBe('500');
      expect(response.headers['set-cookie']).toEqual(['a=1']);
      expect(response.headers['keep-alive']).not.toBe('timeout=5');
    } finally {
      await proxy.close(0);
    }
  });
});
