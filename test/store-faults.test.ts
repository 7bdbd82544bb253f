// The stores under the built proxy, in a child process, when the machine gets in the way: a disk that fills
// up, a cache dir the proxy may not write, a proxy killed with SIGKILL while it records. The agent's requests
// are answered throughout, each problem is said once in one line, nothing points at an original that was
// not kept, no row the proxy reported written is lost, and a restart once the problem is gone records again.

import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { openOriginalStore, openStatsStore } from '../src/store/index.js';
import { statsDbPath } from '../src/store/sqlite/stats.js';
import type { RequestRow } from '../src/store/types.js';
import { anthropicConversation, turnsFor } from './helpers/conversation.js';
import { PROMPTLY } from './helpers/proxy.js';
import {
  type ProxyProcess,
  type ProxyProcessOptions,
  proxyChildrenPerFile,
  spawnProxyProcess,
} from './helpers/proxy-process.js';
import { realOutput } from './helpers/real-outputs.js';
import { until } from './helpers/until.js';

const proxies = proxyChildrenPerFile();
const { children } = proxies;

// Each case starts the built proxy two to four times; on a loaded machine that alone takes a while.
const SLOW = { timeout: 120_000 };

const headers = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};
const log = realOutput('log-express-debug');

/** A config dir and a cache dir of its own for a proxy, its upstream the fake. */
function proxyEnv(cacheDir = mkdtempSync(join(tmpdir(), 'headroom-store-faults-cache-'))) {
  return {
    HEADROOM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'headroom-store-faults-config-')),
    HEADROOM_CACHE_DIR: cacheDir,
    HEADROOM_ANTHROPIC_UPSTREAM: proxies.upstream.url,
  };
}

/** A Claude request whose tool output is the server log, made distinct by `run` so each has its own original. */
function conversation(run: number): string {
  const item = { ...log, text: `run ${run}\n${log.text}` };
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: anthropicConversation(turnsFor([item])),
  });
}

/** Send `body` through the proxy; resolves with the status and the bytes the upstream received. */
async function ask(proxy: ProxyProcess, body: string) {
  const before = proxies.upstream.requests.length;
  const response = await request(`${proxy.url}/v1/messages`, { method: 'POST', headers, body, ...PROMPTLY });
  await response.body.dump();
  return { status: response.statusCode, forwarded: proxies.upstream.requests[before]?.body };
}

/** The warning lines a proxy printed. */
const warnings = (proxy: ProxyProcess) =>
  proxy
    .stderr()
    .split('\n')
    .filter((line) => / warn /.test(line));

/** What a proxy printed besides its own log lines: a stack trace, an uncaught error, a process warning. */
const unexpectedOutput = (proxy: ProxyProcess) =>
  proxy
    .stderr()
    .split('\n')
    .filter((line) => line !== '' && !/^\S+Z (info|warn) {2}headroom: /.test(line));

/** The ids of the originals a forwarded body points at. */
const markerIds = (body: Buffer) =>
  [...body.toString('utf8').matchAll(/headroom_retrieve id=(hr_[0-9a-f]{12})/g)].map((match) => match[1]!);

/** Stop the proxy as a user does (SIGTERM: in-flight requests finish, rows are written) and wait for it. */
function stop(proxy: ProxyProcess) {
  proxy.child.kill('SIGTERM');
  return proxy.child;
}

