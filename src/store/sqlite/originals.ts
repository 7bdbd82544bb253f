// The embedded originals store: one SQLite file (`originals.db`) in a directory, shared safely by every
// headroom process on the machine, brotli-compressed at rest, capped in size (LRU) and in age (TTL).

import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir } from '../../private-dir.js';
import { putText, WarnOnce } from '../backends.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { type Packed, pack, unpack } from '../packing.js';
import type {
  ConversationHistoryRecord,
  ConversationState,
  EncodedOriginal,
  HistoryStub,
  Original,
  OriginalStore,
  OriginalStoreStats,
} from '../types.js';
import { isCorruption, moveAside } from './corrupt.js';
import { retryWhileBusy, switchToWal } from './wal.js';

export interface SqliteOriginalStoreOptions {
  /** Directory holding `originals.db` (created 0700 when missing). */
  dir: string;
  /** Cap on the compressed bytes kept; least recently read originals go first. */
  maxBytes?: number;
  /** Days an original survives after it was last read or stored. */
  ttlDays?: number;
  /** Puts between two eviction passes (a pass also runs on open). */
  evictEvery?: number;
  /** Called once per distinct problem (corrupt file, unwritable directory...); the store keeps working. */
  onWarning?: (message: string) => void;
  /** Clock in milliseconds; tests move it to exercise expiry. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
export const ORIGINALS_FILE = 'originals.db';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS originals (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    raw_bytes INTEGER NOT NULL,
    stored_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    accessed_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS originals_by_access ON originals (accessed_at);
  CREATE TABLE IF NOT EXISTS whole_outputs (
    key TEXT PRIMARY KEY,
    kept_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS history_stubs (
    conversation TEXT NOT NULL,
    key TEXT NOT NULL,
    reason TEXT NOT NULL,
    kept_at INTEGER NOT NULL,
    PRIMARY KEY (conversation, key)
  );
  CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    last_ts INTEGER NOT NULL,
    lifetime_ms INTEGER NOT NULL,
    cache_read INTEGER NOT NULL,
    cache_write INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    rewrote INTEGER NOT NULL,
    kept_at INTEGER NOT NULL,
    level TEXT,
    arm TEXT
  );
  CREATE INDEX IF NOT EXISTS conversations_by_time ON conversations (last_ts);
  CREATE INDEX IF NOT EXISTS conversations_by_use ON conversations (kept_at);
`;

/** Open (creating if needed) the originals file in `options.dir`; never throws for a bad file or directory. */
export function openSqliteOriginalStore(options: SqliteOriginalStoreOptions): OriginalStore {
  return new SqliteOriginalStore(options);
}

type Statements = ReturnType<typeof prepare>;

/** A `conversations` row as read: flags as integers, absent steering as null. */
type ConversationRow = Omit<ConversationState, 'rewrote' | 'level' | 'arm'> & {
  rewrote: number;
  level: string | null;
  arm: ConversationState['arm'] | null;
};

function stateOf({ rewrote, level, arm, ...row }: ConversationRow): ConversationState {
  return { ...row, rewrote: rewrote === 1, ...(level ? { level } : {}), ...(arm ? { arm } : {}) };
}

/** A file made before conversations kept their steering gains its two columns (empty for old rows). */
function addSteeringColumns(db: Database.Database): void {
  const columns = new Set(
    (db.pragma('table_info(conversations)') as Array<{ name: string }>).map((c) => c.name),
  );
  if (!columns.has('level')) db.exec('ALTER TABLE conversations ADD COLUMN level TEXT');
  if (!columns.has('arm')) db.exec('ALTER TABLE conversations ADD COLUMN arm TEXT');
}

function prepare(db: Database.Database) {
  return {
    touch: db.prepare('UPDATE originals SET accessed_at = ? WHERE id = ?'),
    insert: db.prepare(
      'INSERT OR IGNORE INTO originals (id, data, raw_bytes, stored_bytes, created_at, accessed_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    read: db.prepare<[number, string, number], { data: Buffer }>(
      'UPDATE originals SET accessed_at = ? WHERE id = ? AND accessed_at >= ? RETURNING data',
    ),
    has: db.prepare<[string, number], { found: number }>(
      'SELECT 1 AS found FROM originals WHERE id = ? AND accessed_at >= ?',
    ),
    expire: db.prepare('DELETE FROM originals WHERE accessed_at < ?'),
    expireWhole: db.prepare('DELETE FROM whole_outputs WHERE kept_at < ?'),
    keepWhole: db.prepare(
      'INSERT INTO whole_outputs (key, kept_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET kept_at = excluded.kept_at',
    ),
    wholeOutputs: db.prepare<[number], { key: string }>('SELECT key FROM whole_outputs WHERE kept_at >= ?'),
    expireStubs: db.prepare('DELETE FROM history_stubs WHERE kept_at < ?'),
    // A stub's decision lives as long as its conversation is used: every request refreshes it.
    keepStub: db.prepare(
      'INSERT INTO history_stubs (conversation, key, reason, kept_at) VALUES (?, ?, ?, ?) ON CONFLICT(conversation, key) DO UPDATE SET kept_at = excluded.kept_at',
    ),
    stubs: db.prepare<[number], HistoryStub>(
      'SELECT conversation, key, reason FROM history_stubs WHERE kept_at >= ? ORDER BY rowid',
    ),
    stubsOf: db.prepare<[string, number], HistoryStub>(
      'SELECT conversation, key, reason FROM history_stubs WHERE conversation = ? AND kept_at >= ? ORDER BY rowid',
    ),
    conversation: db.prepare<[string, number], ConversationRow>(
      `SELECT id, last_ts AS lastTs, lifetime_ms AS lifetimeMs, cache_read AS cacheRead,
         cache_write AS cacheWrite, prompt_tokens AS promptTokens, rewrote, level, arm
       FROM conversations WHERE id = ? AND kept_at >= ?`,
    ),
    touchStubs: db.prepare('UPDATE history_stubs SET kept_at = ? WHERE conversation = ?'),
    // By the store's clock, like the rest of it: `last_ts` is the proxy's own.
    expireConversations: db.prepare('DELETE FROM conversations WHERE kept_at < ?'),
    saveConversation: db.prepare(
      `INSERT INTO conversations (id, last_ts, lifetime_ms, cache_read, cache_write, prompt_tokens, rewrote, kept_at, level, arm)
       VALUES (@id, @lastTs, @lifetimeMs, @cacheRead, @cacheWrite, @promptTokens, @rewrote, @keptAt, @level, @arm)
       ON CONFLICT(id) DO UPDATE SET last_ts = excluded.last_ts, lifetime_ms = excluded.lifetime_ms,
         cache_read = excluded.cache_read, cache_write = excluded.cache_write,
         prompt_tokens = excluded.prompt_tokens, rewrote = excluded.rewrote, kept_at = excluded.kept_at,
         level = excluded.level, arm = excluded.arm`,
    ),
    conversations: db.prepare<[number], ConversationRow>(
      `SELECT id, last_ts AS lastTs, lifetime_ms AS lifetimeMs, cache_read AS cacheRead,
         cache_write AS cacheWrite, prompt_tokens AS promptTokens, rewrote, level, arm
       FROM conversations WHERE last_ts >= ?`,
    ),
    total: db.prepare<[], { bytes: number }>('SELECT COALESCE(SUM(stored_bytes), 0) AS bytes FROM originals'),
    // Keep the most recently read originals whose running size fits the cap; delete the rest.
    evict: db.prepare(`
      DELETE FROM originals WHERE id IN (
        SELECT id FROM (
          SELECT id, SUM(stored_bytes) OVER (ORDER BY accessed_at DESC, rowid DESC ROWS UNBOUNDED PRECEDING) AS kept
          FROM originals
        ) WHERE kept > ?
      )`),
    stats: db.prepare<[], { originals: number; rawBytes: number; storedBytes: number }>(
      'SELECT COUNT(*) AS originals, COALESCE(SUM(raw_bytes), 0) AS rawBytes, COALESCE(SUM(stored_bytes), 0) AS storedBytes FROM originals',
    ),
  };
}

class SqliteOriginalStore implements OriginalStore {
  readonly location: string;
  persistent = false;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly evictEvery: number;
  private readonly now: () => number;
  private readonly warnings: WarnOnce;
  private db!: Database.Database;
  private sql!: Statements;
  private putsSinceEviction = 0;
  private bytesSinceEviction = 0;

