// The embedded stats store: one row per proxied request and one per agent session, in SQLite (WAL, so
// several proxies on one machine can share the file). Writes are batched off the response path.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.js';

/** One proxied request as the proxy saw it. Absent numbers are unknown, not zero. */
export interface RequestRow {
  id: number;
  /** When the request arrived (ms since the epoch). */
  ts: number;
  provider: string;
  model: string | null;
  method: string;
  path: string;
  status: number;
  latencyMs: number | null;
  /** Time until the first response byte from the upstream. */
  ttfbMs: number | null;
  stream: boolean;
  requestBytes: number | null;
  /**
   * Input tokens of the request as forwarded: the compression engine's count, else (body unchanged) the
   * upstream's report, else a local tokenizer estimate (from the size alone over 1 MB).
   */
  estInputTokens: number | null;
  /** Tokens of the request before and after compression (equal when nothing was compressed). */
  tokensBefore: number | null;
  tokensAfter: number | null;
  /** Transforms applied, with how many blocks each rewrote. */
  transforms: Record<string, number> | null;
  compressMs: number | null;
  compressError: string | null;
  /** Upstream-reported usage; `inputTokens` excludes cache reads and writes. */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Why the exchange failed on the proxy's side ('upstream unreachable', 'client aborted', ...). */
  error: string | null;
  agent: string | null;
  sessionId: string | null;
  project: string | null;
  /** `headroom_retrieve` calls the proxy answered while serving this request, and the bytes returned. */
  retrievals: number;
  retrievedBytes: number;
}

/** What `record()` takes: the row without its id; anything left out is stored as unknown. */
export type NewRequestRow = Pick<RequestRow, 'ts' | 'provider' | 'method' | 'path' | 'status'> &
  Partial<Omit<RequestRow, 'id' | 'ts' | 'provider' | 'method' | 'path' | 'status'>>;

export interface SessionInfo {
  id: string;
  agent?: string | null;
  project?: string | null;
  startedTs?: number;
  endedTs?: number | null;
}

export interface StatsFilter {
  sinceMs?: number;
  agent?: string;
  sessionId?: string;
  project?: string;
}

export interface StatsTotals {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  retrievals: number;
  /** Requests that failed: an error status from the upstream or a failure on the proxy's side. */
  errors: number;
}

export interface SessionSummary {
  id: string;
  agent: string | null;
  project: string | null;
  startedTs: number;
  endedTs: number | null;
  lastTs: number | null;
  totals: StatsTotals;
}

export type RowListener = (row: RequestRow) => void;

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
] as const;

type DbRow = Record<(typeof COLUMNS)[number], string | number | null> & { id: number };

const TOTALS_SQL = `COUNT(*) AS requests,
  COALESCE(SUM(r.tokens_before), 0) AS tokensBefore,
  COALESCE(SUM(r.tokens_after), 0) AS tokensAfter,
  COALESCE(SUM(r.input_tokens), 0) AS inputTokens,
  COALESCE(SUM(r.output_tokens), 0) AS outputTokens,
  COALESCE(SUM(r.cache_read_tokens), 0) AS cacheReadTokens,
  COALESCE(SUM(r.cache_write_tokens), 0) AS cacheWriteTokens,
  COALESCE(SUM(r.retrievals), 0) AS retrievals,
  COALESCE(SUM(CASE WHEN r.error IS NOT NULL OR r.status >= 400 THEN 1 ELSE 0 END), 0) AS errors`;

const BUSY_TIMEOUT_MS = 5000;
// Rows recorded while another process holds the write lock wait in memory, retried every second.
const FLUSH_BUSY_MS = 100;
const BUSY_RETRY_MS = 1000;
const MAX_PENDING_ROWS = 10_000;

const isBusy = (error: unknown) => (error as { code?: unknown })?.code === 'SQLITE_BUSY';

/** The stats database file inside a cache directory. */
export function statsDbPath(cacheDir: string): string {
  return join(cacheDir, 'stats.db');
}

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
  ];
}

