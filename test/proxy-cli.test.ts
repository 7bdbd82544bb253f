// `headroom proxy` as users run it: a real child process of the built CLI, on a free loopback port.
// Needs `npm run build` first (the `npm test` script does it).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { anthropicEvents, type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { spawnProxyProcess } from './helpers/proxy-process.js';
import { realOutput } from './helpers/real-outputs.js';
import { until } from './helpers/until.js';

const bin = join(import.meta.dirname, '..', 'bin', 'run.js');
let upstream: FakeUpstream;
const children: ResultPromise[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterEach(() => {
  upstream.script(undefined);
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(async () => {
  await upstream?.close();
});

function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-cli-config-')),
    HEADROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'headroom-cli-cache-')),
    HEADROOM_ANTHROPIC_UPSTREAM: upstream.url,
    HEADROOM_OPENAI_UPSTREAM: upstream.url,
    ...extra,
  };
}

/** The rows in the stats store of `env`'s cache dir, read once the proxy is gone. */
function statsRows(env: Record<string, string>): number {
  const db = new Database(join(env.HEADROOM_CACHE_DIR as string, 'stats.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Spawn `headroom proxy` and resolve with its URL once it prints the listening line. */
const spawnProxy = (args: string[], env: Record<string, string> = cliEnv()) =>
  spawnProxyProcess(args, env, children);

const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'What changed in the last commit?' }],
};

