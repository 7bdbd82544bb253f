// Two processes opening one new file: the one SQLite answers "busy" at once waits and tries again.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { retryWhileBusy, switchToWal } from './wal.js';

/** A child process that takes `file`'s exclusive lock, says so, and lets go after `holdMs`. */
function holdExclusive(file: string, holdMs: number): Promise<() => Promise<void>> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('held\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', script, file, String(holdMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve(() => exited));
  });
}

function newFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'headroom-wal-')), 'store.db');
  const db = new Database(file);
  db.exec('CREATE TABLE t (x)');
  db.close();
  return file;
}

describe('WAL switch under another process’s lock', () => {
  it('fails at once without the retry, which is the race two starting processes hit', async () => {
    const file = newFile();
    const done = await holdExclusive(file, 300);
    const db = new Database(file, { timeout: 0 });
    expect(() => db.pragma('journal_mode = WAL')).toThrow(/locked|busy/i);
    db.close();
    await done();
  });

  it('waits for the lock to go and then switches', async () => {
    const file = newFile();
    const done = await holdExclusive(file, 300);
    const db = new Database(file, { timeout: 0 });
    switchToWal(db, 5000);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await done();
  });

  it('gives up with SQLite’s own error once the time is spent', async () => {
    const file = newFile();
    const done = await holdExclusive(file, 1500);
    const db = new Database(file, { timeout: 0 });
    expect(() => switchToWal(db, 100)).toThrow(/locked|busy/i);
    db.close();
    await done();
  });

  it('does not retry other errors', () => {
    let calls = 0;
    expect(() =>
      retryWhileBusy(() => {
        calls++;
        throw Object.assign(new Error('no such table'), { code: 'SQLITE_ERROR' });
      }, 1000),
    ).toThrow('no such table');
    expect(calls).toBe(1);
  });
});