  constructor(options: SqliteOriginalStoreOptions) {
    this.dir = options.dir;
    this.location = join(options.dir, ORIGINALS_FILE);
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    this.ttlMs = (options.ttlDays ?? STORE_DEFAULTS.ttlDays) * DAY_MS;
    this.evictEvery = Math.max(1, options.evictEvery ?? STORE_DEFAULTS.evictEvery);
    this.now = options.now ?? Date.now;
    this.warnings = new WarnOnce(options.onWarning ?? (() => {}));
    this.open();
  }

  put(text: string): Promise<string> {
    return putText(this, text);
  }

  async putMany(originals: Iterable<Original | EncodedOriginal>): Promise<boolean> {
    const given = [...originals];
    // A known original costs one indexed UPDATE and no compression.
    const fresh = this.guard<(Original | EncodedOriginal)[] | undefined>(() => {
      const now = this.now();
      return this.db.transaction(() => given.filter(({ id }) => this.sql.touch.run(now, id).changes === 0))();
    }, undefined);
    if (!fresh) return false;
    if (!fresh.length) return true;
    const packed = await Promise.all(fresh.map(pack));
    return this.guard(() => {
      this.db.transaction(() => {
        for (const original of packed) this.insert(original);
      })();
      return true;
    }, false);
  }

