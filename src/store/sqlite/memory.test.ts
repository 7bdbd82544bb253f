// The embedded memory store: the contract every backend meets, then what only a SQLite file has to get
// right (its permissions, and dropping turn blocks past their days on open).

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { STORE_DEFAULTS } from '../defaults.js';
import { describeMemoryStore } from '../memory.contract.js';
import { MEMORY_FILE, openSqliteMemoryStore } from './memory.js';

const tempDir = () => join(mkdtempSync(join(tmpdir(), 'headroom-memory-')), 'cache');

describeMemoryStore('sqlite', {
  place() {
    const dir = tempDir();
    return async () => openSqliteMemoryStore(dir);
  },
});

it('keeps memory.db 0600 in a 0700 directory', async () => {
  const dir = tempDir();
  const store = openSqliteMemoryStore(dir);
  await store.close();
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, MEMORY_FILE)).mode & 0o777).toBe(0o600);
});

it('drops turn blocks kept longer ago than their days, on open', async () => {
  const dir = tempDir();
  let now = Date.UTC(2026, 0, 1);
  const first = openSqliteMemoryStore(dir, () => now);
  await first.keepTurnBlock('old', '<memory>old</memory>');
  now += (STORE_DEFAULTS.turnBlockDays - 1) * 24 * 3600_000;
  await first.keepTurnBlock('recent', '');
  await first.close();
  now += 2 * 24 * 3600_000;
  const again = openSqliteMemoryStore(dir, () => now);
  expect(await again.turnBlock('old')).toBeUndefined();
  expect(await again.turnBlock('recent')).toBe('');
  await again.close();
});
