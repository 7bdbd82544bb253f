// The proxy `headroom wrap` starts for an agent serves it without the x-headroom-key header, which agents
// cannot send, even when HEADROOM_API_KEY is set for a shared proxy.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { agentPath, runHeadroom, wrapEnv } from './helpers/wrap.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

describe('headroom wrap with HEADROOM_API_KEY set', () => {
  it('relays the agent’s requests without asking it for the proxy key', async () => {
    const env = wrapEnv({ path: agentPath('claude'), extra: { HEADROOM_API_KEY: 'shared-team-key' } });
    const result = await runHeadroom(
      ['wrap', 'claude', '--anthropic-upstream', upstream.url, '--', 'anthropic'],
      env,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('anthropic: ');
    expect(upstream.requests.map((r) => r.path)).toEqual(['/v1/messages']);
  });

  it('refuses in one line to join a shared proxy that wants the key on every request, before the agent starts', async () => {
    const proxy = await startTestProxy(upstream.url, { apiKey: 'shared-team-key' });
    try {
      const report = join(mkdtempSync(join(tmpdir(), 'headroom-key-')), 'agent.json');
      const env = wrapEnv({ path: agentPath('claude'), extra: { HEADROOM_API_KEY: 'shared-team-key' } });
      const result = await runHeadroom(
        ['wrap', 'claude', '--proxy-url', proxy.url, '--', `report=${report}`],
        env,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^headroom: the proxy at .* needs x-headroom-key on every request, which Claude Code cannot send: /,
        ),
      ]);
      expect(existsSync(report)).toBe(false);
    } finally {
      await proxy.close(0);
    }
  });
});