  async get(id: string): Promise<string | undefined> {
    return this.guard(() => {
      const now = this.now();
      const row = this.sql.read.get(now, id, now - this.ttlMs);
      return row ? unpack(row.data) : undefined;
    }, undefined);
  }

  async has(id: string): Promise<boolean> {
    return this.guard(() => this.sql.has.get(id, this.now() - this.ttlMs) !== undefined, false);
  }

  async stats(): Promise<OriginalStoreStats> {
    const counts = this.guard(() => this.sql.stats.get(), undefined) ?? {
      originals: 0,
      rawBytes: 0,
      storedBytes: 0,
    };
    return { location: this.location, ...counts };
  }

  async wholeOutputs(): Promise<string[]> {
    return this.guard(() => this.sql.wholeOutputs.all(this.now() - this.ttlMs).map((row) => row.key), []);
  }

  async keepWhole(keys: readonly string[]): Promise<void> {
    this.guard(() => {
      const now = this.now();
      this.db.transaction(() => {
        for (const key of keys) this.sql.keepWhole.run(key, now);
      })();
    }, undefined);
  }

  async historyStubs(): Promise<HistoryStub[]> {
    return this.guard(() => this.sql.stubs.all(this.now() - this.ttlMs), []);
  }

  async keepStubs(stubs: readonly HistoryStub[]): Promise<void> {
    this.guard(() => {
      const now = this.now();
      this.db.transaction(() => {
        for (const stub of stubs) this.sql.keepStub.run(stub.conversation, stub.key, stub.reason, now);
      })();
    }, undefined);
  }

  async conversations(since: number): Promise<ConversationState[]> {
    return this.guard(() => this.sql.conversations.all(since).map(stateOf), []);
  }

