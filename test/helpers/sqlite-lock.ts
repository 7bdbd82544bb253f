// Another process's open write transaction on a SQLite file, as a SQLite browser or a second writer holds one.

import Database from 'better-sqlite3';

/** Hold the write lock of the database at `file` until the returned function is called. */
export function holdWriteLock(file: string): () => void {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  return () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  };
}
