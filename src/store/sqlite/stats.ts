// The embedded stats store: one row per proxied request and one per agent session, in one SQLite file
// (WAL, so several proxies on one machine can share it). Writes are batched off the response path.

import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../../errors.js';
import { ensurePrivateDir } from '../../private-dir.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { matchesFilter, matchesSession, type StatsFilter } from '../filter.js';
import { toRequestRow, writtenRow } from '../rows.js';
import type { NewRequestRow, RequestRow, RowsPage, SessionInfo, StatsStore } from '../types.js';
import { isCorruption, moveAside } from './corrupt.js';
import { retryWhileBusy, switchToWal } from './wal.js';

export interface SqliteStatsStoreOptions {
  /** Only read: never create or write the file, and open it on first use, so it may appear later. */
  readOnly?: boolean;
  /** How long recorded rows may wait before they are written in one transaction. */
  flushMs?: number;
  /** Told when rows could not be written (default: a process warning); once until a write succeeds again. */
  onError?: (error: Error) => void;
  /** Keep the rows in memory only, until the process exits (`location` still names the file). */
  inMemory?: boolean;
}

export const STATS_FILE = 'stats.db';

/** The stats database file in a directory. */
export function statsDbPath(dir: string): string {
  return join(dir, STATS_FILE);
}

/** Open the stats file at `file`: created and migrated as needed, or, read-only, lazily on first use. */
export function openSqliteStatsStore(file: string, options: SqliteStatsStoreOptions = {}): StatsStore {
  return new SqliteStatsStore(file, options);
}

const MIGRATIONS: string[] = [
  `CREATE TABLE requests (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ts INTEGER NOT NULL,
     provider TEXT NOT NULL,
     model TEXT,
     method TEXT NOT NULL,
     path TEXT NOT NULL,
     status INTEGER NOT NULL,
     latency_ms REAL,
     ttfb_ms REAL,
     stream INTEGER NOT NULL DEFAULT 0,
     request_bytes INTEGER,
     est_input_tokens INTEGER,
     tokens_before INTEGER,
     tokens_after INTEGER,
     transforms TEXT,
     compress_ms REAL,
     compress_error TEXT,
     input_tokens INTEGER,
     output_tokens INTEGER,
     cache_read_tokens INTEGER,
     cache_write_tokens INTEGER,
     error TEXT,
     agent TEXT,
     session_id TEXT,
     project TEXT,
     retrievals INTEGER NOT NULL DEFAULT 0,
     retrieved_bytes INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX requests_ts ON requests (ts);
   CREATE INDEX requests_session ON requests (session_id, ts);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     agent TEXT,
     project TEXT,
     started_ts INTEGER NOT NULL,
     ended_ts INTEGER
   );`,
  // The agent side call a request was (a small-model request embedding a command's output), if one.
  'ALTER TABLE requests ADD COLUMN side_call TEXT;',
  // The time the proxy held the request between reading its body and sending it upstream.
  'ALTER TABLE requests ADD COLUMN overhead_ms REAL;',
  // What cache-aware history did to the request: a rewrite point, and the stubs it carried.
  `ALTER TABLE requests ADD COLUMN history_rewrite INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE requests ADD COLUMN history_stubs INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE requests ADD COLUMN history_saved_tokens INTEGER NOT NULL DEFAULT 0;`,
  // The output side: the verbosity level the request went out with, its holdout arm, what its last message
  // was, and the effort fields lowered (JSON).
  `ALTER TABLE requests ADD COLUMN verbosity TEXT;
   ALTER TABLE requests ADD COLUMN output_arm TEXT;
   ALTER TABLE requests ADD COLUMN turn_kind TEXT;
   ALTER TABLE requests ADD COLUMN effort_lowered TEXT;`,
  // The memory tool calls the proxy answered while serving the request.
  'ALTER TABLE requests ADD COLUMN memory_calls INTEGER NOT NULL DEFAULT 0;',
];

const COLUMNS = [
  'ts',
  'provider',
  'model',
  'method',
  'path',
  'status',
  'latency_ms',
  'ttfb_ms',
  'stream',
  'request_bytes',
  'est_input_tokens',
  'tokens_before',
  'tokens_after',
  'transforms',
  'compress_ms',
  'compress_error',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'error',
  'agent',
  'session_id',
  'project',
  'retrievals',
  'retrieved_bytes',
  'side_call',
  'overhead_ms',
  'history_rewrite',
  'history_stubs',
  'history_saved_tokens',
  'verbosity',
  'output_arm',
  'turn_kind',
  'effort_lowered',
  'memory_calls',
] as const;