  async conversationHistory(conversation: string): Promise<ConversationHistoryRecord | undefined> {
    return this.guard(() => {
      const cutoff = this.now() - this.ttlMs;
      const row = this.sql.conversation.get(conversation, cutoff);
      return {
        stubs: this.sql.stubsOf.all(conversation, cutoff),
        state: row && stateOf(row),
      };
    }, undefined);
  }

  async saveConversation(state: ConversationState): Promise<void> {
    this.guard(() => {
      this.db.transaction(() => {
        const now = this.now();
        this.sql.saveConversation.run({
          ...state,
          rewrote: state.rewrote ? 1 : 0,
          keptAt: now,
          level: state.level ?? null,
          arm: state.arm ?? null,
        });
        this.sql.touchStubs.run(now, state.id);
      })();
    }, undefined);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Drop expired originals, then the least recently read ones until the rest fits the cap. */
  private evict(): void {
    this.sql.expire.run(this.now() - this.ttlMs);
    this.sql.expireWhole.run(this.now() - this.ttlMs);
    this.sql.expireStubs.run(this.now() - this.ttlMs);
    this.sql.expireConversations.run(this.now() - this.ttlMs);
    if (this.sql.total.get()!.bytes > this.maxBytes) this.sql.evict.run(this.maxBytes);
    this.putsSinceEviction = 0;
    this.bytesSinceEviction = 0;
  }

  private insert({ id, rawBytes, data }: Packed): void {
    const now = this.now();
    this.sql.insert.run(id, data, rawBytes, data.length, now, now);
    this.putsSinceEviction += 1;
    this.bytesSinceEviction += data.length;
    if (this.putsSinceEviction >= this.evictEvery || this.bytesSinceEviction > this.maxBytes / 20) {
      this.evict();
    }
  }

  private open(): void {
    let failure: unknown;
    try {
      this.connect();
      return;
    } catch (error) {
      failure = error;
    }
    if (isCorruption(failure)) {
      this.moveAside(failure);
      try {
        this.connect();
        return;
      } catch (error) {
        failure = error;
      }
    }
    this.warn(
      `cannot open the originals store ${this.location} (${(failure as Error).message}); ` +
        'originals are kept in memory until headroom exits',
    );
    this.db = new Database(':memory:');
    this.db.exec(SCHEMA);
    this.sql = prepare(this.db);
    this.persistent = false;
  }

  private connect(): void {
    ensurePrivateDir(this.dir);
    closeSync(openSync(this.location, 'a', 0o600));
    const db = new Database(this.location, { timeout: 5000 });
    try {
      db.pragma('busy_timeout = 5000');
      switchToWal(db, 5000);
      db.pragma('synchronous = NORMAL');
      retryWhileBusy(() => {
        db.exec(SCHEMA);
        addSteeringColumns(db);
      }, 5000);
      this.db = db;
      this.sql = prepare(db);
      this.persistent = true;
    } catch (error) {
      db.close();
      throw error;
    }
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(this.location + suffix)) chmodSync(this.location + suffix, 0o600);
    }
    this.evict();
  }

  private moveAside(cause: unknown): void {
    if (this.db?.open) this.db.close();
    const aside = moveAside(this.location, this.now());
    this.warn(
      `the originals store ${this.location} is unreadable (${(cause as Error).message}); moved it to ${aside} and started a new one`,
    );
  }

  /** Run a store operation; a corrupt file is moved aside and the operation retried once, anything else is reported and `fallback` returned. */
  private guard<T>(operation: () => T, fallback: T): T {
    let failure: unknown;
    try {
      return operation();
    } catch (error) {
      failure = error;
    }
    if (isCorruption(failure)) {
      this.moveAside(failure);
      this.open();
      try {
        return operation();
      } catch (error) {
        failure = error;
      }
    }
    this.warn(`originals store ${this.location}: ${(failure as Error).message}`);
    return fallback;
  }

  private warn(message: string): void {
    this.warnings.warn(message);
  }
}
