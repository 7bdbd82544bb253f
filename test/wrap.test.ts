import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount } from '../src/stats/format.js';
import { totals } from '../src/stats/report.js';
import { openStatsStore } from '../src/store/index.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy } from './helpers/proxy.js';
import { realOutput } from './helpers/real-outputs.js';
import { agentPath, alive, readReport, runHeadroom, tempDir, waitForFile, wrapEnv } from './helpers/wrap.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

const upstreamFlags = () => ['--anthropic-upstream', upstream.url, '--openai-upstream', upstream.url];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('headroom wrap: environment and traffic', () => {
  it('points claude at a loopback proxy and hands it the arguments after --', async () => {
    const report = join(tempDir('report'), 'agent.json');
    const env = wrapEnv({ path: agentPath('claude') });
    const result = await runHeadroom(
      ['wrap', 'claude', ...upstreamFlags(), '--', `report=${report}`, '-p', 'hi'],
      env,
    );
    expect(result.exitCode).toBe(0);
    const agent = readReport(report);
    expect(agent.name).toBe('claude');
    expect(agent.args).toEqual([`report=${report}`, '-p', 'hi']);
    expect(agent.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.env.ANTHROPIC_API_KEY).toBe('sk-ant-test-key-0000');
  });

  it('routes the agent’s SDK requests through headroom and tags them with agent, session and project', async () => {
    const before = upstream.requests.length;
    const env = wrapEnv({ path: agentPath('claude') });
    const project = tempDir('project');
    const result = await runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', 'anthropic'], env, {
      cwd: project,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('anthropic: ');
    const received = upstream.requests.slice(before);
    expect(received.map((r) => r.path)).toEqual(['/v1/messages']);
    const auth = received[0]?.headers;
    expect(auth?.['x-api-key'] ?? auth?.authorization).toContain('sk-ant-test-key-0000');

    const sessionId = /session ([0-9a-f]{8})/.exec(result.stderr)?.[1];
    expect(sessionId, result.stderr).toBeDefined();
    expect(result.stderr).toContain('1 request');
    expect(result.stderr).toContain(`headroom stats --session ${sessionId}`);
    const store = await openStatsStore({ cacheDir: env.HEADROOM_CACHE_DIR as string }, { readOnly: true });
    try {
      const rows = await store.rows({ session: sessionId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ agent: 'claude', sessionId, path: '/v1/messages', status: 200 });
      expect(rows[0]?.project).toBe(project);
    } finally {
      await store.close();
    }
  });

  it('gives codex a per-run provider on the proxy before the user’s arguments', async () => {
    const report = join(tempDir('report'), 'agent.json');
    const before = upstream.requests.length;
    const env = wrapEnv({ path: agentPath('codex') });
    const result = await runHeadroom(
      ['wrap', 'codex', ...upstreamFlags(), '--', 'exec', `report=${report}`, 'openai-chat'],
      env,
    );
    expect(result.exitCode).toBe(0);
    const agent = readReport(report);
    const proxyUrl = agent.env.OPENAI_BASE_URL?.replace(/\/v1$/, '');
    expect(proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(agent.args).toEqual([
      '-c',
      'model_provider="headroom"',
      '-c',
      `model_providers.headroom={name="headroom",base_url="${proxyUrl}/v1",env_key="OPENAI_API_KEY",wire_api="responses"}`,
      'exec',
      `report=${report}`,
      'openai-chat',
    ]);
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['/v1/chat/completions']);
  });

  it('forwards to the base URL the user had already set instead of the public API', async () => {
    const report = join(tempDir('report'), 'agent.json');
    const before = upstream.requests.length;
    const env = wrapEnv({ path: agentPath('claude'), extra: { ANTHROPIC_BASE_URL: upstream.url } });
    const result = await runHeadroom(['wrap', 'claude', '--', `report=${report}`, 'anthropic'], env);
    expect(result.exitCode).toBe(0);
    expect(readReport(report).env.ANTHROPIC_BASE_URL).not.toBe(upstream.url);
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['/v1/messages']);
  });

  it('joins a running proxy with --proxy-url under its own session prefix', async () => {
    const proxy = await startTestProxy(upstream.url);
    try {
      const report = join(tempDir('report'), 'agent.json');
      const env = wrapEnv({ path: agentPath('claude') });
      const result = await runHeadroom(
        ['wrap', 'claude', '--proxy-url', proxy.url, '--', `report=${report}`, 'anthropic'],
        env,
      );
      expect(result.exitCode).toBe(0);
      const sessionId = /session ([0-9a-f]{8})/.exec(result.stderr)?.[1];
      expect(readReport(report).env.ANTHROPIC_BASE_URL).toBe(`${proxy.url}/s/${sessionId}`);
      expect(await proxy.store.session(sessionId as string)).toMatchObject({ agent: 'claude' });
      expect(await proxy.store.rows({ session: sessionId })).toHaveLength(1);
      expect(result.stderr).toContain('1 request');
    } finally {
      await proxy.close();
    }
  });

  it('counts the last turn in the summary of a session on a running proxy, written after the agent exits', async () => {
    // A turn whose command output is compressed: the agent has its answer and exits while the proxy is still
    // counting what the turn saved, before its row exists.
    const log = join(tempDir('output'), 'server.log');
    writeFileSync(log, realOutput('log-express-debug').text);
    const proxy = await startTestProxy(upstream.url);
    try {
      const env = wrapEnv({ path: agentPath('claude') });
      const result = await runHeadroom(
        ['wrap', 'claude', '--proxy-url', proxy.url, '--', `claude-code=${log}`],
        env,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const sessionId = /session ([0-9a-f]{8})/.exec(result.stderr)?.[1];
      expect(result.stderr).toContain(`headroom: claude session ${sessionId}: 1 request, `);
      const session = totals(await proxy.store.rows({ session: sessionId }));
      expect(session.tokensAfter).toBeLessThan(session.tokensBefore);
      expect(result.stderr).toContain(
        `${formatCount(session.tokensBefore)} → ${formatCount(session.tokensAfter)} tokens`,
      );
      expect((await proxy.store.session(sessionId as string))?.endedTs).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  it('runs the agent through headroom when the cache dir cannot be made, saying so in one line each', async () => {
    const before = upstream.requests.length;
    // A path under a file: no user, root included, can create it.
    const blocker = join(tempDir('blocked'), 'a-file');
    writeFileSync(blocker, '');
    const env = { ...wrapEnv({ path: agentPath('claude') }), HEADROOM_CACHE_DIR: join(blocker, 'cache') };
    const result = await runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', 'anthropic'], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('anthropic: ');
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['/v1/messages']);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^headroom: cannot keep the session log under .*a-file\/cache: ENOTDIR.*$/);
    expect(result.stderr).toMatch(/headroom: claude session [0-9a-f]{8}: 1 request/);
  });

  it('prints nothing while the agent runs, and the summary once it exits', async () => {
    const ready = join(tempDir('ready'), 'pid');
    const env = wrapEnv({ path: agentPath('claude') });
    const run = runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', `ready=${ready}`, 'sleep=500'], env);
    let stderr = '';
    run.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitForFile(ready);
    await sleep(300);
    expect(stderr).toBe('');
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^headroom: claude session [0-9a-f]{8}: no model requests went through headroom\n/,
    );
  });
});

