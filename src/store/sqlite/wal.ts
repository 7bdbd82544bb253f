// Switching a file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without waiting
// on busy_timeout, when two connections opening the same new file would otherwise deadlock. Two headroom
// processes starting together hit exactly that; the loser waits a moment and tries again.

import type Database from 'better-sqlite3';

const PAUSE_MS = 20;
const pause = new Int32Array(new SharedArrayBuffer(4));

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** Run `step`, again after a short pause while SQLite reports the file busy, until `timeoutMs` has passed. */
export function retryWhileBusy<T>(step: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, PAUSE_MS);
    }
  }
}

/** Put `db` in WAL mode; a file already in it needs no lock, so this is cheap on every later open. */
export function switchToWal(db: Database.Database, timeoutMs: number): void {
  retryWhileBusy(() => {
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
  }, timeoutMs);
}
