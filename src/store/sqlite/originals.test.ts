// The embedded originals store: the contract every backend meets, then what only a SQLite file has to get
// right (compression at rest, a corrupt or unwritable file, permissions, two processes at once).

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { originalId } from '../../compress/marker.js';
import { describeOriginalStore } from '../originals.contract.js';
import type { OriginalStore } from '../types.js';
import { openSqliteOriginalStore, type SqliteOriginalStoreOptions } from './originals.js';

const corpus = resolve(import.meta.dirname, '../../../../shared/corpus');
const hadoopLog = readFileSync(join(corpus, 'log-hadoop-2k.log'), 'utf8');
const projectRoot = resolve(import.meta.dirname, '../../..');

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
    await store.put(hadoopLog);
    await store.put(hadoopLog);
    await store.close();
    expect(rowCount(join(dir, 'originals.db'))).toBe(1);
  });

  it('stores a big log compressed at rest', async () => {
    const store = openStore();
    await store.put(hadoopLog);
    const stats = await store.stats();
    expect(stats.rawBytes).toBe(Buffer.byteLength(hadoopLog));
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
  });

  it('creates its directory 0700 and its files 0600', async () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const store = openStore({ dir });
    await store.put(hadoopLog);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ['originals.db', 'originals.db-wal', 'originals.db-shm']) {
      const file = join(dir, name);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('lets two processes write at once without losing or corrupting anything', async () => {
    const dir = join(tempDir(), 'cache');
    const built = join(projectRoot, 'dist/store/index.js');
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    const writer = `
      import { openOriginalStore } from ${JSON.stringify(built)};
      const [dir, name] = process.argv.slice(1);
      const store = await openOriginalStore({ cacheDir: dir }, { evictEvery: 50, onWarning: (m) => { console.error(m); process.exitCode = 1; } });
      for (let i = 0; i < 300; i++) await store.put(name + ' original ' + i + '\\n' + 'line of log output\\n'.repeat(i % 40));
      await store.close();
    `;
    const run = promisify(execFile);
    await Promise.all(
      ['left', 'right'].map((name) =>
        run(process.execPath, ['--input-type=module', '-e', writer, dir, name]),
      ),
    );
    const store = openStore({ dir });
    for (const name of ['left', 'right']) {
      for (let i = 0; i < 300; i++) {
        const text = `${name} original ${i}\n${'line of log output\n'.repeat(i % 40)}`;
        expect(await store.get(originalId(text))).toBe(text);
      }
    }
    await store.close();
    const db = new Database(join(dir, 'originals.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
