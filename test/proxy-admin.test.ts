// The endpoints the proxy answers itself: health, stats totals and recent rows, a live event per recorded
// request, session registration that joins requests to an agent and a project, and a session's end.

import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';
import { holdWriteLock } from './helpers/sqlite-lock.js';

let upstream: FakeUpstream;
let proxy: RunningProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url);
});

afterEach(async () => {
  await proxy.store.reset();
});

afterAll(async () => {
  await proxy?.close(0);
  await upstream?.close();
});

const ask = (baseURL: string) =>
  new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 }).messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Which test fails first?' }],
  });

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(`${proxy.url}${path}`);
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

async function register(id: string): Promise<void> {
  const registered = await request(`${proxy.url}/admin/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, agent: 'claude', project: '/home/dev/app' }),
  });
  await registered.body.dump();
  // Written now, so a lock taken next holds back only the session's requests.
  await proxy.store.session(id);
}

async function endSession(id: string, body: unknown = { waitMs: 10_000 }) {
  const response = await request(`${proxy.url}/admin/sessions/${id}/end`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('ending a session', () => {
  it('answers its totals once the rows of its last requests are written, which /stats alone does not wait for', async () => {
    await register('end-1');
    const release = holdWriteLock(proxy.store.location);
    try {
      await ask(`${proxy.url}/s/end-1`);
      // The client has its answer; its row waits in memory for the lock.
      expect((await getJson('/stats?session=end-1')).body.totals).toMatchObject({ requests: 0 });
      setTimeout(release, 300);
      const { status, body } = await endSession('end-1');
      expect(status).toBe(200);
      expect(body).toMatchObject({ settled: true, totals: { requests: 1, errors: 0 } });
      expect(body.session).toMatchObject({ id: 'end-1', agent: 'claude', endedTs: expect.any(Number) });
      expect((await proxy.store.session('end-1'))?.endedTs).toBe(
        (body.session as { endedTs: number }).endedTs,
      );
    } finally {
      release();
    }
  });

  it('stops waiting after waitMs and says its totals may be short', async () => {
    await register('end-2');
    const release = holdWriteLock(proxy.store.location);
    try {
      await ask(`${proxy.url}/s/end-2`);
      const started = Date.now();
      const { status, body } = await endSession('end-2', { waitMs: 200 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(status).toBe(200);
      expect(body).toMatchObject({ settled: false, totals: { requests: 0 } });
    } finally {
      release();
    }
  });

  it('answers at once for a session with nothing in flight', async () => {
    const { body } = await endSession('never-seen');
    expect(body).toMatchObject({ session: null, settled: true, totals: { requests: 0 } });
  });

  it('refuses an end posted as a web form would send it', async () => {
    const response = await request(`${proxy.url}/admin/sessions/end-3/end`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(response.statusCode).toBe(415);
    await response.body.dump();
  });
});

describe('admin endpoints', () => {
  it('reports health without touching the upstream', async () => {
    const before = upstream.requests.length;
    const { status, body } = await getJson('/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect(upstream.requests.length).toBe(before);
  });

  it('serves totals and recent requests at /stats', async () => {
    await ask(proxy.url);
    await ask(proxy.url);
    await waitForRows(proxy, 2);
    const { status, body } = await getJson('/stats?limit=1');
    expect(status).toBe(200);
    expect(body.totals).toMatchObject({ requests: 2, errors: 0, outputTokens: 84 });
    expect(body.recent).toHaveLength(1);
    expect((body.recent as Record<string, unknown>[])[0]).toMatchObject({
      path: '/v1/messages',
      status: 200,
    });
  });

  it('streams one event per recorded request at /stats/stream', async () => {
    const response = await request(`${proxy.url}/stats/stream`);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const events: Record<string, unknown>[] = [];
    let buffer = '';
    const got = new Promise<void>((resolve) => {
      response.body.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: request') && data) events.push(JSON.parse(data.slice(6)));
          if (events.length === 2) resolve();
        }
      });
    });
    await ask(proxy.url);
    await ask(`${proxy.url}/s/live-1`);
    await got;
    response.body.destroy();
    expect(events.map((e) => [e.path, e.sessionId])).toEqual([
      ['/v1/messages', null],
      ['/v1/messages', 'live-1'],
    ]);
    expect(events[0]).toMatchObject({ id: expect.any(Number), status: 200, model: 'claude-sonnet-4-6' });
  });

  it('joins requests to a registered session: agent and project on each row', async () => {
    const registered = await request(`${proxy.url}/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sess-42', agent: 'claude', project: '/home/dev/app' }),
    });
    expect(registered.statusCode).toBe(201);
    await registered.body.dump();
    await ask(`${proxy.url}/s/sess-42`);
    const [row] = await waitForRows(proxy, 1);
    expect(row).toMatchObject({ sessionId: 'sess-42', agent: 'claude', project: '/home/dev/app' });
    const { body } = await getJson('/stats?agent=claude');
    expect(body.totals).toMatchObject({ requests: 1 });
    const sessions = await getJson('/admin/sessions');
    expect(sessions.body.sessions).toEqual([
      expect.objectContaining({
        id: 'sess-42',
        agent: 'claude',
        totals: expect.objectContaining({ requests: 1 }),
      }),
    ]);
  });

  it('rejects a malformed session with a one-line reason', async () => {
    const response = await request(`${proxy.url}/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'has spaces/and slashes' }),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^headroom: id must be/);
  });

  it('refuses a session posted as a web form would send it, without registering it', async () => {
    const response = await request(`${proxy.url}/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ id: 'from-a-page', agent: 'claude' }),
    });
    expect(response.statusCode).toBe(415);
    expect(((await response.body.json()) as { error: { message: string } }).error.message).toMatch(
      /application\/json/,
    );
    expect((await proxy.store.sessions()).map((s) => s.id)).not.toContain('from-a-page');
  });

  it('answers only requests addressed to localhost, so a page that rebinds its name to 127.0.0.1 gets nothing', async () => {
    const before = upstream.requests.length;
    for (const path of ['/stats', '/v1/messages']) {
      const response = await request(`${proxy.url}${path}`, {
        method: path === '/stats' ? 'GET' : 'POST',
        headers: { host: 'attacker.example:8787', 'content-type': 'application/json' },
        body: path === '/stats' ? undefined : '{}',
      });
      expect(response.statusCode, path).toBe(403);
      expect(await response.body.text()).toContain('answers only requests to localhost');
    }
    expect(upstream.requests.length).toBe(before);
    for (const host of ['localhost:8787', '127.0.0.1', '[::1]:8787']) {
      const response = await request(`${proxy.url}/health`, { headers: { host } });
      expect(response.statusCode, host).toBe(200);
      await response.body.dump();
    }
  });

  it('serves /metrics in Prometheus text format from the requests it recorded, never forwarding it', async () => {
    const before = upstream.requests.length;
    await ask(proxy.url);
    await ask(proxy.url);
    // A request for a foreign host is refused and counted, under one reason whatever host it named.
    const refused = await request(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { host: 'rebound.example', 'content-type': 'application/json' },
      body: '{}',
    });
    await refused.body.dump();
    expect(refused.statusCode).toBe(403);
    await waitForRows(proxy, 3);
    const response = await request(`${proxy.url}/metrics`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.body.text();
    expect(upstream.requests.length).toBe(before + 2);
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(text).toMatch(/^# TYPE headroom_requests_total counter$/m);
    expect(value('headroom_requests_total{provider="anthropic",status="2xx"}')).toBeGreaterThanOrEqual(2);
    expect(value('headroom_tokens_total{kind="output"}')).toBeGreaterThanOrEqual(84);
    expect(value('headroom_errors_total{reason="refused"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('rebound.example');
    expect(text).toMatch(/^# TYPE headroom_memory_calls_total counter$/m);
    expect(value('headroom_request_duration_seconds_count{provider="anthropic"}')).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(
      /^headroom_request_duration_seconds_bucket\{le="\+Inf",provider="anthropic"\} \d+$/m,
    );
    const dashboard = await request(`${proxy.url}/dashboard`);
    expect(dashboard.statusCode).toBe(404);
    await dashboard.body.dump();
    expect(upstream.requests.length).toBe(before + 2);
  });

  it('answers unknown admin paths with 404 and the list of endpoints', async () => {
    const { status, body } = await getJson('/admin/nope');
    expect(status).toBe(404);
    expect(JSON.stringify(body)).toContain('/stats/stream');
  });
});