describe('headroom proxy', () => {
  it('prints the port it picked and forwards requests', async () => {
    const { url } = await spawnProxy([]);
    const message = await new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: url,
      maxRetries: 0,
    }).messages.create(params);
    expect(message.type).toBe('message');
  });

  it('starts and records requests over a stats file that is no database, moving it aside with a warning', async () => {
    const env = cliEnv();
    writeFileSync(join(env.HEADROOM_CACHE_DIR as string, 'stats.db'), randomBytes(20_000));
    const proxy = await spawnProxy([], env);
    const message = await new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: proxy.url,
      maxRetries: 0,
    }).messages.create(params);
    expect(message.type).toBe('message');
    expect(proxy.stderr()).toMatch(
      /stats\.db is unreadable .*moved it to .*stats\.db\.corrupt-\d+ and started a new one/,
    );
    expect(
      readdirSync(env.HEADROOM_CACHE_DIR as string).filter((f) => f.startsWith('stats.db.corrupt-')),
    ).toHaveLength(1);
  });

  it('finishes an in-flight stream on SIGTERM, refuses new connections, and exits 0', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    upstream.script((req) => ({
      kind: 'sse',
      events: anthropicEvents(req),
      holdAfter: 2,
      release: released,
    }));
    const { child, url } = await spawnProxy([]);
    const stream = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }).messages.stream(
      params,
    );
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (seen.length === 1) {
        child.kill('SIGTERM');
        await new Promise((resolve) => setTimeout(resolve, 300));
        await expect(request(`${url}/health`)).rejects.toThrow(/ECONNREFUSED|other side closed|ECONNRESET/);
        release();
      }
    }
    expect(seen.at(-1)).toBe('message_stop');
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it('stops on SIGHUP (the terminal closed) as on SIGTERM: the row is written and the runtime file gone', async () => {
    const env = cliEnv();
    const { child, url, stderr } = await spawnProxy([], env);
    await new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }).messages.create(params);
    const pid = child.pid!;
    child.kill('SIGHUP');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(stderr()).toContain('SIGHUP received, finishing in-flight requests');
    expect(statsRows(env)).toBe(1);
    expect(readdirSync(env.HEADROOM_CACHE_DIR as string, { recursive: true })).not.toContainEqual(
      expect.stringContaining(`proxy-${pid}.json`),
    );
  });

  it('exits at once on a second signal, with that signal’s exit code, while a stream still holds the first', async () => {
    upstream.script((req) =>
      req.json().stream
        ? { kind: 'sse', events: anthropicEvents(req), holdAfter: 1, release: new Promise(() => {}) }
        : undefined,
    );
    const env = cliEnv();
    const { child, url, stderr } = await spawnProxy([], env);
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 });
    await client.messages.create(params);
    // A stream the upstream never finishes keeps the graceful stop waiting.
    const held = client.messages.stream(params);
    // The first event, read without ending the iteration (a `break` would abort the stream).
    await held[Symbol.asyncIterator]().next();
    child.kill('SIGTERM');
    await until(() => stderr().includes('SIGTERM received') || undefined, 'the stop line', 5000);
    const asked = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - asked).toBeLessThan(5000);
  });

  it('refuses a non-loopback host without HEADROOM_API_KEY, in one line', async () => {
    const result = await execa('node', [bin, 'proxy', '--host', '0.0.0.0', '--port', '0'], {
      env: cliEnv(),
      reject: false,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^headroom: refusing to listen on 0\.0\.0\.0 without a key: set HEADROOM_API_KEY/,
    );
  });

  it('requires x-headroom-key on every request when HEADROOM_API_KEY is set, and does not forward it', async () => {
    const { url } = await spawnProxy([], cliEnv({ HEADROOM_API_KEY: 'proxy-secret-1' }));
    const before = upstream.requests.length;
    const denied = await new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }).messages
      .create(params)
      .catch((e: unknown) => e);
    expect((denied as InstanceType<typeof Anthropic.APIError>).status).toBe(401);
    expect(JSON.stringify((denied as InstanceType<typeof Anthropic.APIError>).error)).toContain(
      'x-headroom-key',
    );
    const stats = await request(`${url}/stats`);
    expect(stats.statusCode).toBe(401);
    await stats.body.dump();
    expect(upstream.requests.length).toBe(before);

    const client = new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: url,
      maxRetries: 0,
      defaultHeaders: { 'x-headroom-key': 'proxy-secret-1' },
    });
    expect((await client.messages.create(params)).type).toBe('message');
    const forwarded = upstream.requests[before]!;
    expect(forwarded.headers['x-headroom-key']).toBeUndefined();
    expect(forwarded.headers.authorization).toBe('Bearer sk-ant-test');
    // The refused request has its row, saying why (rows are written shortly after each answer).
    let refused: { status: number; error: string | null } | undefined;
    for (let tries = 0; !refused && tries < 50; tries++) {
      const rows = await request(`${url}/stats`, { headers: { 'x-headroom-key': 'proxy-secret-1' } });
      const { recent } = (await rows.body.json()) as {
        recent: Array<{ status: number; error: string | null }>;
      };
      refused = recent.find((row) => row.status === 401);
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refused?.error).toMatch(/^refused: this proxy needs its key/);
  });

  it('logs one line per request with --verbose, without the API key', async () => {
    const { child, url, stderr } = await spawnProxy(['--verbose']);
    await new Anthropic({
      apiKey: 'sk-ant-api03-very-secret-value',
      baseURL: url,
      maxRetries: 0,
    }).messages.create(params);
    const deadline = Date.now() + 15_000;
    while (!/POST \/v1\/messages 200/.test(stderr()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stderr()).toMatch(/debug POST \/v1\/messages 200 \d+ms tokens \d+→\d+ claude-sonnet-4-6/);
    expect(stderr()).not.toContain('very-secret-value');
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });

  it('shows tokens before → after and the transforms used, in the --verbose line and in /stats', async () => {
    const { child, url, stderr } = await spawnProxy(['--verbose']);
    const log = realOutput('log-express-debug');
    await new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 }).messages.create({
      ...params,
      messages: anthropicConversation(turnsFor([log])) as Anthropic.MessageParam[],
    });
    const line = await until(
      () => /debug POST \/v1\/messages 200 \d+ms tokens (\d+)→(\d+) \[logs×1\]/.exec(stderr()),
      () => `the request line in ${stderr()}`,
      15_000,
    );
    expect(Number(line[1])).toBeGreaterThan(Number(line[2]) * 2);
    const stats = (await (await request(`${url}/stats`)).body.json()) as {
      recent: Record<string, unknown>[];
    };
    expect(stats.recent[0]).toMatchObject({
      tokensBefore: Number(line[1]),
      tokensAfter: Number(line[2]),
      transforms: { logs: 1 },
    });
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });

  it('names the port in use when it cannot listen', async () => {
    const { url } = await spawnProxy([]);
    const port = new URL(url).port;
    const result = await execa('node', [bin, 'proxy', '--port', port], { env: cliEnv(), reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      `headroom: port ${port} on 127.0.0.1 is in use (pick another with --port, or --port 0 for a free one)`,
    );
  });
});
