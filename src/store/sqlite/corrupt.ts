// A SQLite file that is no database any more (overwritten, cut short, damaged mid-file): told from other
// failures by SQLite's own codes, and moved aside with its journal files so a fresh file can take its place.

import { existsSync, renameSync } from 'node:fs';

function sqliteCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

/** True when SQLite says the file is not a database or is damaged. */
export function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

/** Rename `location` and its `-wal`/`-shm` files to `<location>.corrupt-<at>`; returns that name. */
export function moveAside(location: string, at: number): string {
  const aside = `${location}.corrupt-${at}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(location + suffix)) renameSync(location + suffix, aside + suffix);
  }
  return aside;
}
