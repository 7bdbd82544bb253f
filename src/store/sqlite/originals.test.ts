// The embedded originals store: the contract every backend meets, then what only a SQLite file has to get
// right (compression at rest, a corrupt or unwritable file, permissions).

import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { realOutput } from '../../../test/helpers/real-outputs.js';
import { originalId } from '../../compress/marker.js';
import { describeOriginalStore } from '../originals.contract.js';
import type { OriginalStore } from '../types.js';
import { openSqliteOriginalStore, type SqliteOriginalStoreOptions } from './originals.js';

const serverLog = realOutput('log-express-debug').text;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'headroom-originals-'));
}

describeOriginalStore('sqlite', {
  place() {
    const dir = join(tempDir(), 'cache');
    // One eviction pass per put, so a case sees the cap applied at once.
    return async (options = {}) => openSqliteOriginalStore({ dir, evictEvery: 1, ...options });
  },
});

const open: OriginalStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

function openStore(options: Partial<SqliteOriginalStoreOptions> = {}): OriginalStore {
  const store = openSqliteOriginalStore({ dir: options.dir ?? join(tempDir(), 'cache'), ...options });
  open.push(store);
  return store;
}

function rowCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM originals').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('sqlite originals store', () => {
  it('keeps one row in originals.db when the same original is stored twice', async () => {
    const dir = join(tempDir(), 'cache');
    const store = openStore({ dir });
    await store.put(serverLog);
    await store.put(serverLog);
    await store.close();
    expect(rowCount(join(dir, 'originals.db'))).toBe(1);
  });

  it('opens a file made before conversations kept their steering, keeping its rows', async () => {
    const dir = join(tempDir(), 'cache');
    const store = openStore({ dir });
    await store.close();
    const db = new Database(join(dir, 'originals.db'));
    db.exec('DROP TABLE conversations');
    db.exec(`CREATE TABLE conversations (id TEXT PRIMARY KEY, last_ts INTEGER NOT NULL, lifetime_ms INTEGER NOT NULL,
      cache_read INTEGER NOT NULL, cache_write INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL,
      rewrote INTEGER NOT NULL, kept_at INTEGER NOT NULL)`);
    db.prepare('INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      'old',
      1,
      300_000,
      5,
      6,
      11,
      0,
      Date.now(),
    );
    db.close();
    const reopened = openStore({ dir });
    expect(await reopened.conversations(0)).toEqual([
      {
        id: 'old',
        lastTs: 1,
        lifetimeMs: 300_000,
        cacheRead: 5,
        cacheWrite: 6,
        promptTokens: 11,
        rewrote: false,
      },
    ]);
    const steered = {
      id: 'new',
      lastTs: 2,
      lifetimeMs: 300_000,
      cacheRead: 0,
      cacheWrite: 9,
      promptTokens: 9,
    };
    await reopened.saveConversation({ ...steered, rewrote: false, level: '3', arm: 'steered' });
    expect((await reopened.conversationHistory('new'))?.state?.level).toBe('3');
  });

  it('stores a big log compressed at rest', async () => {
    const store = openStore();
    await store.put(serverLog);
    const stats = await store.stats();
    expect(stats.rawBytes).toBe(Buffer.byteLength(serverLog));
    expect(stats.storedBytes).toBeLessThan(stats.rawBytes / 5);
  });

  it('moves a corrupt store file aside, warns once, and keeps working', async () => {
    const dir = join(tempDir(), 'cache');
    await openStore({ dir }).close();
    open.pop();
    writeFileSync(join(dir, 'originals.db'), Buffer.alloc(8192, 'garbage!'));
    const warnings: string[] = [];
    const store = openStore({ dir, onWarning: (message) => warnings.push(message) });
    const id = await store.put('still works');
    expect(await store.get(id)).toBe('still works');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/originals\.db is unreadable .*moved it to .*originals\.db\.corrupt-\d+/);
    expect(readdirSync(dir).some((name) => /^originals\.db\.corrupt-\d+$/.test(name))).toBe(true);
  });

  it('falls back to memory with one warning when the directory cannot be created', async () => {
    const blocker = join(tempDir(), 'file');
    writeFileSync(blocker, 'not a directory');
    const warnings: string[] = [];
    const store = openStore({ dir: join(blocker, 'cache'), onWarning: (message) => warnings.push(message) });
    const id = await store.put('kept for this process');
    expect(await store.get(id)).toBe('kept for this process');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot open the originals store .*kept in memory/);
    // A command that exits at once must not count on them.
    expect(store.persistent).toBe(false);
    expect(openStore({}).persistent).toBe(true);
  });

  it('resolves false for originals it could not keep, and says why once', async () => {
    const warnings: string[] = [];
    const store = openStore({ onWarning: (message) => warnings.push(message) });
    expect(await store.putMany([{ id: originalId(serverLog), text: serverLog }])).toBe(true);
    await store.close();
    for (let i = 0; i < 2; i++) {
      expect(await store.putMany([{ id: originalId(`${i}`), text: `${i}` }])).toBe(false);
    }
    expect(warnings).toEqual([expect.stringMatching(/originals\.db: .*not open/)]);
  });

  it('creates its directory 0700 and its files 0600', async () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const store = openStore({ dir });
    await store.put(serverLog);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ['originals.db', 'originals.db-wal', 'originals.db-shm']) {
      const file = join(dir, name);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });
});
