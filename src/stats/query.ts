// Read-only queries over the proxy's stats database (`<cacheDir>/stats.db`) for `headroom stats`:
// every request in a window, and the requests written since the last look, for live polling.

import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.js';
import { statsDbPath } from '../store/stats.js';
import type { RequestRow, StatsFilter } from './report.js';
import { toRequestRow } from './rows.js';

// A request's agent and project fall back to its session's registration, as the proxy records them.
const SELECT = `SELECT r.*, COALESCE(r.agent, s.agent) AS agent, COALESCE(r.project, s.project) AS project
  FROM requests r LEFT JOIN sessions s ON s.id = r.session_id`;

function whereClause(filter: StatsFilter, afterId?: number): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    params.push(value);
  };
  if (afterId !== undefined) add('r.id > ?', afterId);
  if (filter.since !== undefined) add('r.ts >= ?', filter.since);
  if (filter.session !== undefined) add('r.session_id = ?', filter.session);
  if (filter.agent !== undefined) add('COALESCE(r.agent, s.agent) = ?', filter.agent);
  if (filter.project !== undefined) add('COALESCE(r.project, s.project) = ?', filter.project);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const isMissingSchema = (error: unknown) => error instanceof Error && /no such table/i.test(error.message);

/**
 * Reads the stats database without ever writing to it. Opens lazily, so a reader made before any proxy
 * ran starts returning rows once the database appears.
 */
export class StatsReader {
  readonly file: string;
  private db?: Database.Database;

  constructor(cacheDir: string) {
    this.file = statsDbPath(cacheDir);
  }

  private open(): Database.Database | undefined {
    if (this.db) return this.db;
    if (!existsSync(this.file)) return undefined;
    try {
      this.db = new Database(this.file, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 2000');
      return this.db;
    } catch (error) {
      throw new HeadroomError(`cannot read the stats store ${this.file}: ${(error as Error).message}`, 1, {
        cause: error,
      });
    }
  }

  private select(filter: StatsFilter, afterId?: number): RequestRow[] {
    const db = this.open();
    if (!db) return [];
    const where = whereClause(filter, afterId);
    try {
      const raw = db.prepare(`${SELECT} ${where.sql} ORDER BY r.id`).all(...where.params);
      return raw.map(toRequestRow).filter((row): row is RequestRow => row !== undefined);
    } catch (error) {
      // A database created a moment ago may not have its tables yet.
      if (isMissingSchema(error)) return [];
      throw new HeadroomError(`cannot read the stats store ${this.file}: ${(error as Error).message}`, 1, {
        cause: error,
      });
    }
  }

  /** Every request matching the filter, oldest first. */
  rows(filter: StatsFilter = {}): RequestRow[] {
    return this.select(filter);
  }

  /** Requests written after the one with id `afterId`, oldest first. */
  rowsAfter(afterId: number, filter: StatsFilter = {}): RequestRow[] {
    return this.select(filter, afterId);
  }

  /** The id of the newest request, or 0 when there is none. */
  lastId(): number {
    const db = this.open();
    if (!db) return 0;
    try {
      const row = db.prepare('SELECT MAX(id) AS id FROM requests').get() as { id: number | null };
      return row.id ?? 0;
    } catch (error) {
      if (isMissingSchema(error)) return 0;
      throw error;
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
