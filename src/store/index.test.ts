import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { openOriginalStore, openStatsStore } from './index.js';
import type { OriginalStore, StatsStore } from './types.js';

const opened: (OriginalStore | StatsStore)[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function keep<T extends OriginalStore | StatsStore>(store: Promise<T>): Promise<T> {
  const open = await store;
  opened.push(open);
  return open;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'headroom-store-'));

describe('opening the stores a setting names', () => {
  it('keeps both SQLite files in the cache dir by default', async () => {
    const cacheDir = tempDir();
    const originals = await keep(openOriginalStore({ cacheDir }));
    const stats = await keep(openStatsStore({ cacheDir, store: 'sqlite' }));
    expect(originals.location).toBe(join(cacheDir, 'originals.db'));
    expect(stats.location).toBe(join(cacheDir, 'stats.db'));
    expect(existsSync(join(cacheDir, 'stats.db'))).toBe(true);
  });

  it('keeps them in the directory a sqlite: URL names instead', async () => {
    const cacheDir = tempDir();
    const elsewhere = join(tempDir(), 'shared');
    const settings = { cacheDir, store: `sqlite:${elsewhere}` };
    const originals = await keep(openOriginalStore(settings));
    const id = await originals.put('kept elsewhere');
    const stats = await keep(openStatsStore(settings));
    expect(originals.location).toBe(join(elsewhere, 'originals.db'));
    expect(stats.location).toBe(join(elsewhere, 'stats.db'));
    expect(await (await keep(openOriginalStore(settings))).get(id)).toBe('kept elsewhere');
    expect(existsSync(join(cacheDir, 'stats.db'))).toBe(false);
  });

  it('applies the size cap and TTL the settings give', async () => {
    let clock = Date.UTC(2025, 0, 1);
    const settings = { cacheDir: tempDir(), storeTtlDays: 1 };
    const store = await keep(openOriginalStore(settings, { now: () => clock }));
    const id = await store.put('short-lived');
    clock += 2 * 86_400_000;
    expect(await store.get(id)).toBeUndefined();
  });

  it('refuses a store it does not support with one line naming what it does, and no credentials', async () => {
    const cacheDir = tempDir();
    const memcached = { cacheDir, store: 'memcached://:s3cret@cache.internal:11211' };
    await expect(openStatsStore(memcached)).rejects.toThrow(ConfigError);
    await expect(openOriginalStore(memcached)).rejects.toThrow(
      /^store "memcached:" is not supported by this headroom \(supported: sqlite, or sqlite:\/absolute\/dir; redis:\/\/host:port\/db; rediss:\/\/host:port\/db\)$/,
    );
    await expect(openStatsStore(memcached)).rejects.not.toThrow(/s3cret/);
    await expect(
      openStatsStore({ cacheDir, store: 'redis://:s3cret@cache.internal:6379/x' }),
    ).rejects.toThrow(
      /^store "redis:\/\/:\*\*\*@cache\.internal:6379\/x": the Redis database after the host must be a number/,
    );
    await expect(openStatsStore({ cacheDir, store: 'sqlite:relative/dir' })).rejects.toThrow(
      /needs an absolute directory/,
    );
    await expect(openStatsStore({ cacheDir, store: 'files' })).rejects.toThrow(/not a store URL/);
    await expect(openStatsStore({ cacheDir, store: 'constructor:x' })).rejects.toThrow(/not supported/);
  });
});
