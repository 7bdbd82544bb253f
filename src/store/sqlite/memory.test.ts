// The embedded memory store: the contract every backend meets, then what only a SQLite file has to get
// right (its permissions).

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
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
