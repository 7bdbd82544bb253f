// A stats store the proxy cannot use never costs a request or an agent's start: another process holding the
// database's write lock, or a store that cannot be read, leaves registration and forwarding working.

import { connect } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { totals } from '../src/stats/report.js';
import { openStatsStore } from '../src/store/index.js';
import { statsDbPath } from '../src/store/sqlite/stats.js';
import type { NewRequestRow } from '../src/store/types.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, testConfig, waitForRows } from './helpers/proxy.js';
import { holdWriteLock } from './helpers/sqlite-lock.js';

let upstream: FakeUpstream;
const proxies: RunningProxy[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close(0);
});

afterAll(async () => {
  await upstream?.close();
});

const ask = (baseURL: string) =>
  new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Which test fails first?' }],
  });

describe('a stats database another process holds locked', () => {
  it('still starts a proxy for a wrapped agent and tags its requests once the lock is gone', async () => {
    const overrides = { anthropicUpstream: upstream.url, openaiUpstream: upstream.url };
    const { cacheDir } = testConfig();
    // Creates and migrates the file, as an earlier run would have.
    await (await openStatsStore({ cacheDir })).close();
    const release = holdWriteLock(statsDbPath(cacheDir));
    let proxy: RunningProxy;
    try {
      proxy = await startTestProxy(
        upstream.url,
        { ...overrides, cacheDir },
        { session: { id: 'wrap-1', agent: 'claude', project: '/home/dev/app' } },
      );
      proxies.push(proxy);
    } finally {
      release();
    }
    const message = await ask(proxy.url);
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({
      status: 200,
      sessionId: 'wrap-1',
      agent: 'claude',
      project: '/home/dev/app',
    });
  });

  it('registers a session posted to /admin/sessions instead of leaving the caller waiting', async () => {
    const proxy = await startTestProxy(upstream.url);
    proxies.push(proxy);
    const release = holdWriteLock(proxy.store.location);
    let status: number;
    try {
      const registered = await request(`${proxy.url}/admin/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'sess-7', agent: 'codex', project: '/home/dev/api' }),
        headersTimeout: 15_000,
      });
      status = registered.statusCode;
      await registered.body.dump();
    } finally {
      release();
    }
    expect(status).toBe(201);
    await ask(`${proxy.url}/s/sess-7`);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ status: 200, sessionId: 'sess-7', agent: 'codex', project: '/home/dev/api' });
  });

  it('keeps the rows of requests served under the lock and writes them once it is gone', async () => {
    const proxy = await startTestProxy(upstream.url);
    proxies.push(proxy);
    const release = holdWriteLock(proxy.store.location);
    try {
      expect((await ask(proxy.url)).content[0]).toMatchObject({ type: 'text' });
      expect((await ask(proxy.url)).content[0]).toMatchObject({ type: 'text' });
      // Long enough for the proxy to try writing the rows while the lock is still held.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      release();
    }
    const rows = await waitForRows(proxy, 2);
    expect(rows.map((row) => row.status)).toEqual([200, 200]);
  });
});

describe('a stats store that cannot be read', () => {
  it('answers /stats with a one-line error instead of leaving the connection open', async () => {
    const store = await openStatsStore(testConfig());
    const proxy = await startTestProxy(upstream.url, {}, { store });
    proxies.push(proxy);
    await store.close();
    const response = await request(`${proxy.url}/stats`, { headersTimeout: 5_000 });
    const body = (await response.body.json()) as { error: { message: string } };
    expect(response.statusCode).toBe(500);
    expect(body.error.message).toMatch(/^headroom: request failed inside the proxy: .*not open/);
    // Model requests still go through.
    expect((await ask(proxy.url)).content[0]).toMatchObject({ type: 'text' });
  });
});

describe('a live stats reader that stopped reading', () => {
  it('lets the proxy shut down while requests still finish, without writing past the end of its stream', async () => {
    const proxy = await startTestProxy(upstream.url);
    const { port } = new URL(proxy.url);
    const reader = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => reader.once('connect', resolve));
    reader.write('GET /stats/stream HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => reader.once('data', resolve));
    // A reader suspended in a terminal: its socket buffers fill up and stay full.
    reader.pause();
    const row = { ts: Date.now(), provider: 'openai', method: 'POST', status: 200 };
    // Recorded and announced the way the proxy does it for each request.
    const recordAndAnnounce = (recorded: NewRequestRow) =>
      proxy.store.record(recorded).then((written) => written && proxy.events.emit(written));
    const announced: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      announced.push(recordAndAnnounce({ ...row, path: `/v1/${'x'.repeat(1_000_000)}` }));
    }
    await proxy.store.flush();
    await Promise.all(announced);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = proxy.close(200);
    // A request finishing during the grace period is recorded and announced as usual.
    const last = recordAndAnnounce({ ...row, path: '/v1/chat/completions' });
    await proxy.store.flush();
    await last;
    await closed;
    reader.destroy();
    const written = await openStatsStore({ cacheDir: proxy.store.location.replace(/[/\\]stats\.db$/, '') });
    const rows = await written.rows();
    expect(rows.at(-1)).toMatchObject({ path: '/v1/chat/completions' });
    expect(totals(rows).requests).toBe(41);
    await written.close();
  });
});
