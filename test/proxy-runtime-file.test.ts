// A running proxy announces itself in `<cacheDir>/run/` so `headroom stats` can follow it live, and takes
// the announcement back when it closes or its process exits.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listRunningProxies } from '../src/stats/runtime-files.js';
import { startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, testConfig } from './helpers/proxy.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');

describe('runtime file', () => {
  it('is written once the proxy listens and removed when it closes', async () => {
    const upstream = await startFakeUpstream();
    const proxy = await startTestProxy(upstream.url);
    const cacheDir = proxy.store.location.replace(/[/\\]stats\.db$/, '');
    try {
      expect(listRunningProxies(cacheDir)).toEqual([
        { pid: process.pid, url: proxy.url, startedAt: expect.any(Number) },
      ]);
    } finally {
      await proxy.close(0);
      await upstream.close();
    }
    expect(listRunningProxies(cacheDir)).toEqual([]);
  });

  it('is removed when the process exits without closing the proxy', () => {
    const { cacheDir } = testConfig();
    const file = (pid: number) => join(cacheDir, 'run', `proxy-${pid}.json`);
    const script = `
      import { existsSync } from 'node:fs';
      import { startProxy } from ${JSON.stringify(join(root, 'dist/proxy/server.js'))};
      await startProxy({ config: ${JSON.stringify({ ...testConfig(), cacheDir })} });
      const announced = existsSync(${JSON.stringify(join(cacheDir, 'run'))} + '/proxy-' + process.pid + '.json');
      console.log(JSON.stringify({ pid: process.pid, announced }));
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const { pid, announced } = JSON.parse(out) as { pid: number; announced: boolean };
    expect(announced).toBe(true);
    expect(existsSync(file(pid))).toBe(false);
  });
});