describe('headroom wrap: exit codes and signals', () => {
  it('exits 3 when the agent exits 3, and suggests headroom learn', async () => {
    const env = wrapEnv({ path: agentPath('claude') });
    const result = await runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', 'exit=3'], env);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('claude exited with code 3');
    expect(result.stderr).toContain(
      '`headroom learn --agent claude` turns what went wrong in its session logs into rules for CLAUDE.md',
    );
  });

  it('dies by SIGTERM when the agent is killed by SIGTERM', async () => {
    const env = wrapEnv({ path: agentPath('claude') });
    const result = await runHeadroom(['wrap', 'claude', ...upstreamFlags(), '--', 'kill-self=SIGTERM'], env);
    expect(result.signal).toBe('SIGTERM');
    expect(result.exitCode).toBeUndefined();
  });

  it('passes a SIGINT sent to headroom on to the agent, which exits 130', async () => {
    const ready = join(tempDir('ready'), 'pid');
    const env = wrapEnv({ path: agentPath('claude') });
    const run = runHeadroom(
      ['wrap', 'claude', ...upstreamFlags(), '--', 'on-signal=SIGINT:130', `ready=${ready}`, 'sleep=60000'],
      env,
    );
    await waitForFile(ready);
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
  });

  it('forwards SIGTERM and SIGHUP to the agent', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const ready = join(tempDir('ready'), 'pid');
      const env = wrapEnv({ path: agentPath('claude') });
      const run = runHeadroom(
        [
          'wrap',
          'claude',
          ...upstreamFlags(),
          '--',
          `on-signal=${signal}:${code}`,
          `ready=${ready}`,
          'sleep=60000',
        ],
        env,
      );
      await waitForFile(ready);
      run.kill(signal);
      expect((await run).exitCode).toBe(code);
    }
  });

  it('survives a window-size change (SIGWINCH) without disturbing the agent', async () => {
    const ready = join(tempDir('ready'), 'pid');
    const env = wrapEnv({ path: agentPath('claude') });
    const run = runHeadroom(
      ['wrap', 'claude', ...upstreamFlags(), '--', `ready=${ready}`, 'sleep=700', 'exit=4'],
      env,
    );
    await waitForFile(ready);
    run.kill('SIGWINCH');
    expect((await run).exitCode).toBe(4);
  });

  it('leaves none of the agent’s descendants running, even one that ignores SIGTERM', async () => {
    const pidsFile = join(tempDir('tree'), 'pids.json');
    const env = wrapEnv({ path: agentPath('claude') });
    const result = await runHeadroom(
      ['wrap', 'claude', ...upstreamFlags(), '--', `spawn-tree=${pidsFile}`, 'exit=0'],
      env,
    );
    expect(result.exitCode).toBe(0);
    const pids = JSON.parse(await waitForFile(pidsFile)) as number[];
    expect(pids).toHaveLength(3);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('cleans up the descendants of an agent that was killed', async () => {
    const pidsFile = join(tempDir('tree'), 'pids.json');
    const env = wrapEnv({ path: agentPath('claude') });
    const result = await runHeadroom(
      ['wrap', 'claude', ...upstreamFlags(), '--', `spawn-tree=${pidsFile}`, 'kill-self=SIGKILL'],
      env,
    );
    expect(result.signal).toBe('SIGKILL');
    const pids = JSON.parse(await waitForFile(pidsFile)) as number[];
    expect(pids.filter(alive)).toEqual([]);
  });
});

