// Starts the real proxy for a test: loopback, a free port, a private temporary cache dir, and upstreams
// pointing at a fake model API. Everything it starts is closed by `stop()`.

import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Config, resolveConfig } from '../../src/config.js';
import { type ProxyOptions, type RunningProxy, startProxy } from '../../src/proxy/server.js';
import type { RequestRow } from '../../src/store/types.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';

/** Request options (undici) for a case that must be answered promptly: it fails after 10 s instead of hanging. */
export const PROMPTLY = { headersTimeout: 10_000, bodyTimeout: 10_000 } as const;

/** A resolved config isolated from the machine's own settings (no config file, no HEADROOM_* env). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const env = { HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-test-config-')) };
  const { config } = resolveConfig({}, env);
  return {
    ...config,
    port: 0,
    host: '127.0.0.1',
    cacheDir: mkdtempSync(join(tmpdir(), 'headroom-test-cache-')),
    ...overrides,
  };
}

/**
 * The compression thread script of the build (`npm test` builds first), so proxies started from the sources
 * compress on threads as the installed proxy does; undefined before a build, and they compress inline.
 */
export function builtCompressionThread(): URL | undefined {
  const url = new URL('../../dist/proxy/compression-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Start a proxy whose upstreams are all `upstreamUrl`. */
export function startTestProxy(
  upstreamUrl: string,
  overrides: Partial<Config> = {},
  options: Omit<ProxyOptions, 'config'> = {},
): Promise<RunningProxy> {
  const config = testConfig({
    anthropicUpstream: upstreamUrl,
    openaiUpstream: upstreamUrl,
    geminiUpstream: upstreamUrl,
    ...overrides,
  });
  return startProxy({ config, compressionThreadScript: builtCompressionThread(), ...options });
}

/** Wait until the proxy's store holds `count` rows (written shortly after each response); newest first. */
export async function waitForRows(
  proxy: RunningProxy,
  count: number,
  timeoutMs = 5000,
): Promise<RequestRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await proxy.store.rows({}, { limit: count + 10 })).reverse();
    if (rows.length >= count) return rows;
    if (Date.now() > deadline) throw new Error(`expected ${count} stats rows, found ${rows.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ProxyAndUpstream {
  upstream: FakeUpstream;
  proxy: RunningProxy;
}

/**
 * Register the hooks that give a test file a real proxy in front of a fake model API: both start before
 * the first test and close after the last. With `resetAfterEach`, each test starts with no script on the
 * upstream and an empty stats store. `assign` receives the running pair (assign it to the file's variables).
 */
export function startProxyPerFile(
  assign: (started: ProxyAndUpstream) => void,
  overrides: Partial<Config> = {},
  { resetAfterEach = true } = {},
): void {
  let started: ProxyAndUpstream | undefined;
  beforeAll(async () => {
    const upstream = await startFakeUpstream();
    started = { upstream, proxy: await startTestProxy(upstream.url, overrides) };
    assign(started);
  });
  if (resetAfterEach) {
    afterEach(async () => {
      started?.upstream.script(undefined);
      await started?.proxy.store.reset();
    });
  }
  afterAll(async () => {
    await started?.proxy.close(0);
    await started?.upstream.close();
  });
}

/** A port nothing listens on: bind one, note it, release it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
