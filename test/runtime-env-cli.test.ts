// Live settings from the command line: `headroom config set … --live` reaches every running proxy the runtime
// files name, `HEADROOM_VERBOSITY` exported before `headroom wrap --proxy-url` reaches the shared proxy, and
// `headroom proxy --log-file` writes one JSON line per request.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { proxyChildrenPerFile, spawnProxyProcess } from './helpers/proxy-process.js';
import { until } from './helpers/until.js';
import { agentPath, runHeadroom, tempDir, wrapEnv } from './helpers/wrap.js';

const processes = proxyChildrenPerFile();

async function runtimeEnv(url: string): Promise<Record<string, { value: unknown; source: string }>> {
  const response = await request(`${url}/admin/runtime-env`);
  return ((await response.body.json()) as { settings: Record<string, { value: unknown; source: string }> })
    .settings;
}

/** Two proxies sharing one cache dir, as `headroom proxy` and a `headroom wrap` on one machine. */
async function twoProxies(env: Record<string, string>, args: string[] = []) {
  const upstream = ['--anthropic-upstream', processes.upstream.url];
  return Promise.all([
    spawnProxyProcess([...upstream, ...args], env, processes.children),
    spawnProxyProcess(upstream, env, processes.children),
  ]);
}

const plainEnv = () => {
  const env = wrapEnv({ path: agentPath('claude') });
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
};

describe('headroom config set --live', () => {
  it('saves the value and applies it to every running proxy', async () => {
    const env = plainEnv();
    const proxies = await twoProxies(env);
    const result = await runHeadroom(['config', 'set', 'verbosity', 'terse', '--live'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const proxy of proxies) {
      expect(result.stdout).toContain(`applied to the proxy at ${proxy.url}`);
      expect((await runtimeEnv(proxy.url)).HEADROOM_VERBOSITY).toMatchObject({ value: '2', source: 'live' });
    }
    const listed = await runHeadroom(['config', 'get', 'verbosity'], env);
    expect(listed.stdout.trim()).toBe('2');
  });

  it('refuses a setting that needs a restart, before writing anything', async () => {
    const env = plainEnv();
    const result = await runHeadroom(['config', 'set', 'port', '9000', '--live'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^headroom: port cannot change on a running proxy/);
    expect((await runHeadroom(['config', 'get', 'port'], env)).stdout.trim()).toBe('8787');
  });
});

describe('headroom wrap --proxy-url', () => {
  it('carries HEADROOM_VERBOSITY from its shell to the running shared proxy', async () => {
    const env = plainEnv();
    const [shared] = await twoProxies(env);
    const report = join(tempDir('report'), 'agent.json');
    const result = await runHeadroom(
      ['wrap', 'claude', '--proxy-url', shared!.url, '--', `report=${report}`],
      { ...env, HEADROOM_VERBOSITY: 'terse' },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await runtimeEnv(shared!.url)).HEADROOM_VERBOSITY).toMatchObject({ value: '2', source: 'live' });
  }, 90_000);
});

describe('headroom proxy --log-file', () => {
  it('appends one JSON line per request, with its steering', async () => {
    const env = plainEnv();
    const log = join(tempDir('log'), 'requests.jsonl');
    const [proxy] = await twoProxies(env, ['--log-file', log, '--verbosity', '3', '--verbose']);
    const response = await request(`${proxy!.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sk-ant-test',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        max_tokens: 32,
        tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'Why does the build fail?' }],
      }),
    });
    await response.body.dump();
    const line = await until(() => {
      try {
        return readFileSync(log, 'utf8').split('\n').filter(Boolean)[0];
      } catch {
        return undefined;
      }
    }, 'the request log line');
    expect(JSON.parse(line)).toMatchObject({
      path: '/v1/messages',
      status: 200,
      verbosity: '3',
      turnKind: 'user',
    });
    await until(() => /verbosity 3/.test(proxy!.stderr()) || undefined, 'the --verbose line');
    expect(proxy!.stderr()).toMatch(/debug POST \/v1\/messages 200 \d+ms .*claude-sonnet-4-6.* verbosity 3/);
  });
});
