import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { originalId } from '../src/ccr/marker.js';
import { type OriginalStore, openOriginalStore, saveOriginals } from '../src/store/originals.js';
import { realOutput } from './helpers/real-outputs.js';

const serverLog = realOutput('log-express-debug').text;
const projectRoot = resolve(import.meta.dirname, '..');

const open: OriginalStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'headroom-originals-'));
}

function openStore(options: Partial<Parameters<typeof openOriginalStore>[0]> = {}): OriginalStore {
  const store = openOriginalStore({ dir: options.dir ?? join(tempDir(), 'cache'), ...options });
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

describe('originals store', () => {
  it('gives back exactly what was put, under the content-addressed id', () => {
    const store = openStore();
    const text = `${serverLog}\nnon-ASCII: café ✓ 日本語 😀\n`;
    const id = store.put(text);
    expect(id).toBe(originalId(text));
    expect(store.has(id)).toBe(true);
    expect(store.get(id)).toBe(text);
    expect(store.get('hr_000000000000')).toBeUndefined();
    expect(store.has('hr_000000000000')).toBe(false);
  });

  it('keeps one row when the same original is stored twice', () => {
    const dir = join(tempDir(), 'cache');
    const store = openStore({ dir });
    const first = store.put(serverLog);
    const second = store.put(serverLog);
    saveOriginals([{ id: first, text: serverLog }], store);
    expect(second).toBe(first);
    expect(store.stats().originals).toBe(1);
    store.close();
    expect(rowCount(join(dir, 'originals.db'))).toBe(1);
  });

  it('stores a big log compressed at rest', () => {
    const store = openStore();
    store.put(serverLog);
    const stats = store.stats();
    expect(stats.rawBytes).toBe(Buffer.byteLength(serverLog));
    expect(stats.storedBytes).toBeLessThan(stats.rawBytes / 5);
  });

  it('loses nothing across a restart', () => {
    const dir = join(tempDir(), 'cache');
    const first = openStore({ dir });
    const id = first.put(serverLog);
    first.close();
    expect(openStore({ dir }).get(id)).toBe(serverLog);
  });

  it('evicts the least recently read original first when over the size cap', () => {
    let clock = 1_000;
    const texts = ['alpha', 'beta', 'gamma', 'delta'].map((word) => `${word}\n`.repeat(2000) + word);
    const dir = join(tempDir(), 'cache');
    const store = openStore({ dir, now: () => clock, evictEvery: 1, maxBytes: 10_000_000 });
    const [a, b, c] = texts.slice(0, 3).map((text) => {
      clock += 1;
      return store.put(text);
    });
    const perOriginal = store.stats().storedBytes / 3;
    store.close();

    // The cap fits three originals; reading `a` makes `b` the least recently used.
    const capped = openStore({
      dir,
      now: () => clock,
      evictEvery: 1,
      maxBytes: Math.floor(perOriginal * 3.5),
    });
    clock += 1;
    expect(capped.get(a!)).toBe(texts[0]);
    clock += 1;
    const d = capped.put(texts[3]!);
    expect(capped.has(b!)).toBe(false);
    expect(capped.has(a!)).toBe(true);
    expect(capped.has(c!)).toBe(true);
    expect(capped.has(d)).toBe(true);
  });

  it('expires originals a TTL after their last read, and a read extends their life', () => {
    let clock = Date.UTC(2025, 0, 1);
    const day = 86_400_000;
    const store = openStore({ now: () => clock, ttlDays: 7 });
    const kept = store.put('read every few days');
    const dropped = store.put('never read again');
    clock += 5 * day;
    expect(store.get(kept)).toBe('read every few days');
    clock += 3 * day;
    expect(store.get(dropped)).toBeUndefined();
    expect(store.get(kept)).toBe('read every few days');
  });

  it('moves a corrupt store file aside, warns once, and keeps working', () => {
    const dir = join(tempDir(), 'cache');
    openStore({ dir }).close();
    open.pop();
    writeFileSync(join(dir, 'originals.db'), Buffer.alloc(8192, 'garbage!'));
    const warnings: string[] = [];
    const store = openStore({ dir, onWarning: (message) => warnings.push(message) });
    const id = store.put('still works');
    expect(store.get(id)).toBe('still works');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/originals\.db is unreadable .*moved it to .*originals\.db\.corrupt-\d+/);
    expect(readdirSync(dir).some((name) => /^originals\.db\.corrupt-\d+$/.test(name))).toBe(true);
  });

  it('falls back to memory with one warning when the directory cannot be created', () => {
    const blocker = join(tempDir(), 'file');
    writeFileSync(blocker, 'not a directory');
    const warnings: string[] = [];
    const store = openStore({ dir: join(blocker, 'cache'), onWarning: (message) => warnings.push(message) });
    const id = store.put('kept for this process');
    expect(store.get(id)).toBe('kept for this process');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot open the originals store .*kept in memory/);
  });

  it('creates its directory 0700 and its files 0600', () => {
    const dir = join(tempDir(), 'nested', 'cache');
    const store = openStore({ dir });
    store.put(serverLog);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ['originals.db', 'originals.db-wal', 'originals.db-shm']) {
      const file = join(dir, name);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('lets two processes write at once without losing or corrupting anything', async () => {
    const dir = join(tempDir(), 'cache');
    const built = join(projectRoot, 'dist/store/originals.js');
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    const writer = `
      import { openOriginalStore } from ${JSON.stringify(built)};
      const [dir, name] = process.argv.slice(1);
      const store = openOriginalStore({ dir, evictEvery: 50, onWarning: (m) => { console.error(m); process.exitCode = 1; } });
      for (let i = 0; i < 300; i++) store.put(name + ' original ' + i + '\\n' + 'line of log output\\n'.repeat(i % 40));
      store.close();
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
        expect(store.get(originalId(text))).toBe(text);
      }
    }
    store.close();
    const db = new Database(join(dir, 'originals.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
