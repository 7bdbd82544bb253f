// `headroom wrap` and the proxy key (HEADROOM_API_KEY). The proxy wrap starts for its agent serves it without
// the key. A running proxy that wants the key gets it in x-headroom-key from every agent that can send an extra
// header, the agent's own way (the fake agent reads its settings as the real one does); an agent that cannot is
// refused in one line before it starts.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { agentPath, runHeadroom, tempDir, wrapEnv } from './helpers/wrap.js';

const KEY = 'team-proxy-key-7f3a9c21';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

describe('headroom wrap with HEADROOM_API_KEY set', () => {
  it('relays the agent’s requests without asking it for the proxy key', async () => {
    const before = upstream.requests.length;
    const env = wrapEnv({ path: agentPath('claude'), extra: { HEADROOM_API_KEY: KEY } });
    const result = await runHeadroom(
      ['wrap', 'claude', '--anthropic-upstream', upstream.url, '--', 'anthropic'],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('anthropic: ');
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['/v1/messages']);
  });
});

describe('headroom wrap --proxy-url with a proxy that wants x-headroom-key', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy(upstream.url, { apiKey: KEY });
  });
  afterAll(() => proxy.close(0));
  afterEach(() => proxy.store.reset());

  /** Wrap `agent` against the keyed proxy; the fake agent runs `step`, a request made the agent's way. */
  async function wrapJoining(agent: string, step: string, extra: Record<string, string> = {}) {
    const before = upstream.requests.length;
    const env = wrapEnv({
      path: agentPath(agent),
      extra: { HEADROOM_API_KEY: KEY, GEMINI_API_KEY: 'gemini-test-key-0000', ...extra },
    });
    const result = await runHeadroom(['wrap', agent, '--proxy-url', proxy.url, '--', step], env);
    const sessionId = /session ([0-9a-f]{8})/.exec(result.stderr)?.[1];
    return { result, sessionId, received: upstream.requests.slice(before) };
  }

  it.each([
    ['claude', 'claude-code', '/v1/messages'],
    ['codex', 'codex', '/v1/responses'],
    ['opencode', 'opencode', '/v1/messages'],
    ['gemini', 'gemini-cli', '/v1beta/models/gemini-2.5-flash:generateContent'],
  ])('gets %s’s request through with the key it sends its own way', async (agent, step, path) => {
    const { result, sessionId, received } = await wrapJoining(agent, step);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${step}: The build fails`);
    expect(received.map((r) => r.path)).toEqual([path]);
    // The key is the proxy's: it goes no further.
    expect(received[0]?.headers['x-headroom-key']).toBeUndefined();
    const rows = await proxy.store.rows({ session: sessionId });
    expect(rows.map((row) => [row.agent, row.status])).toEqual([[agent, 200]]);
    expect(result.stderr).toContain(`headroom: ${agent} session ${sessionId}: 1 request`);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('keeps the headers the user already sends Claude Code’s requests with', async () => {
    const { result, received } = await wrapJoining('claude', 'claude-code', {
      ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra\nx-headroom-key: stale',
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(received[0]?.headers['x-team']).toBe('infra');
  });

  it('refuses in one line an agent that cannot send a header, before it starts', async () => {
    const report = join(tempDir('key'), 'agent.json');
    const env = wrapEnv({ path: agentPath('aider'), extra: { HEADROOM_API_KEY: KEY } });
    const result = await runHeadroom(
      ['wrap', 'aider', '--proxy-url', proxy.url, '--', `report=${report}`],
      env,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^headroom: the proxy at .* needs x-headroom-key on every request, which Aider cannot send: run `headroom wrap aider` without --proxy-url/,
      ),
    ]);
    expect(existsSync(report)).toBe(false);
    expect(await proxy.store.sessions()).toEqual([]);
  });

  it('carries the headers a Claude settings file sets, and the key, in a private --settings file gone at exit', async () => {
    const before = upstream.requests.length;
    const report = join(tempDir('key'), 'agent.json');
    const env = wrapEnv({ path: agentPath('claude'), extra: { HEADROOM_API_KEY: KEY } });
    mkdirSync(join(env.HOME as string, '.claude'));
    writeFileSync(
      join(env.HOME as string, '.claude', 'settings.json'),
      JSON.stringify({ env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Team: infra' } }),
    );
    const result = await runHeadroom(
      ['wrap', 'claude', '--proxy-url', proxy.url, '--', `report=${report}`, 'claude-code'],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const received = upstream.requests.slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]?.headers['x-team']).toBe('infra');
    const { args } = JSON.parse(readFileSync(report, 'utf8')) as { args: string[] };
    expect(args[0]).toBe('--settings');
    expect(args.join(' ')).not.toContain(KEY);
    expect(existsSync(args[1]!)).toBe(false);
  });

  it('says to set HEADROOM_API_KEY when wrap has no key for the proxy', async () => {
    const result = await runHeadroom(
      ['wrap', 'claude', '--proxy-url', proxy.url, '--', 'claude-code'],
      wrapEnv({ path: agentPath('claude') }),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(
      `headroom: the proxy at ${proxy.url} needs its key in x-headroom-key: set HEADROOM_API_KEY to the key it was started with`,
    );
  });

  it('says the key is wrong when the proxy refuses it, without printing it', async () => {
    const wrong = 'not-the-team-key-0000';
    const result = await runHeadroom(
      ['wrap', 'claude', '--proxy-url', proxy.url, '--', 'claude-code'],
      wrapEnv({ path: agentPath('claude'), extra: { HEADROOM_API_KEY: wrong } }),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(
      `headroom: the proxy at ${proxy.url} refused the key in HEADROOM_API_KEY (HTTP 401): set it to the key the proxy was started with`,
    );
    expect(result.stderr).not.toContain(wrong);
  });
});