describe('headroom wrap: errors', () => {
  it('names the known agents when the agent is unknown (exit 2)', async () => {
    const result = await runHeadroom(['wrap', 'vim'], wrapEnv({ path: agentPath() }));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'headroom: unknown agent "vim" (known: claude, codex, aider, gemini, copilot, cursor, opencode)',
    );
  });

  it('says how to install an agent that is not on PATH (exit 127)', async () => {
    const result = await runHeadroom(['wrap', 'claude'], wrapEnv({ path: agentPath('codex') }));
    expect(result.exitCode).toBe(127);
    expect(result.stderr.trim()).toBe(
      'headroom: cannot start claude: not found on PATH (install: npm i -g @anthropic-ai/claude-code)',
    );
  });

  it('names the port when --port is busy (exit 1)', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await runHeadroom(
        ['wrap', 'claude', '--port', String(port)],
        wrapEnv({ path: agentPath('claude') }),
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`port ${port}`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      busy.close();
    }
  });

  it('warns once when the upstream cannot be reached, and still runs the agent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runHeadroom(
      ['wrap', 'claude', '--anthropic-upstream', dead, '--', 'print=ran'],
      wrapEnv({ path: agentPath('claude') }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('ran');
    expect(result.stderr.match(/warning: cannot reach/g)).toHaveLength(1);
    expect(result.stderr).toContain(dead);
  });

  it('hints at -- when an agent flag collides with a headroom flag', async () => {
    const result = await runHeadroom(['wrap', 'claude', '-p', 'hi'], wrapEnv({ path: agentPath('claude') }));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('agent arguments go after --');
  });

  it('refuses copilot without a bring-your-own-key provider, saying what to set (exit 2)', async () => {
    const result = await runHeadroom(['wrap', 'copilot'], wrapEnv({ path: agentPath('copilot') }));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('COPILOT_PROVIDER_BASE_URL');
  });
});

describe('headroom wrap cursor', () => {
  it('serves the proxy, prints the settings to paste, and stops cleanly on Ctrl-C', async () => {
    const run = runHeadroom(['wrap', 'cursor', ...upstreamFlags()], wrapEnv({ path: agentPath() }));
    let stderr = '';
    const printed = new Promise<void>((resolve) =>
      run.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Ctrl-C')) resolve();
      }),
    );
    await printed;
    const url = /Override OpenAI Base URL: (\S+)/.exec(stderr)?.[1];
    const health = await fetch(`${url?.replace(/\/v1$/, '')}/health`);
    expect(health.status).toBe(200);
    run.kill('SIGINT');
    expect((await run).exitCode).toBe(0);
  });
});
