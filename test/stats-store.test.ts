// The stats store keeps per-request rows across restarts, privately, and safely when several processes
// (several proxies on one machine) write to it at once.

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { HeadroomError } from '../src/errors.js';
import { type NewRequestRow, type RequestRow, StatsStore, statsDbPath } from '../src/store/stats.js';

const root = join(import.meta.dirname, '..');
const opened: StatsStore[] = [];

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-stats-')), 'cache');
}

function open(dir: string): StatsStore {
  const store = new StatsStore(statsDbPath(dir));
  opened.push(store);
  return store;
}

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

function row(overrides: Partial<NewRequestRow> = {}): NewRequestRow {
  return {
    ts: Date.now(),
    provider: 'anthropic',
    method: 'POST',
    path: '/v1/messages',
    status: 200,
    model: 'claude-sonnet-4-6',
    tokensBefore: 12_000,
    tokensAfter: 3_000,
    inputTokens: 2_900,
    outputTokens: 150,
    cacheReadTokens: 1_000,
    cacheWriteTokens: 200,
    transforms: { logs: 2, json: 1 },
    ...overrides,
  };
}

describe('StatsStore', () => {
  it('keeps rows across a restart', () => {
    const dir = freshDir();
    const first = open(dir);
    first.record(row({ path: '/v1/messages', sessionId: 's1' }));
    first.record(row({ path: '/v1/chat/completions', provider: 'openai', model: 'gpt-4o' }));
    first.close();
    const second = open(dir);
    const rows = second.recent(10);
    expect(rows.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/messages']);
    expect(rows[1]).toMatchObject({ sessionId: 's1', transforms: { logs: 2, json: 1 }, stream: false });
  });

  it('creates its directory 0700 and its files 0600, write-ahead log included', () => {
    const dir = freshDir();
    const store = open(dir);
    store.record(row());
    store.flush();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['stats.db', 'stats.db-wal', 'stats.db-shm']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('sums totals and filters them by time, session, agent and project', () => {
    const store = open(freshDir());
    store.upsertSession({ id: 'alpha', agent: 'claude', project: '/repo/a' });
    store.upsertSession({ id: 'beta', agent: 'codex', project: '/repo/b' });
    store.record(row({ ts: 1000, sessionId: 'alpha' }));
    store.record(row({ ts: 2000, sessionId: 'alpha', status: 529 }));
    store.record(row({ ts: 3000, sessionId: 'beta', error: 'upstream reset', retrievals: 2 }));
    store.record(row({ ts: 4000 }));
    expect(store.summary()).toEqual({
      requests: 4,
      tokensBefore: 48_000,
      tokensAfter: 12_000,
      inputTokens: 11_600,
      outputTokens: 600,
      cacheReadTokens: 4_000,
      cacheWriteTokens: 800,
      retrievals: 2,
      errors: 2,
    });
    expect(store.summary({ sinceMs: 2500 }).requests).toBe(2);
    expect(store.summary({ sessionId: 'alpha' }).requests).toBe(2);
    // Rows carry no agent themselves here: the registered session supplies it.
    expect(store.summary({ agent: 'codex' })).toMatchObject({ requests: 1, retrievals: 2, errors: 1 });
    expect(store.summary({ project: '/repo/a' }).requests).toBe(2);
    expect(store.recent(10, { agent: 'claude' }).map((r) => r.ts)).toEqual([2000, 1000]);
  });

  it('lists sessions with their totals, newest activity first, including registered idle ones', () => {
    const store = open(freshDir());
    store.upsertSession({ id: 'idle', agent: 'aider', project: '/repo/c', startedTs: 500 });
    store.upsertSession({ id: 'alpha', agent: 'claude', project: '/repo/a', startedTs: 900 });
    store.record(row({ ts: 1000, sessionId: 'alpha' }));
    store.record(row({ ts: 5000, sessionId: 'tagged-only', agent: 'codex' }));
    const sessions = store.sessions();
    expect(sessions.map((s) => s.id)).toEqual(['tagged-only', 'alpha', 'idle']);
    expect(sessions[0]).toMatchObject({ agent: 'codex', lastTs: 5000, totals: { requests: 1 } });
    expect(sessions[1]).toMatchObject({
      agent: 'claude',
      project: '/repo/a',
      startedTs: 900,
      totals: { requests: 1, tokensBefore: 12_000 },
    });
    expect(sessions[2]).toMatchObject({ agent: 'aider', lastTs: null, totals: { requests: 0 } });
    expect(store.sessions({ agent: 'claude' }).map((s) => s.id)).toEqual(['alpha']);
    store.upsertSession({ id: 'alpha', endedTs: 9000 });
    expect(store.session('alpha')).toMatchObject({ agent: 'claude', endedTs: 9000 });
  });

  it('tells subscribers about each row once it is written, with its id', () => {
    const store = open(freshDir());
    const seen: RequestRow[] = [];
    const unsubscribe = store.subscribe((r) => seen.push(r));
    store.record(row({ path: '/v1/responses' }));
    expect(seen).toHaveLength(0);
    store.flush();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: '/v1/responses', id: store.recent(1)[0]!.id });
    unsubscribe();
    store.record(row());
    store.flush();
    expect(seen).toHaveLength(1);
  });

  it('versions its schema and refuses a file from a newer headroom with a clear message', () => {
    const dir = freshDir();
    open(dir).close();
    const db = new Database(statsDbPath(dir));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.pragma('user_version = 99');
    db.close();
    expect(() => open(dir)).toThrow(HeadroomError);
    expect(() => open(dir)).toThrow(/newer headroom \(schema 99/);
  });

  it('empties on reset', () => {
    const store = open(freshDir());
    store.upsertSession({ id: 'alpha' });
    store.record(row());
    store.reset();
    expect(store.summary().requests).toBe(0);
    expect(store.sessions()).toEqual([]);
  });

  it('loses nothing when two processes write 500 rows each at the same time', async () => {
    const dir = freshDir();
    const moduleUrl = new URL('../dist/store/stats.js', import.meta.url).href;
    const writer = `
      const { StatsStore, statsDbPath } = await import(${JSON.stringify(moduleUrl)});
      const store = new StatsStore(statsDbPath(process.argv[1]), { flushMs: 1 });
      for (let i = 0; i < 500; i++) {
        store.record({ ts: Date.now(), provider: 'openai', method: 'POST', path: '/v1/responses', status: 200, agent: process.argv[2] });
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      store.close();
    `;
    const run = (name: string) =>
      execa('node', ['--input-type=module', '-e', writer, dir, name], { cwd: root });
    await Promise.all([run('one'), run('two')]);
    const store = open(dir);
    expect(store.summary().requests).toBe(1000);
    expect(store.summary({ agent: 'one' }).requests).toBe(500);
    const db = new Database(statsDbPath(dir), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
