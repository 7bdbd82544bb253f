import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { LiveFeed, type LiveStatus } from '../src/stats/live.js';
import { listRunningProxies, removeRuntimeFile, writeRuntimeFile } from '../src/stats/runtime-files.js';
import { openStatsStore } from '../src/store/index.js';
import type { RequestRow } from '../src/store/types.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { until } from './helpers/until.js';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('runtime files', () => {
  it('announces a proxy in a private file and forgets it when removed', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-run-'));
    const file = writeRuntimeFile(cacheDir, { pid: process.pid, url: 'http://127.0.0.1:9', startedAt: 1 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(cacheDir, 'run')).mode & 0o777).toBe(0o700);
    expect(listRunningProxies(cacheDir)).toEqual([
      { pid: process.pid, url: 'http://127.0.0.1:9', startedAt: 1 },
    ]);
    removeRuntimeFile(cacheDir, process.pid);
    expect(listRunningProxies(cacheDir)).toEqual([]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('ignores and cleans up the files of proxies that died without removing them', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-run-'));
    const pid = deadPid();
    const stale = writeRuntimeFile(cacheDir, { pid, url: 'http://127.0.0.1:9', startedAt: 1 });
    writeFileSync(join(cacheDir, 'run', 'proxy-1234567.json'), 'not json');
    expect(listRunningProxies(cacheDir)).toEqual([]);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(cacheDir, 'run'))).toEqual([]);
    rmSync(cacheDir, { recursive: true, force: true });
  });
});

describe('live feed', () => {
  let upstream: FakeUpstream;
  let proxy: RunningProxy;
  let cacheDir: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    proxy = await startTestProxy(upstream.url);
    cacheDir = proxy.store.location.replace(/[/\\]stats\.db$/, '');
  });

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  it('receives each request from a running proxy’s stream as soon as it is recorded', async () => {
    writeRuntimeFile(cacheDir, { pid: process.pid, url: proxy.url, startedAt: Date.now() });
    const store = await openStatsStore({ cacheDir }, { readOnly: true });
    // Polling every minute: within this test only the proxy's stream can deliver the row.
    const feed = new LiveFeed({
      cacheDir,
      store,
      afterId: await store.lastId(),
      pollMs: 60_000,
      discoverMs: 50,
    });
    const received: RequestRow[] = [];
    let status: LiveStatus | undefined;
    feed.start({ rows: (rows) => received.push(...rows), status: (s) => (status = s) });
    try {
      await until(() => (status?.proxies === 1 ? status : undefined), 'the stream to connect');
      const claude = new Anthropic({
        apiKey: 'sk-ant-test',
        baseURL: `${proxy.url}/s/streamed`,
        maxRetries: 0,
      });
      await claude.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 20,
        messages: [{ role: 'user', content: 'hi' }],
      });
      const row = await until(() => received.find((r) => r.sessionId === 'streamed'), 'the streamed row');
      expect(row).toMatchObject({ model: 'claude-sonnet-4-6', status: 200, path: '/v1/messages' });
      expect(received).toHaveLength(1);
    } finally {
      feed.stop();
      await store.close();
      removeRuntimeFile(cacheDir, process.pid);
    }
  });

  it('falls back to reading the database when no proxy is announced', async () => {
    const store = await openStatsStore({ cacheDir }, { readOnly: true });
    const feed = new LiveFeed({ cacheDir, store, afterId: await store.lastId(), pollMs: 50 });
    const received: RequestRow[] = [];
    feed.start({ rows: (rows) => received.push(...rows) });
    try {
      void proxy.store.record({
        ts: Date.now(),
        provider: 'openai',
        method: 'POST',
        path: '/v1/responses',
        status: 200,
        sessionId: 'polled',
      });
      await proxy.store.flush();
      const row = await until(() => received.find((r) => r.sessionId === 'polled'), 'the polled row');
      expect(row.path).toBe('/v1/responses');
    } finally {
      feed.stop();
      await store.close();
    }
  });
});