const str = (v: string | number | null): string | null => (v === null ? null : String(v));
const n = (v: string | number | null): number | null => (v === null ? null : Number(v));

function withId(row: NewRequestRow, id: number): RequestRow {
  return {
    id,
    ts: row.ts,
    provider: row.provider,
    model: row.model ?? null,
    method: row.method,
    path: row.path,
    status: row.status,
    latencyMs: row.latencyMs ?? null,
    ttfbMs: row.ttfbMs ?? null,
    stream: row.stream ?? false,
    requestBytes: row.requestBytes ?? null,
    estInputTokens: row.estInputTokens ?? null,
    tokensBefore: row.tokensBefore ?? null,
    tokensAfter: row.tokensAfter ?? null,
    transforms: row.transforms ?? null,
    compressMs: row.compressMs ?? null,
    compressError: row.compressError ?? null,
    inputTokens: row.inputTokens ?? null,
    outputTokens: row.outputTokens ?? null,
    cacheReadTokens: row.cacheReadTokens ?? null,
    cacheWriteTokens: row.cacheWriteTokens ?? null,
    error: row.error ?? null,
    agent: row.agent ?? null,
    sessionId: row.sessionId ?? null,
    project: row.project ?? null,
    retrievals: row.retrievals ?? 0,
    retrievedBytes: row.retrievedBytes ?? 0,
  };
}

function fromDb(r: DbRow): RequestRow {
  return {
    id: r.id,
    ts: Number(r.ts),
    provider: String(r.provider),
    model: str(r.model),
    method: String(r.method),
    path: String(r.path),
    status: Number(r.status),
    latencyMs: n(r.latency_ms),
    ttfbMs: n(r.ttfb_ms),
    stream: r.stream === 1,
    requestBytes: n(r.request_bytes),
    estInputTokens: n(r.est_input_tokens),
    tokensBefore: n(r.tokens_before),
    tokensAfter: n(r.tokens_after),
    transforms: r.transforms === null ? null : (JSON.parse(String(r.transforms)) as Record<string, number>),
    compressMs: n(r.compress_ms),
    compressError: str(r.compress_error),
    inputTokens: n(r.input_tokens),
    outputTokens: n(r.output_tokens),
    cacheReadTokens: n(r.cache_read_tokens),
    cacheWriteTokens: n(r.cache_write_tokens),
    error: str(r.error),
    agent: str(r.agent),
    sessionId: str(r.session_id),
    project: str(r.project),
    retrievals: Number(r.retrievals),
    retrievedBytes: Number(r.retrieved_bytes),
  };
}