function integrity(file: string): unknown {
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

async function rowsIn(cacheDir: string): Promise<RequestRow[]> {
  const store = await openStatsStore({ cacheDir }, { readOnly: true });
  try {
    return await store.rows();
  } finally {
    await store.close();
  }
}

describe('a disk that fills up', SLOW, () => {
  it('keeps answering, says so once per store, sends nothing pointing at an unkept original, and writes again after a restart with room', async () => {
    const env = proxyEnv();
    // Every file the proxy writes stops at 256 KB: the originals first, then the stats rows, run out of room.
    const full = await spawnProxyProcess([], env, children, { fileSizeLimit: 256 * 1024 });
    const sent: { body: string; forwarded: Buffer }[] = [];
    const send = async () => {
      const body = conversation(sent.length);
      const { status, forwarded } = await ask(full, body);
      expect(status).toBe(200);
      sent.push({ body, forwarded: forwarded! });
      // Rows are written in batches a moment after each answer: give each its own.
      await new Promise((resolve) => setTimeout(resolve, 80));
    };
    while (warnings(full).length < 2 && sent.length < 200) await send();
    // Once both stores are full, more requests are answered without another word.
    for (let more = 0; more < 5; more++) await send();
    expect(full.child.exitCode).toBeNull();
    const said = warnings(full);
    expect(said).toHaveLength(2);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/headroom: originals store .*originals\.db: /),
        expect.stringMatching(
          /headroom: cannot write \d+ stats rows to .*stats\.db: .*; rows are dropped until a write succeeds$/,
        ),
      ]),
    );
    // Compressed until the originals no longer fit, then sent as the agent wrote them.
    const compressed = sent.filter(({ body, forwarded }) => forwarded.length < Buffer.byteLength(body));
    const whole = sent.filter(({ body, forwarded }) => forwarded.equals(Buffer.from(body)));
    expect(compressed.length).toBeGreaterThan(0);
    expect(whole.length).toBeGreaterThan(0);
    expect(compressed.length + whole.length).toBe(sent.length);
    expect((await stop(full)).exitCode).toBe(0);
    expect(unexpectedOutput(full)).toEqual([]);

    for (const file of ['stats.db', 'originals.db'])
      expect(integrity(join(env.HEADROOM_CACHE_DIR, file))).toBe('ok');
    const originals = await openOriginalStore({ cacheDir: env.HEADROOM_CACHE_DIR });
    try {
      for (const { forwarded } of compressed) {
        for (const id of markerIds(forwarded)) expect(await originals.has(id), id).toBe(true);
      }
    } finally {
      await originals.close();
    }
    const recorded = await rowsIn(env.HEADROOM_CACHE_DIR);
    expect(recorded.length).toBeLessThan(sent.length);
    // The rows written before the stats ran out of room too say why those requests went out whole.
    expect(recorded.map((row) => row.compressError)).toContain(
      `the originals could not be kept in ${join(env.HEADROOM_CACHE_DIR, 'originals.db')}; forwarded as sent`,
    );

    const roomy = await spawnProxyProcess([], env, children);
    const again = await ask(roomy, conversation(1000));
    expect(again.status).toBe(200);
    const ids = markerIds(again.forwarded!);
    expect(ids.length).toBeGreaterThan(0);
    await until(async () => (await rowsIn(env.HEADROOM_CACHE_DIR)).length > recorded.length, 'the new row');
    expect(warnings(roomy)).toEqual([]);
    await stop(roomy);
    const kept = await openOriginalStore({ cacheDir: env.HEADROOM_CACHE_DIR });
    expect(await kept.has(ids[0]!)).toBe(true);
    await kept.close();
  });
});

describe('a cache dir the proxy may not write', SLOW, () => {
  const options: ProxyProcessOptions = { boundByPermissions: true };

  it('starts and answers with its stores in memory, says so once, and records in the dir after a restart with permission', async () => {
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'headroom-store-faults-')), 'cache');
    mkdirSync(cacheDir, { mode: 0o500 });
    chmodSync(cacheDir, 0o500);
    const env = proxyEnv(cacheDir);
    const readOnly = await spawnProxyProcess([], env, children, options);
    const said = warnings(readOnly);
    expect(said).toEqual([
      expect.stringMatching(
        /headroom: cannot open the stats store .*stats\.db: .*; this proxy keeps its stats in memory until it exits$/,
      ),
      expect.stringMatching(
        /headroom: cannot open the originals store .*originals\.db .*; originals are kept in memory until headroom exits$/,
      ),
      expect.stringMatching(/headroom: cannot announce the proxy in /),
    ]);
    for (let run = 0; run < 3; run++) {
      const { status, forwarded } = await ask(readOnly, conversation(run));
      expect(status).toBe(200);
      expect(markerIds(forwarded!).length).toBeGreaterThan(0);
    }
    const stats = await until(async () => {
      const response = await request(`${readOnly.url}/stats`);
      const body = (await response.body.json()) as { totals: { requests: number } };
      return body.totals.requests === 3 && body;
    }, 'three rows in /stats');
    expect(stats.totals.requests).toBe(3);
    // Nothing more was said while it answered.
    expect(warnings(readOnly)).toEqual(said);
    expect((await stop(readOnly)).exitCode).toBe(0);
    expect(unexpectedOutput(readOnly)).toEqual([]);

    chmodSync(cacheDir, 0o700);
    const writable = await spawnProxyProcess([], env, children, options);
    expect((await ask(writable, conversation(3))).status).toBe(200);
    await until(async () => (await rowsIn(cacheDir)).length === 1, 'the row in stats.db');
    expect(warnings(writable)).toEqual([]);
    await stop(writable);
  });

  it('starts over a stats file it may not write and answers with its stats in memory', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-store-faults-cache-'));
    const env = proxyEnv(cacheDir);
    const first = await spawnProxyProcess([], env, children);
    expect((await ask(first, conversation(0))).status).toBe(200);
    await until(async () => (await rowsIn(cacheDir)).length === 1, 'the first row');
    await stop(first);
    chmodSync(statsDbPath(cacheDir), 0o400);

    const second = await spawnProxyProcess([], env, children, options);
    expect(warnings(second)).toEqual([
      expect.stringMatching(
        /headroom: cannot open the stats store .*stats\.db: .*; this proxy keeps its stats in memory until it exits$/,
      ),
    ]);
    expect((await ask(second, conversation(1))).status).toBe(200);
    expect((await stop(second)).exitCode).toBe(0);
    expect(await rowsIn(cacheDir)).toHaveLength(1);
  });
});

