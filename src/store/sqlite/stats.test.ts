// The embedded stats store: the contract every backend meets, then what only a SQLite file has to get
// right (permissions, schema versions, another process's write lock).

import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { holdWriteLock } from '../../../test/helpers/sqlite-lock.js';
import { HeadroomError } from '../../errors.js';
import { describeStatsStore, newRow } from '../stats.contract.js';
import type { StatsStore } from '../types.js';
import { openSqliteStatsStore, type SqliteStatsStoreOptions, statsDbPath } from './stats.js';

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-stats-')), 'cache');
}

describeStatsStore('sqlite', {
  place() {
    const file = statsDbPath(freshDir());
    return async (options = {}) => openSqliteStatsStore(file, options);
  },
});

const opened: StatsStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function open(dir: string, options: SqliteStatsStoreOptions = {}): StatsStore {
  const store = openSqliteStatsStore(statsDbPath(dir), options);
  opened.push(store);
  return store;
}

describe('sqlite stats store', () => {
  it('creates its directory 0700 and its files 0600, write-ahead log included', async () => {
    const dir = freshDir();
    const store = open(dir);
    void store.record(newRow());
    await store.flush();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ['stats.db', 'stats.db-wal', 'stats.db-shm']) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('versions its schema and refuses a file from a newer headroom with a clear message', async () => {
    const dir = freshDir();
    await open(dir).close();
    const db = new Database(statsDbPath(dir));
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    db.pragma('user_version = 99');
    db.close();
    expect(() => open(dir)).toThrow(HeadroomError);
    expect(() => open(dir)).toThrow(/newer headroom \(schema 99/);
  });

  it('migrates a file from each earlier schema in place, keeping its rows', async () => {
    // The first schema had no side_call, overhead_ms, history, output or memory columns; the second no
    // overhead_ms and on; the third no history and on; the fourth no output or memory; the fifth no memory.
    const history = ['history_rewrite', 'history_stubs', 'history_saved_tokens'];
    const output = ['verbosity', 'output_arm', 'turn_kind', 'effort_lowered'];
    const memory = ['memory_calls'];
    for (const [version, dropped] of [
      [1, ['side_call', 'overhead_ms', ...history, ...output, ...memory]],
      [2, ['overhead_ms', ...history, ...output, ...memory]],
      [3, [...history, ...output, ...memory]],
      [4, [...output, ...memory]],
      [5, memory],
    ] as const) {
      const dir = freshDir();
      const first = open(dir);
      await first.record(newRow({ ts: 1000 }));
      await first.close();
      const db = new Database(statsDbPath(dir));
      for (const column of dropped) db.exec(`ALTER TABLE requests DROP COLUMN ${column}`);
      db.pragma(`user_version = ${version}`);
      db.close();
      const store = open(dir);
      await store.record(
        newRow({
          ts: 2000,
          sideCall: 'gemini-cli-summarize-tool-output',
          overheadMs: 1.5,
          historyStubs: 2,
          verbosity: '2',
          outputArm: 'steered',
          turnKind: 'continuation',
          effortLowered: [{ field: 'reasoning.effort', from: 'high', to: 'low' }],
          memoryCalls: 2,
        }),
      );
      expect(
        (await store.rows()).map((row) => [
          row.ts,
          row.sideCall,
          row.overheadMs,
          row.historyStubs,
          row.verbosity,
          row.outputArm,
          row.turnKind,
          row.effortLowered,
          row.memoryCalls,
        ]),
      ).toEqual([
        [1000, null, null, 0, null, null, null, null, 0],
        [
          2000,
          'gemini-cli-summarize-tool-output',
          1.5,
          2,
          '2',
          'steered',
          'continuation',
          [{ field: 'reasoning.effort', from: 'high', to: 'low' }],
          2,
        ],
      ]);
      await store.close();
    }
  });

  it('read-only, never creates the file or its directory', async () => {
    const dir = freshDir();
    const reader = open(dir, { readOnly: true });
    expect(await reader.rows()).toEqual([]);
    expect(await reader.lastId()).toBe(0);
    expect(await reader.session('alpha')).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('opens a current file while another process holds its write lock', async () => {
    const dir = freshDir();
    await open(dir).close();
    const release = holdWriteLock(statsDbPath(dir));
    try {
      const store = open(dir);
      expect(await store.rows()).toEqual([]);
    } finally {
      release();
    }
  });

  it('keeps rows recorded under another process’s write lock without stalling, and writes them after', async () => {
    const dir = freshDir();
    const store = open(dir, { flushMs: 1 });
    await store.lastId();
    const release = holdWriteLock(statsDbPath(dir));
    let written: Awaited<ReturnType<StatsStore['record']>>;
    let settled = false;
    const recorded = store.record(newRow({ path: '/v1/responses' })).then((row) => {
      settled = true;
      written = row;
    });
    const registered = store.upsertSession({ id: 'locked', agent: 'codex' });
    try {
      const started = performance.now();
      await store.flush();
      // A short wait for the lock, never the full busy timeout on the caller's event loop.
      expect(performance.now() - started).toBeLessThan(1000);
      expect(settled).toBe(false);
      // Reads meanwhile leave the queued writes to the retry instead of waiting for the lock again.
      const reading = performance.now();
      for (let i = 0; i < 5; i++) {
        expect(await store.rows()).toEqual([]);
        await store.session('other');
      }
      expect(performance.now() - reading).toBeLessThan(250);
    } finally {
      release();
    }
    await Promise.all([recorded, registered]);
    expect(written).toMatchObject({ path: '/v1/responses', id: expect.any(Number) });
    expect(await store.session('locked')).toMatchObject({ agent: 'codex' });
  });

  it('resolves rows it cannot write as not written and tells onError', async () => {
    const errors: Error[] = [];
    const store = open(freshDir(), { onError: (error) => errors.push(error) });
    // A row without a provider breaks the table's NOT NULL constraint.
    const broken = { ...newRow(), provider: null } as unknown as Parameters<StatsStore['record']>[0];
    expect(await store.record(broken)).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^cannot write 1 stats rows to /)]);
    expect(await store.record(newRow())).toMatchObject({ id: expect.any(Number) });
  });

  it('says once that writes fail while they keep failing, and again after one succeeded', async () => {
    const errors: string[] = [];
    const store = open(freshDir(), { onError: (error) => errors.push(error.message) });
    // A row without a provider breaks the table's NOT NULL constraint.
    const broken = { ...newRow(), provider: null } as unknown as Parameters<StatsStore['record']>[0];
    for (let i = 0; i < 3; i++) expect(await store.record(broken)).toBeUndefined();
    expect(errors).toEqual([
      expect.stringMatching(/^cannot write 1 stats rows to .*; rows are dropped until a write succeeds$/),
    ]);
    expect(await store.record(newRow())).toMatchObject({ id: expect.any(Number) });
    expect(await store.record(broken)).toBeUndefined();
    expect(errors).toHaveLength(2);
  });

  it('keeps rows in memory only when asked to, creating nothing on disk', async () => {
    const dir = freshDir();
    const store = open(dir, { inMemory: true });
    expect(await store.record(newRow({ path: '/v1/messages' }))).toMatchObject({ id: 1 });
    expect(await store.rows()).toEqual([expect.objectContaining({ path: '/v1/messages' })]);
    expect(store.location).toBe(statsDbPath(dir));
    expect(existsSync(dir)).toBe(false);
  });

  it('moves a file that is no database aside, says so, and records into a new one', async () => {
    const dir = freshDir();
    await open(dir).close();
    writeFileSync(statsDbPath(dir), Buffer.alloc(16_384, 'garbage!'));
    const errors: Error[] = [];
    const store = open(dir, { onError: (error) => errors.push(error) });
    expect(await store.record(newRow())).toMatchObject({ id: expect.any(Number) });
    expect((await store.rows()).length).toBe(1);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /stats\.db is unreadable .*moved it to .*stats\.db\.corrupt-\d+ and started a new one/,
      ),
    ]);
    expect(readdirSync(dir).some((name) => /^stats\.db\.corrupt-\d+$/.test(name))).toBe(true);
  });

  it('replaces a file damaged mid-way once a write finds it, keeping the rows of that write', async () => {
    const dir = freshDir();
    const first = open(dir);
    for (let i = 0; i < 400; i++) void first.record(newRow());
    await first.flush();
    await first.close();
    opened.pop();
    // Zero every page after the first: the header still reads, the tables do not.
    const fd = openSync(statsDbPath(dir), 'r+');
    const size = statSync(statsDbPath(dir)).size;
    writeSync(fd, Buffer.alloc(size - 4096, 0), 0, size - 4096, 4096);
    closeSync(fd);
    const errors: Error[] = [];
    const store = open(dir, { onError: (error) => errors.push(error) });
    expect(await store.record(newRow())).toMatchObject({ id: expect.any(Number) });
    expect(errors.some((e) => /unreadable .*started a new one/.test(e.message))).toBe(true);
    expect((await store.rows()).length).toBe(1);
  });
});