// A request's agent and project fall back to its session's registration.
const SELECT_ROWS = `SELECT r.*, COALESCE(r.agent, s.agent) AS agent, COALESCE(r.project, s.project) AS project
  FROM requests r LEFT JOIN sessions s ON s.id = r.session_id`;

/** The ids `scanRows` reads at a time: about 10 ms of the event loop when every row matches. */
const SCAN_PAGE = 500;

const SELECT_SESSIONS =
  'SELECT id, agent, project, started_ts AS startedTs, ended_ts AS endedTs FROM sessions';

const UPSERT_SESSION = `INSERT INTO sessions (id, agent, project, started_ts, ended_ts)
  VALUES (@id, @agent, @project, @startedTs, @endedTs)
  ON CONFLICT(id) DO UPDATE SET
    agent = COALESCE(excluded.agent, agent),
    project = COALESCE(excluded.project, project),
    ended_ts = COALESCE(excluded.ended_ts, ended_ts)`;

const BUSY_TIMEOUT_MS = 5000;
const READ_BUSY_TIMEOUT_MS = 2000;
// Rows recorded while another process holds the write lock wait in memory, retried every second.
const FLUSH_BUSY_MS = 100;
const BUSY_RETRY_MS = 1000;
const MAX_PENDING_ROWS = 10_000;

const isBusy = (error: unknown) => (error as { code?: unknown })?.code === 'SQLITE_BUSY';
const isMissingSchema = (error: unknown) => error instanceof Error && /no such table/i.test(error.message);

interface SessionParams {
  id: string;
  agent: string | null;
  project: string | null;
  startedTs: number;
  endedTs: number | null;
}

/** A write waiting for the next batch, and how to tell its caller the outcome. */
type QueuedWrite =
  | { kind: 'row'; row: NewRequestRow; settle: (written: RequestRow | undefined) => void }
  | { kind: 'session'; session: SessionParams; settle: (error?: Error) => void };

function toDb(row: NewRequestRow): unknown[] {
  return [
    row.ts,
    row.provider,
    row.model ?? null,
    row.method,
    row.path,
    row.status,
    row.latencyMs ?? null,
    row.ttfbMs ?? null,
    row.stream ? 1 : 0,
    row.requestBytes ?? null,
    row.estInputTokens ?? null,
    row.tokensBefore ?? null,
    row.tokensAfter ?? null,
    row.transforms ? JSON.stringify(row.transforms) : null,
    row.compressMs ?? null,
    row.compressError ?? null,
    row.inputTokens ?? null,
    row.outputTokens ?? null,
    row.cacheReadTokens ?? null,
    row.cacheWriteTokens ?? null,
    row.error ?? null,
    row.agent ?? null,
    row.sessionId ?? null,
    row.project ?? null,
    row.retrievals ?? 0,
    row.retrievedBytes ?? 0,
    row.sideCall ?? null,
    row.overheadMs ?? null,
    row.historyRewrite ? 1 : 0,
    row.historyStubs ?? 0,
    row.historySavedTokens ?? 0,
    row.verbosity ?? null,
    row.outputArm ?? null,
    row.turnKind ?? null,
    row.effortLowered ? JSON.stringify(row.effortLowered) : null,
    row.memoryCalls ?? 0,
  ];
}

/** The SQL for the filter fields an index or a join can answer; free text is matched on the rows after. */
function whereClause(
  filter: StatsFilter,
  afterId?: number,
  throughId?: number,
): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    params.push(value);
  };
  if (afterId !== undefined) add('r.id > ?', afterId);
  if (throughId !== undefined) add('r.id <= ?', throughId);
  if (filter.since !== undefined) add('r.ts >= ?', filter.since);
  if (filter.session !== undefined) add('r.session_id = ?', filter.session);
  if (filter.agent !== undefined) add('COALESCE(r.agent, s.agent) = ?', filter.agent);
  if (filter.project !== undefined) add('COALESCE(r.project, s.project) = ?', filter.project);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** The rows of a query's results, those the free text of `filter` names when it has some. */
function rowsMatching(raw: unknown[], filter: StatsFilter): RequestRow[] {
  const rows = raw.map(toRequestRow).filter((row): row is RequestRow => row !== undefined);
  return filter.text?.trim() ? rows.filter((row) => matchesFilter(row, { text: filter.text })) : rows;
}

/**
 * Create `file`'s directory (0700) and the file itself (0600) before SQLite opens it; throws when the file
 * cannot be written, which SQLite would otherwise open read-only without a word.
 */