/** Rows as `/stats/stream` announces them: each once the store has written it. */
async function followRows(proxy: ProxyProcess, into: RequestRow[]): Promise<void> {
  const response = await request(`${proxy.url}/stats/stream`);
  let buffered = '';
  response.body.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = /^event: request\ndata: (.*)$/s.exec(event)?.[1];
      if (data) into.push(JSON.parse(data) as RequestRow);
    }
  });
  response.body.on('error', () => {});
}

/** Requests from `clients` loops at once, each under a session of its own, until `stopped` says so. */
function load(
  proxy: ProxyProcess,
  clients: number,
  stopped: () => boolean,
  answered: string[],
): Promise<unknown> {
  const body = JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Which test fails first?' }],
  });
  return Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; !stopped(); i++) {
        const session = `${proxy.child.pid}-${client}-${i}`;
        try {
          const response = await request(`${proxy.url}/s/${session}/v1/messages`, {
            method: 'POST',
            headers,
            body,
          });
          await response.body.dump();
          if (response.statusCode === 200) answered.push(session);
        } catch {
          return;
        }
      }
    }),
  );
}

describe('a proxy stopped while it records', SLOW, () => {
  it('loses no row it reported written when killed with SIGKILL three times under load, and its store opens intact', async () => {
    const env = proxyEnv();
    const acknowledged: RequestRow[] = [];
    const rounds: ProxyProcess[] = [];
    for (let round = 0; round < 3; round++) {
      const proxy = await spawnProxyProcess([], env, children);
      rounds.push(proxy);
      const seen: RequestRow[] = [];
      await followRows(proxy, seen);
      let killed = false;
      const loading = load(proxy, 8, () => killed, []);
      await until(() => seen.length >= 60, 'rows written under load', 20_000);
      proxy.child.kill('SIGKILL');
      killed = true;
      await proxy.child;
      await loading;
      acknowledged.push(...seen);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(180);
    expect(integrity(statsDbPath(env.HEADROOM_CACHE_DIR))).toBe('ok');
    const stored = new Map((await rowsIn(env.HEADROOM_CACHE_DIR)).map((row) => [row.id, row]));
    const lost = acknowledged.filter((row) => stored.get(row.id)?.sessionId !== row.sessionId);
    expect(lost).toEqual([]);

    // Nothing but the kill ended them: no crash, no uncaught error on the way.
    expect(rounds.flatMap(unexpectedOutput)).toEqual([]);
    // The store takes the next proxy's rows as usual.
    const restarted = await spawnProxyProcess([], env, children);
    expect((await ask(restarted, conversation(0))).status).toBe(200);
    await until(
      async () => (await rowsIn(env.HEADROOM_CACHE_DIR)).length > stored.size,
      'a row after the restart',
    );
    await stop(restarted);
  });

  it('writes the row of every request it answered when stopped with SIGTERM under load', async () => {
    const env = proxyEnv();
    const proxy = await spawnProxyProcess([], env, children);
    const seen: RequestRow[] = [];
    await followRows(proxy, seen);
    const answered: string[] = [];
    let stopping = false;
    const loading = load(proxy, 8, () => stopping, answered);
    await until(() => seen.length >= 30, 'rows written under load', 20_000);
    proxy.child.kill('SIGTERM');
    stopping = true;
    expect((await proxy.child).exitCode).toBe(0);
    await loading;
    expect(answered.length).toBeGreaterThanOrEqual(30);
    const sessions = new Set((await rowsIn(env.HEADROOM_CACHE_DIR)).map((row) => row.sessionId));
    expect(answered.filter((session) => !sessions.has(session))).toEqual([]);
  });
});
