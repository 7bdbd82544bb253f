import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execa, type ResultPromise } from 'execa';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { until as untilTimeout } from './helpers/until.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'run.js');
const socket = `headroom-stats-test-${process.pid}`;
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'stats');
const until = <T>(get: () => T | undefined | null | false, what: string) =>
  untilTimeout(get, () => `${what}; screen:\n${screen()}`, 15_000);

let upstream: FakeUpstream;
let proxy: ResultPromise;
let proxyUrl: string;
let dir: string;

beforeAll(async () => {
  if (!hasTmux) return;
  // One server for the whole file: by default it exits with its last session, and a test's new session could
  // reach it mid-exit ("server exited unexpectedly").
  tmux('start-server', ';', 'set-option', '-g', 'exit-empty', 'off');
  dir = mkdtempSync(join(tmpdir(), 'headroom-tmux-'));
  upstream = await startFakeUpstream();
  proxy = execa(
    'node',
    [bin, 'proxy', '--port', '0', '--anthropic-upstream', upstream.url, '--openai-upstream', upstream.url],
    {
      env: { HEADROOM_CACHE_DIR: join(dir, 'cache'), HEADROOM_CONFIG_DIR: join(dir, 'config') },
      reject: false,
    },
  );
  proxyUrl = await new Promise<string>((resolve, reject) => {
    let seen = '';
    proxy.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    });
    void proxy.then((result) => reject(new Error(`proxy exited: ${result.stderr}`)));
  });
});

afterAll(async () => {
  if (!hasTmux) return;
  tmux('kill-server');
  proxy?.kill('SIGTERM');
  await proxy;
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Environment of a user's shell, not the test runner's. */
function userShell(extra = ''): string {
  return `env -i PATH='${process.env.PATH}' HOME='${dir}' TERM=tmux-256color HEADROOM_CACHE_DIR='${join(dir, 'cache')}' HEADROOM_CONFIG_DIR='${join(dir, 'config')}' ${extra}`;
}

/** Start `headroom stats [args]` in a new 100x30 tmux session; `then` runs in the shell after it exits. */
function openStats(session: string, extraEnv = '', then = '', args = ''): void {
  const command = `${userShell(extraEnv)} '${process.execPath}' '${bin}' stats ${args}${then ? `; ${then}` : ''}`;
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
}

describe.skipIf(!hasTmux)('headroom stats in a real terminal', () => {
  it('shows new turns live, follows keys, fits a resize, and exits 0 on q', async () => {
    const exitFile = join(dir, 'exit-code');
    openStats('stats', '', `echo $? > '${exitFile}'`);
    await until(() => screen().includes('requests 0'), 'the empty view');
    expect(screen()).toContain('q quit');

    const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `${proxyUrl}/s/live-1`, maxRetries: 0 });
    await claude.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'What broke the build?' }],
    });
    await until(() => screen().includes('requests 1'), 'the first turn');
    expect(screen()).toMatch(/\d\d:\d\d:\d\d\s+claude-sonnet-4-6/);

    const codex = new OpenAI({ apiKey: 'sk-test', baseURL: `${proxyUrl}/s/live-2/v1`, maxRetries: 0 });
    await codex.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ls' }] });
    await until(() => screen().includes('requests 2'), 'the second turn, without restarting');
    expect(screen()).toContain('SESSIONS (2)');

    tmux('send-keys', '-t', 'stats', 'j');
    await until(() => /› .*live-1/.test(screen()), 'the selection to move to the older session');
    tmux('send-keys', '-t', 'stats', 'Enter');
    await until(() => screen().includes('esc back'), 'the session to open');
    expect(screen()).toMatch(/› \d\d:\d\d:\d\d\s+claude-sonnet-4-6/);
    tmux('send-keys', '-t', 'stats', 'Escape');
    await until(() => screen().includes('SESSIONS (2)'), 'going back');

    tmux('resize-window', '-t', 'stats', '-x', '60', '-y', '24');
    await until(() => screen().split('\n')[0]?.startsWith('headroom stats'), 'a redraw after the resize');
    await until(() => screen().includes('q quit'), 'the footer after the resize');
    for (const line of screen().split('\n')) expect(line.length).toBeLessThanOrEqual(60);

    tmux('send-keys', '-t', 'stats', 'q');
    const code = await until(
      () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined),
      'the TUI to exit',
    );
    expect(code).toBe('0');
  });

  it('draws without colour when NO_COLOR is set', async () => {
    const styled = /\x1b\[[0-9;]*m/;
    const capture = (session: string) => tmux('capture-pane', '-e', '-p', '-t', session);
    openStats('colour');
    openStats('plain', 'NO_COLOR=1');
    await untilTimeout(
      () => capture('colour').includes('q quit') && capture('plain').includes('q quit'),
      'both views',
    );
    expect(capture('colour')).toMatch(styled);
    expect(capture('plain')).not.toMatch(styled);
    tmux('send-keys', '-t', 'colour', 'q');
    tmux('send-keys', '-t', 'plain', 'q');
  });

  it('asks before resetting on a terminal and keeps everything unless the answer is yes', async () => {
    const pane = (session: string) => tmux('capture-pane', '-p', '-t', session);
    openStats('keep', '', 'sleep 5', '--reset');
    await untilTimeout(
      () => /Delete all \d+ recorded requests in .*stats\.db\? \[y\/N\]/.test(pane('keep')),
      'the question',
    );
    tmux('send-keys', '-t', 'keep', 'n', 'Enter');
    await untilTimeout(() => pane('keep').includes('stats kept'), 'the answer to be honoured');

    openStats('wipe', '', 'sleep 5', '--reset');
    await untilTimeout(() => pane('wipe').includes('[y/N]'), 'the question');
    tmux('send-keys', '-t', 'wipe', 'y', 'Enter');
    await untilTimeout(() => /stats reset: [1-9]\d* requests deleted/.test(pane('wipe')), 'the reset');
  });
});