function preparePrivateFile(file: string): void {
  ensurePrivateDir(dirname(file));
  closeSync(openSync(file, 'a', 0o600));
}

class SqliteStatsStore implements StatsStore {
  readonly location: string;
  private readonly readOnly: boolean;
  private readonly flushMs: number;
  private readonly onError: (error: Error) => void;
  private db?: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private writeBatch?: (writes: QueuedWrite[]) => (number | undefined)[];
  private pending: QueuedWrite[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;
  private closing = false;
  /** Another process holds the write lock; queued writes wait for the retry timer, not for each read. */
  private waitingForLock = false;
  /** A damaged file was replaced once already: a second failure is reported, not chased. */
  private recovered = false;
  private readonly inMemory: boolean;
  /** The last write failed and said so: the ones after it that fail too are not reported again. */
  private failing = false;

  constructor(file: string, options: SqliteStatsStoreOptions) {
    this.location = file;
    this.inMemory = options.inMemory ?? false;
    this.readOnly = options.readOnly ?? false;
    this.flushMs = options.flushMs ?? STORE_DEFAULTS.flushMs;
    this.onError = options.onError ?? ((error) => process.emitWarning(error.message));
    if (!this.readOnly) this.openForWriting();
  }

  private openForWriting(): void {
    let db: Database.Database;
    try {
      db = this.openFile();
    } catch (error) {
      if (!isCorruption(error)) throw this.openError(error);
      // A damaged file costs its history, never the proxy or the agent: it goes aside and a new one starts.
      this.startAfresh(error);
      try {
        db = this.openFile();
      } catch (retry) {
        throw this.openError(retry);
      }
    }
    const insert = db.prepare(
      `INSERT INTO requests (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    const upsert = db.prepare(UPSERT_SESSION);
    this.writeBatch = db.transaction((writes: QueuedWrite[]) =>
      writes.map((write) => {
        if (write.kind === 'session') {
          upsert.run(write.session);
          return undefined;
        }
        return Number(insert.run(toDb(write.row)).lastInsertRowid);
      }),
    );
    this.db = db;
  }

  private openFile(): Database.Database {
    if (this.inMemory) {
      const db = new Database(':memory:');
      this.migrate(db);
      return db;
    }
    const file = this.location;
    preparePrivateFile(file);
    const db = new Database(file);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      switchToWal(db, BUSY_TIMEOUT_MS);
      // In WAL mode a commit reaches the log before its rows are reported written, so a process killed at any
      // moment loses only rows not reported yet; the log is synced to the disk at checkpoints, not per commit.
      db.pragma('synchronous = NORMAL');
      retryWhileBusy(() => this.migrate(db), BUSY_TIMEOUT_MS);
    } catch (error) {
      db.close();
      throw error;
    }
    for (const side of ['-wal', '-shm']) if (existsSync(file + side)) chmodSync(file + side, 0o600);
    return db;
  }

  private openError(error: unknown): HeadroomError {
    if (error instanceof HeadroomError) return error;
    return new HeadroomError(`cannot open the stats store ${this.location}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  /** After damage found in use: a new file in its place, once per store, or false when that fails too. */
  private recoverFrom(error: unknown): boolean {
    if (this.recovered) return false;
    this.recovered = true;
    try {
      this.startAfresh(error);
      this.openForWriting();
      return true;
    } catch (retry) {
      this.onError(retry as Error);
      return false;
    }
  }

  /** Move a damaged file aside (its journal files too) and say so; the caller opens a new one. */
  private startAfresh(cause: unknown): void {
    if (this.db?.open) this.db.close();
    this.db = undefined;
    this.statements.clear();
    const aside = moveAside(this.location, Date.now());
    this.onError(
      new HeadroomError(
        `the stats store ${this.location} is unreadable (${(cause as Error).message}); moved it to ${aside} and started a new one`,
      ),
    );
  }

  private migrate(db: Database.Database): void {
    // A current file needs no write lock, so another process holding one does not stop this one opening it.
    if (this.schemaVersion(db) === MIGRATIONS.length) return;
    // IMMEDIATE takes the write lock first, so two processes opening a new file migrate it once.
    db.transaction(() => {
      const version = this.schemaVersion(db);
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
  }

  private schemaVersion(db: Database.Database): number {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new HeadroomError(
        `${this.location} was written by a newer headroom (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade headroom or point HEADROOM_STORE (or HEADROOM_CACHE_DIR) elsewhere`,
      );
    }
    return version;
  }

  /** The database to read, or undefined while a read-only store's file does not exist yet. */
  private connection(): Database.Database | undefined {
    if (this.closed) {
      throw new HeadroomError(`cannot read the stats store ${this.location}: the store is not open`);
    }
    if (this.db || !this.readOnly) return this.db;
    if (!existsSync(this.location)) return undefined;
    try {
      const db = new Database(this.location, { readonly: true, fileMustExist: true });
      db.pragma(`busy_timeout = ${READ_BUSY_TIMEOUT_MS}`);
      this.db = db;
      return db;
    } catch (error) {
      throw this.readError(error);
    }
  }

  private readError(error: unknown): HeadroomError {
    return new HeadroomError(`cannot read the stats store ${this.location}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  /** Write what is queued before a read sees the table, unless the writes are waiting for a lock. */
  private writeBeforeRead(): void {
    if (!this.waitingForLock) this.writeQueued();
  }

  /** Run a query; a database created a moment ago may not have its tables yet, which reads as `empty`. */
  private query<T>(sql: string, run: (statement: Database.Statement) => T, empty: T): T {
    const db = this.connection();
    if (!db) return empty;
    try {
      let statement = this.statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        this.statements.set(sql, statement);
      }
      return run(statement);
    } catch (error) {
      if (isMissingSchema(error)) return empty;
      throw this.readError(error);
    }
  }

  private refuse(what: string): HeadroomError {
    return new HeadroomError(
      this.closed
        ? `cannot ${what} in the stats store ${this.location}: the store is closed`
        : `cannot ${what} in the stats store ${this.location}: it is open read-only`,
    );
  }

  private enqueue(write: QueuedWrite): void {
    this.pending.push(write);
    if (!this.timer) {
      this.timer = setTimeout(() => this.writeQueued(), this.flushMs);
      this.timer.unref();
    }
  }

  record(row: NewRequestRow): Promise<RequestRow | undefined> {
    if (this.closed || this.readOnly) {
      this.onError(this.refuse('record a request'));
      return Promise.resolve(undefined);
    }
    return new Promise((settle) => this.enqueue({ kind: 'row', row, settle }));
  }

  async flush(): Promise<void> {
    this.writeQueued();
  }

  /** Write every queued row and session now, in one transaction. */
  private writeQueued(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || !this.writeBatch || !this.db?.open) return;
    const writes = this.pending;
    this.pending = [];
    let ids: (number | undefined)[];
    try {
      ids = this.writeWaitingBriefly(writes);
    } catch (error) {
      // Another process holding the write lock: the rows wait for it (up to a cap) rather than the
      // proxy's event loop, which a long busy wait would stall for every stream in flight.
      if (isBusy(error) && !this.closing && writes.length < MAX_PENDING_ROWS) {
        this.waitingForLock = true;
        this.pending = writes.concat(this.pending);
        this.timer = setTimeout(() => this.writeQueued(), BUSY_RETRY_MS);
        this.timer.unref();
        return;
      }
      this.waitingForLock = false;
      // Damage past the header shows when pages are written: the file goes aside and these rows go to a new one.
      if (isCorruption(error) && this.recoverFrom(error)) {
        this.pending = writes.concat(this.pending);
        this.writeQueued();
        return;
      }
      // A full disk or a lock held too long by another process must not take the proxy down, nor fill its log:
      // it is said once, until a write succeeds again.
      const failure = new HeadroomError(
        `cannot write ${writes.length} stats rows to ${this.location}: ${(error as Error).message}`,
      );
      if (!this.failing) {
        this.onError(new HeadroomError(`${failure.message}; rows are dropped until a write succeeds`));
      }
      this.failing = true;
      for (const write of writes) {
        if (write.kind === 'row') write.settle(undefined);
        else write.settle(failure);
      }
      return;
    }
    this.waitingForLock = false;
    this.failing = false;
    writes.forEach((write, i) => {
      if (write.kind === 'row')
        write.settle(ids[i] === undefined ? undefined : writtenRow(write.row, ids[i]));
      else write.settle();
    });
  }

  /** Insert in one transaction, waiting briefly for a lock while open and fully when closing. */
  private writeWaitingBriefly(writes: QueuedWrite[]): (number | undefined)[] {
    const db = this.db!;
    if (this.closing) return this.writeBatch!(writes);
    db.pragma(`busy_timeout = ${FLUSH_BUSY_MS}`);
    try {
      return this.writeBatch!(writes);
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  async rows(filter: StatsFilter = {}, page: RowsPage = {}): Promise<RequestRow[]> {
    if (page.limit !== undefined && page.limit <= 0) return [];
    this.writeBeforeRead();
    // Free text is matched after the query, so the newest N are counted after it too.
    if (page.limit !== undefined && filter.text?.trim())
      return this.newestMatching(filter, Math.floor(page.limit), page.afterId);
    const limit = page.limit === undefined ? undefined : Math.floor(page.limit);
    const where = whereClause(filter, page.afterId);
    const order = limit === undefined ? 'ORDER BY r.id' : 'ORDER BY r.id DESC LIMIT ?';
    const params = limit === undefined ? where.params : [...where.params, limit];
    const rows = rowsMatching(
      this.query(`${SELECT_ROWS} ${where.sql} ${order}`, (s) => s.all(...params), []),
      filter,
    );
    return limit === undefined ? rows : rows.reverse();
  }

  /** The newest `limit` rows the free text matches, read a page at a time from the newest back until enough. */
  private newestMatching(filter: StatsFilter, limit: number, afterId: number | undefined): RequestRow[] {
    const pages: RequestRow[][] = [];
    for (let through: number | undefined, found = 0; found < limit; ) {
      const where = whereClause(filter, afterId, through);
      const raw = this.query(
        `${SELECT_ROWS} ${where.sql} ORDER BY r.id DESC LIMIT ?`,
        (s) => s.all(...where.params, SCAN_PAGE) as { id: number }[],
        [],
      );
      const rows = rowsMatching(raw, filter).reverse();
      pages.unshift(rows);
      found += rows.length;
      if (raw.length < SCAN_PAGE) break;
      through = raw.at(-1)!.id - 1;
    }
    return pages.flat().slice(-limit);
  }

  async scanRows(filter: StatsFilter, take: (rows: RequestRow[]) => void): Promise<void> {
    this.writeBeforeRead();
    const span = this.query(
      'SELECT MIN(id) AS first, MAX(id) AS last FROM requests',
      (s) => s.get() as { first: number | null; last: number | null },
      { first: null, last: null },
    );
    if (span.first === null || span.last === null) return;
    // Windows of ids, not of matches: a filter few rows match never makes one read go through them all.
    for (let after = span.first - 1; after < span.last; after += SCAN_PAGE) {
      const where = whereClause(filter, after, after + SCAN_PAGE);
      const raw = this.query(`${SELECT_ROWS} ${where.sql} ORDER BY r.id`, (s) => s.all(...where.params), []);
      const rows = rowsMatching(raw, filter);
      if (rows.length) take(rows);
      // Each window is read synchronously: the requests in flight go on between two.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async lastId(): Promise<number> {
    this.writeBeforeRead();
    const row = this.query('SELECT MAX(id) AS id FROM requests', (s) => s.get() as { id: number | null }, {
      id: 0,
    });
    return row.id ?? 0;
  }

  upsertSession(session: SessionInfo): Promise<void> {
    if (this.closed || this.readOnly) return Promise.reject(this.refuse(`register session ${session.id}`));
    const params: SessionParams = {
      id: session.id,
      agent: session.agent ?? null,
      project: session.project ?? null,
      startedTs: session.startedTs ?? Date.now(),
      endedTs: session.endedTs ?? null,
    };
    return new Promise((resolve, reject) =>
      this.enqueue({
        kind: 'session',
        session: params,
        settle: (error) => (error ? reject(error) : resolve()),
      }),
    );
  }

  async session(id: string): Promise<SessionInfo | undefined> {
    // The proxy looks sessions up on the request path: only a registration of this one is worth a write.
    if (this.pending.some((write) => write.kind === 'session' && write.session.id === id)) {
      this.writeBeforeRead();
    }
    return this.query(
      `${SELECT_SESSIONS} WHERE id = ?`,
      (s) => s.get(id) as SessionInfo | undefined,
      undefined,
    );
  }

  async sessions(filter: StatsFilter = {}): Promise<SessionInfo[]> {
    this.writeBeforeRead();
    const all = this.query(`${SELECT_SESSIONS} ORDER BY started_ts`, (s) => s.all() as SessionInfo[], []);
    return all.filter((session) => matchesSession(session, filter));
  }

  async reset(): Promise<number> {
    if (this.closed || this.readOnly) throw this.refuse('reset the rows');
    this.writeQueued();
    const db = this.db!;
    return db.transaction(() => {
      const deleted = db.prepare('DELETE FROM requests').run().changes;
      db.prepare('DELETE FROM sessions').run();
      return deleted;
    })();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.writeQueued();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.statements.clear();
    this.db?.close();
  }
}