function whereClause(filter: StatsFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.sinceMs !== undefined) {
    parts.push('r.ts >= ?');
    params.push(filter.sinceMs);
  }
  if (filter.sessionId !== undefined) {
    parts.push('r.session_id = ?');
    params.push(filter.sessionId);
  }
  if (filter.agent !== undefined) {
    parts.push('COALESCE(r.agent, s.agent) = ?');
    params.push(filter.agent);
  }
  if (filter.project !== undefined) {
    parts.push('COALESCE(r.project, s.project) = ?');
    params.push(filter.project);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export interface StatsStoreOptions {
  /** How long recorded rows may wait before they are written in one transaction. */
  flushMs?: number;
  /** Told when a batch of rows could not be written (default: a process warning). */
  onError?: (error: Error) => void;
}

/** Create `file`'s directory (0700) and the file itself (0600) before SQLite opens it. */
function preparePrivateFile(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
}

/**
 * Per-request statistics in SQLite. `record()` returns at once; rows are written in batches shortly after
 * (or on `flush()`/`close()`), then announced to subscribers with their ids.
 */
export class StatsStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertBatch: (rows: NewRequestRow[]) => number[];
  private pending: NewRequestRow[] = [];
  private timer?: NodeJS.Timeout;
  private readonly flushMs: number;
  private readonly onError: (error: Error) => void;
  private readonly listeners = new Set<RowListener>();
  private closed = false;
  private closing = false;

  /** Open (creating and migrating as needed) the store at `file`, e.g. `statsDbPath(config.cacheDir)`. */
  constructor(file: string, options: StatsStoreOptions = {}) {
    this.file = file;
    this.flushMs = options.flushMs ?? 50;
    this.onError = options.onError ?? ((error) => process.emitWarning(error.message));
    try {
      preparePrivateFile(file);
      this.db = new Database(file);
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.migrate();
      for (const side of ['-wal', '-shm']) if (existsSync(file + side)) chmodSync(file + side, 0o600);
    } catch (error) {
      if (error instanceof HeadroomError) throw error;
      throw new HeadroomError(`cannot open the stats store ${file}: ${(error as Error).message}`, 1, {
        cause: error,
      });
    }
    this.insert = this.db.prepare(
      `INSERT INTO requests (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    this.insertBatch = this.db.transaction((rows: NewRequestRow[]) =>
      rows.map((row) => Number(this.insert.run(toDb(row)).lastInsertRowid)),
    );
  }

  private migrate(): void {
    // A current file needs no write lock, so another process holding one does not stop this one opening it.
    if (this.schemaVersion() === MIGRATIONS.length) return;
    // IMMEDIATE takes the write lock first, so two processes opening a new file migrate it once.
    this.db
      .transaction(() => {
        const version = this.schemaVersion();
        for (let v = version; v < MIGRATIONS.length; v++) this.db.exec(MIGRATIONS[v]!);
        if (version < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
      })
      .immediate();
  }

  private schemaVersion(): number {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new HeadroomError(
        `${this.file} was written by a newer headroom (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade headroom or point HEADROOM_CACHE_DIR elsewhere`,
      );
    }
    return version;
  }

  /** Queue one request row; it is written within `flushMs`. */
  record(row: NewRequestRow): void {
    if (this.closed) return;
    this.pending.push(row);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Write every queued row now and tell subscribers about them. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    let ids: number[];
    try {
      ids = this.writeBatch(rows);
    } catch (error) {
      // Another process holding the write lock: the rows wait for it (up to a cap) rather than the
      // proxy's event loop, which a long busy wait would stall for every stream in flight.
      if (isBusy(error) && !this.closed && rows.length < MAX_PENDING_ROWS) {
        this.pending = rows.concat(this.pending);
        this.timer = setTimeout(() => this.flush(), BUSY_RETRY_MS);
        this.timer.unref();
        return;
      }
      // A full disk or a lock held too long by another process must not take the proxy down.
      this.onError(
        new HeadroomError(
          `cannot write ${rows.length} stats rows to ${this.file}: ${(error as Error).message}`,
        ),
      );
      return;
    }
    if (!this.listeners.size) return;
    rows.forEach((row, i) => {
      const written = withId(row, ids[i]!);
      for (const listener of this.listeners) listener(written);
    });
  }

  /** Insert rows in one transaction, waiting briefly for a lock while open and fully when closing. */
  private writeBatch(rows: NewRequestRow[]): number[] {
    if (this.closing) return this.insertBatch(rows);
    this.db.pragma(`busy_timeout = ${FLUSH_BUSY_MS}`);
    try {
      return this.insertBatch(rows);
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Call `listener` with every row once it is written; returns the unsubscribe function. */
  subscribe(listener: RowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest rows, newest first. */
  recent(limit = 50, filter: StatsFilter = {}): RequestRow[] {
    this.flush();
    const where = whereClause(filter);
    const rows = this.db
      .prepare(
        `SELECT r.* FROM requests r LEFT JOIN sessions s ON s.id = r.session_id ${where.sql} ORDER BY r.id DESC LIMIT ?`,
      )
      .all(...where.params, Math.max(0, Math.floor(limit))) as DbRow[];
    return rows.map(fromDb);
  }

  /** Totals over the rows matching `filter`. */
  summary(filter: StatsFilter = {}): StatsTotals {
    this.flush();
    const where = whereClause(filter);
    return this.db
      .prepare(
        `SELECT ${TOTALS_SQL} FROM requests r LEFT JOIN sessions s ON s.id = r.session_id ${where.sql}`,
      )
      .get(...where.params) as StatsTotals;
  }

  /** Register a session or update what is known about it (fields left out keep their value). */
  upsertSession(session: SessionInfo): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id, agent, project, started_ts, ended_ts) VALUES (@id, @agent, @project, @startedTs, @endedTs)
         ON CONFLICT(id) DO UPDATE SET
           agent = COALESCE(excluded.agent, agent),
           project = COALESCE(excluded.project, project),
           ended_ts = COALESCE(excluded.ended_ts, ended_ts)`,
      )
      .run({
        id: session.id,
        agent: session.agent ?? null,
        project: session.project ?? null,
        startedTs: session.startedTs ?? Date.now(),
        endedTs: session.endedTs ?? null,
      });
  }

  /** One session's registration, if it was registered. */
  session(id: string): SessionInfo | undefined {
    const row = this.db
      .prepare(
        'SELECT id, agent, project, started_ts AS startedTs, ended_ts AS endedTs FROM sessions WHERE id = ?',
      )
      .get(id) as SessionInfo | undefined;
    return row;
  }

  /**
   * Sessions with their totals, most recently active first: registered ones and ones known only from
   * tagged requests. Filters apply to the requests counted and to the session's agent and project.
   */
  sessions(filter: StatsFilter = {}): SessionSummary[] {
    this.flush();
    const where = whereClause(filter);
    const joinFilter = where.sql
      ? `${where.sql} AND r.session_id IS NOT NULL`
      : 'WHERE r.session_id IS NOT NULL';
    const fromRequests = this.db
      .prepare(
        `SELECT r.session_id AS id, COALESCE(MAX(r.agent), MAX(s.agent)) AS agent,
                COALESCE(MAX(r.project), MAX(s.project)) AS project,
                COALESCE(MIN(s.started_ts), MIN(r.ts)) AS startedTs, MAX(s.ended_ts) AS endedTs,
                MAX(r.ts) AS lastTs, ${TOTALS_SQL}
         FROM requests r LEFT JOIN sessions s ON s.id = r.session_id ${joinFilter}
         GROUP BY r.session_id`,
      )
      .all(...where.params) as (Omit<SessionSummary, 'totals'> & StatsTotals)[];
    const summaries = new Map<string, SessionSummary>();
    for (const row of fromRequests) {
      const { id, agent, project, startedTs, endedTs, lastTs, ...totals } = row;
      summaries.set(id, { id, agent, project, startedTs, endedTs, lastTs, totals });
    }
    const registered = this.db
      .prepare('SELECT id, agent, project, started_ts AS startedTs, ended_ts AS endedTs FROM sessions')
      .all() as Omit<SessionSummary, 'totals' | 'lastTs'>[];
    for (const s of registered) {
      if (summaries.has(s.id)) continue;
      if (filter.sessionId !== undefined && s.id !== filter.sessionId) continue;
      if (filter.agent !== undefined && s.agent !== filter.agent) continue;
      if (filter.project !== undefined && s.project !== filter.project) continue;
      if (filter.sinceMs !== undefined && s.startedTs < filter.sinceMs) continue;
      summaries.set(s.id, { ...s, lastTs: null, totals: emptyTotals() });
    }
    return [...summaries.values()].sort((a, b) => (b.lastTs ?? b.startedTs) - (a.lastTs ?? a.startedTs));
  }

  /** Delete every request and session row. */
  reset(): void {
    this.pending = [];
    this.db.exec('DELETE FROM requests; DELETE FROM sessions;');
  }

  /** Write what is queued and close the database. */
  close(): void {
    if (this.closed) return;
    this.closing = true;
    this.flush();
    this.closed = true;
    this.listeners.clear();
    this.db.close();
  }
}

function emptyTotals(): StatsTotals {
  return {
    requests: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    retrievals: 0,
    errors: 0,
  };
}
