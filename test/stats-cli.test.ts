import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy/server.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { startTestProxy, waitForRows } from './helpers/proxy.js';

const bin = join(import.meta.dirname, '..', 'bin', 'run.js');

let upstream: FakeUpstream;
let proxy: RunningProxy;
let cacheDir: string;

function stats(args: string[], options: { reject?: boolean } = {}) {
  return execa('node', [bin, 'stats', '--cache-dir', cacheDir, ...args], {
    reject: options.reject ?? true,
    env: { NO_COLOR: '1' },
    stdin: 'ignore',
  });
}

async function statsJson(args: string[] = []) {
  const { stdout } = await stats([...args, '--json']);
  return JSON.parse(stdout);
}

async function registerSession(id: string, agent: string, project: string) {
  const res = await fetch(`${proxy.url}/admin/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, agent, project }),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  proxy = await startTestProxy(upstream.url);
  cacheDir = proxy.store.location.replace(/[/\\]stats\.db$/, '');
  await registerSession('alpha', 'claude', '/repo/webshop');
  await registerSession('beta', 'codex', '/repo/api');
  const claude = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `${proxy.url}/s/alpha`, maxRetries: 0 });
  const codex = new OpenAI({ apiKey: 'sk-test', baseURL: `${proxy.url}/s/beta/v1`, maxRetries: 0 });
  await claude.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Why does the build fail?' }],
  });
  const stream = await claude.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    stream: true,
    messages: [{ role: 'user', content: 'And how do I fix it?' }],
  });
  for await (const _event of stream) {
    // Drain the stream so the proxy records the whole exchange.
  }
  await codex.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'List the files' }],
  });
  await codex.chat.completions.create({
    model: 'local-llama',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  await waitForRows(proxy, 4);
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

describe('headroom stats as data', () => {
  it('reports the requests a real proxy recorded, per session, with agents from session registration', async () => {
    const report = await statsJson();
    expect(report.totals.requests).toBe(4);
    expect(report.totals.outputTokens).toBe(4 * 42);
    expect(report.totals.unpriced).toBe(1);
    const byId = Object.fromEntries(report.sessions.map((s: { id: string }) => [s.id, s]));
    expect(byId.alpha).toMatchObject({ agent: 'claude', project: '/repo/webshop', turns: 2 });
    expect(byId.beta).toMatchObject({ agent: 'codex', project: '/repo/api', turns: 2 });
    expect(report.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('narrows to one agent, one project or one session, and lists that session’s turns', async () => {
    expect((await statsJson(['--agent', 'codex'])).totals.requests).toBe(2);
    expect((await statsJson(['--project', '/repo/webshop'])).totals.requests).toBe(2);
    const alpha = await statsJson(['--session', 'alpha']);
    expect(alpha.filters).toEqual({ session: 'alpha' });
    expect(alpha.turns).toHaveLength(2);
    expect(alpha.turns.map((t: { model: string }) => t.model)).toEqual([
      'claude-sonnet-4-6',
      'claude-sonnet-4-6',
    ]);
    const beta = await statsJson(['--session', 'beta']);
    const llama = beta.turns.find((t: { model: string }) => t.model === 'local-llama');
    expect(llama.moneySaved).toBeNull();
  });

  it('takes any unique start of a session id, as the live view shows them, and says when one is not', async () => {
    const alp = await statsJson(['--session', 'alp']);
    expect(alp.filters).toEqual({ session: 'alpha' });
    expect(alp.turns).toHaveLength(2);
    const none = await stats(['--session', 'zzz'], { reject: false });
    expect(none.exitCode).toBe(2);
    expect(none.stderr.trim()).toBe(
      'headroom: no recorded session starts with "zzz" (headroom stats lists the sessions)',
    );
  });

  it('totals the requests per model, per agent and per day with --by', async () => {
    const byModel = await statsJson(['--by', 'model']);
    expect(byModel.by).toBe('model');
    expect(byModel.groups.map((g: { key: string }) => g.key)).toEqual([
      'claude-sonnet-4-6',
      'gpt-4o',
      'local-llama',
    ]);
    expect(byModel.groups[0].totals.requests).toBe(2);
    const byAgent = await statsJson(['--by', 'agent']);
    expect(
      byAgent.groups.map((g: { key: string; totals: { requests: number } }) => [g.key, g.totals.requests]),
    ).toEqual([
      ['claude', 2],
      ['codex', 2],
    ]);
    const byDay = await statsJson(['--by', 'day']);
    expect(byDay.groups).toHaveLength(1);
    expect(byDay.groups[0].key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const { stdout } = await stats(['--by', 'model']);
    expect(stdout).toMatch(/^BY MODEL$/m);
    expect(stdout).toMatch(/^claude-sonnet-4-6\s+2\s/m);
  });

  it('keeps only the requests inside --since', async () => {
    expect((await statsJson(['--since', '10m'])).totals.requests).toBe(4);
    const { exitCode, stderr } = await stats(['--since', 'soon'], { reject: false });
    expect(exitCode).toBe(2);
    expect(stderr.trim()).toBe('headroom: cannot read duration "soon" (use e.g. 30m, 24h, 7d, 2w or 1h30m)');
  });

  it('exports one CSV line per request under a header', async () => {
    const { stdout } = await stats(['--csv']);
    const lines = stdout.trimEnd().split(/\r\n/);
    expect(lines[0]?.split(',').slice(0, 7)).toEqual([
      'id',
      'time',
      'agent',
      'session_id',
      'project',
      'provider',
      'model',
    ]);
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.includes(',alpha,'))).toHaveLength(2);
    expect(lines.some((l) => l.includes(',local-llama,'))).toBe(true);
  });

  it('prints a plain table when the output is not a terminal', async () => {
    const { stdout } = await stats([]);
    expect(stdout).toMatch(/^headroom stats: all time/);
    expect(stdout).toMatch(/requests\s+4/);
    expect(stdout).toMatch(/claude\s+\/repo\/webshop/);
    expect(stdout).toContain('prices as of');
  });

  it('refuses to reset without --yes when nobody can confirm, and empties the store with it', async () => {
    const refused = await stats(['--reset'], { reject: false });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.trim()).toBe('headroom: refusing to reset stats without confirmation: pass --yes');
    expect((await statsJson()).totals.requests).toBe(4);

    const { stdout } = await stats(['--reset', '--yes']);
    expect(stdout.trim()).toBe('stats reset: 4 requests deleted');
    const after = await statsJson();
    expect(after.totals.requests).toBe(0);
    expect(after.sessions).toEqual([]);
  });
});
