// The shared stats store: every replica's request rows in one Redis stream (bounded: the oldest are trimmed
// past a cap) and the agent sessions in one hash, so `headroom stats` and any replica's /stats read them all.
// Writes are batched off the response path; while Redis is unreachable they wait in memory, up to a cap.

import type { ChainableCommander, Redis } from 'ioredis';
import { HeadroomError } from '../../errors.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { matchesFilter, matchesSession, type StatsFilter } from '../filter.js';
import { toRequestRow, writtenRow } from '../rows.js';
import type { NewRequestRow, RequestRow, RowsPage, SessionInfo, StatsStore } from '../types.js';
import {
  KEY_PREFIX,
  openRedisConnection,
  type RedisConnection,
  type RedisTarget,
  redisProblem,
} from './connection.js';

export interface RedisStatsStoreOptions {
  target: RedisTarget;
  /** Only read: never write anything. */
  readOnly?: boolean;
  /** How long recorded rows may wait before they are written together. */
  flushMs?: number;
  /** Told when rows could not be written (default: a process warning); once until a write succeeds again. */
  onError?: (error: Error) => void;
  /** Rows the stream keeps; older ones are trimmed as new ones come. */
  maxRows?: number;
}

const P = `${KEY_PREFIX}stats:`;
const ROWS = `${P}rows`;
const SESSIONS = `${P}sessions`;
// Rows recorded while Redis is unreachable wait in memory, retried every second.
const RETRY_MS = 1000;
const MAX_PENDING_ROWS = 10_000;
const READ_CHUNK = 5000;
/** Entries read at a time by `scanRows`, each page parsed on the event loop between two reads. */
const SCAN_CHUNK = 1000;
// A follower's blocking read returns at least this often, to see that it was stopped.
const FOLLOW_BLOCK_MS = 1000;

// Row ids come from one counter and go in as the stream's own ids (0-<id>), in one script so that rows from
// every replica are in id order: a reader that has seen id N has seen every row before it.
const RECORD = `
local ids = {}
for i = 3, #ARGV do
  local id = redis.call('INCR', ARGV[1] .. 'id')
  redis.call('XADD', ARGV[1] .. 'rows', 'MAXLEN', '~', ARGV[2], '0-' .. id, 'row', ARGV[i])
  ids[#ids + 1] = id
end
return ids
`;

// A session update keeps what it leaves out, and the first start it was registered with.
const UPSERT_SESSION = `
local key, id = ARGV[1] .. 'sessions', ARGV[2]
local given = cjson.decode(ARGV[3])
local current = redis.call('HGET', key, id)
local session = current and cjson.decode(current) or { startedTs = given.startedTs }
for _, field in ipairs({ 'agent', 'project', 'endedTs' }) do
  if given[field] ~= nil then session[field] = given[field] end
end
redis.call('HSET', key, id, cjson.encode(session))
return 1
`;

interface Scripts {
  headroomRecord(...args: (string | number)[]): Promise<number[]>;
  headroomUpsertSession(...args: (string | number)[]): Promise<number>;
}

type ScriptedRedis = Redis & Scripts;

/** A pipeline that can queue the scripts too. */
type ScriptedBatch = ChainableCommander & {
  [name in keyof Scripts]: (...args: (string | number)[]) => ScriptedBatch;
};

function withScripts(client: Redis): ScriptedRedis {
  const scripted = client as ScriptedRedis;
  if (typeof scripted.headroomRecord !== 'function') {
    client.defineCommand('headroomRecord', { numberOfKeys: 0, lua: RECORD });
    client.defineCommand('headroomUpsertSession', { numberOfKeys: 0, lua: UPSERT_SESSION });
  }
  return scripted;
}

type QueuedWrite =
  | { kind: 'row'; row: NewRequestRow; settle: (written: RequestRow | undefined) => void }
  | { kind: 'session'; session: SessionInfo; settle: (error?: Error) => void };

/** The row as the stream holds it: only what is known (the reader turns the rest into nulls). */
function encodeRow(row: NewRequestRow): string {
  return JSON.stringify(row);
}

/** A registration as the hash holds it: the fields it sets, absent ones left out so they keep their value. */
function encodeSession(session: SessionInfo): string {
  const given: Record<string, unknown> = { startedTs: session.startedTs ?? Date.now() };
  if (session.agent != null) given.agent = session.agent;
  if (session.project != null) given.project = session.project;
  if (session.endedTs != null) given.endedTs = session.endedTs;
  return JSON.stringify(given);
}

function decodeSession(id: string, value: string): SessionInfo {
  const raw = JSON.parse(value) as Partial<SessionInfo>;
  return {
    id,
    agent: raw.agent ?? null,
    project: raw.project ?? null,
    startedTs: raw.startedTs ?? 0,
    endedTs: raw.endedTs ?? null,
  };
}

/** A stream entry's row id: its id is `0-<row id>`. */
const rowIdOf = (streamId: string) => Number(streamId.slice(streamId.indexOf('-') + 1));

/** Open the stats kept in the Redis database `options.target` names. */
export async function openRedisStatsStore(options: RedisStatsStoreOptions): Promise<StatsStore> {
  return new RedisStatsStore(options, await openRedisConnection(options.target));
}

class RedisStatsStore implements StatsStore {
  readonly location: string;
  private readonly redis: ScriptedRedis;
  private readonly readOnly: boolean;
  private readonly flushMs: number;
  private readonly maxRows: number;
  private readonly onError: (error: Error) => void;
  private pending: QueuedWrite[] = [];
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private closed = false;
  private closing = false;
  /** The last write failed and said so: the ones after it that fail too are not reported again. */
  private failing = false;
  private readonly followers = new Set<(row: RequestRow) => void>();
  private following?: Promise<void>;
  private reader?: Redis;

  constructor(
    options: RedisStatsStoreOptions,
    private readonly connection: RedisConnection,
  ) {
    this.location = connection.location;
    this.redis = withScripts(connection.client);
    this.readOnly = options.readOnly ?? false;
    this.flushMs = options.flushMs ?? STORE_DEFAULTS.flushMs;
    this.maxRows = Math.max(1, options.maxRows ?? STORE_DEFAULTS.statsMaxRows);
    this.onError = options.onError ?? ((error) => process.emitWarning(error.message));
  }

  record(row: NewRequestRow): Promise<RequestRow | undefined> {
    if (this.closed || this.readOnly) {
      this.onError(this.refuse('record a request'));
      return Promise.resolve(undefined);
    }
    return new Promise((settle) => this.enqueue({ kind: 'row', row, settle }));
  }

  upsertSession(session: SessionInfo): Promise<void> {
    if (this.closed || this.readOnly) return Promise.reject(this.refuse(`register session ${session.id}`));
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'session', session, settle: (error) => (error ? reject(error) : resolve()) }),
    );
  }

  async flush(): Promise<void> {
    await this.writeQueued();
  }

  async rows(filter: StatsFilter = {}, page: RowsPage = {}): Promise<RequestRow[]> {
    if (page.limit !== undefined && page.limit <= 0) return [];
    await this.writeBeforeRead();
    if (page.limit !== undefined) return this.newestRows(filter, Math.floor(page.limit), page.afterId ?? 0);
    const entries = await this.read(() => this.entriesAfter(page.afterId ?? 0));
    const sessions = entries.length ? await this.registered() : new Map<string, SessionInfo>();
    return this.toRows(entries, sessions).filter((row) => matchesFilter(row, filter));
  }

  /**
   * The newest `limit` rows after `afterId` that match, read from the stream's end back until there are
   * enough: a live view of a busy store with a filter never reads its whole history. With nothing to match,
   * the newest few are the stream's last entries, read at once.
   */
  private async newestRows(filter: StatsFilter, limit: number, afterId: number): Promise<RequestRow[]> {
    const narrowed = Object.values(filter).some((value) => value !== undefined);
    const count = narrowed ? SCAN_CHUNK : limit;
    const pages: RequestRow[][] = [];
    let sessions: Map<string, SessionInfo> | undefined;
    for (let end = '+', found = 0; found < limit; ) {
      const chunk = await this.read(() => this.redis.xrevrange(ROWS, end, '-', 'COUNT', count));
      const fresh = chunk.filter(([id]) => rowIdOf(id) > afterId);
      if (fresh.length) {
        sessions ??= await this.registered();
        const rows = this.toRows(fresh.reverse(), sessions).filter((row) => matchesFilter(row, filter));
        pages.unshift(rows);
        found += rows.length;
      }
      if (chunk.length < count || fresh.length < chunk.length) break;
      end = `(${chunk.at(-1)![0]}`;
    }
    return pages.flat().slice(-limit);
  }

  async scanRows(filter: StatsFilter, take: (rows: RequestRow[]) => void): Promise<void> {
    await this.writeBeforeRead();
    const sessions = await this.registered();
    for (let start = '-'; ; ) {
      const chunk = await this.read(() => this.redis.xrange(ROWS, start, '+', 'COUNT', SCAN_CHUNK));
      if (!chunk.length) return;
      take(this.toRows(chunk, sessions).filter((row) => matchesFilter(row, filter)));
      if (chunk.length < SCAN_CHUNK) return;
      start = `(${chunk.at(-1)![0]}`;
    }
  }

  async lastId(): Promise<number> {
    await this.writeBeforeRead();
    const [last] = await this.read(() => this.redis.xrevrange(ROWS, '+', '-', 'COUNT', 1));
    return last ? rowIdOf(last[0]) : 0;
  }

  async session(id: string): Promise<SessionInfo | undefined> {
    if (this.pending.some((write) => write.kind === 'session' && write.session.id === id)) {
      await this.writeBeforeRead();
    }
    const value = await this.read(() => this.redis.hget(SESSIONS, id));
    return value ? decodeSession(id, value) : undefined;
  }

  async sessions(filter: StatsFilter = {}): Promise<SessionInfo[]> {
    await this.writeBeforeRead();
    const all = [...(await this.registered()).values()].sort(
      (a, b) => (a.startedTs ?? 0) - (b.startedTs ?? 0),
    );
    return all.filter((session) => matchesSession(session, filter));
  }

  async reset(): Promise<number> {
    if (this.closed || this.readOnly) throw this.refuse('reset the rows');
    await this.writeQueued();
    // The id counter stays: a follower that saw id N never mistakes a new row for one it has seen.
    const [[, count]] = (await this.read(() => this.redis.multi().xlen(ROWS).del(ROWS, SESSIONS).exec())) as [
      [Error | null, number],
    ];
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.writeQueued();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Rows still waiting for Redis go now, reported as not written.
    this.settleUnwritten(
      this.pending.splice(0),
      new HeadroomError(`the stats store ${this.location} is closed`),
    );
    // A follower's blocking read ends now rather than at its next timeout.
    this.followers.clear();
    this.reader?.disconnect();
    await this.connection.release();
  }

  follow(listener: (row: RequestRow) => void): () => void {
    this.followers.add(listener);
    if (!this.following) this.following = this.readNewRows();
    return () => {
      this.followers.delete(listener);
    };
  }

  /** Tell the followers of every row written after now, read with a blocking read on a connection of its own. */
  private async readNewRows(): Promise<void> {
    const reader = this.connection.client.duplicate();
    this.reader = reader;
    reader.on('error', () => {});
    await reader.connect().catch(() => {});
    let last: number | undefined;
    while (!this.closed && this.followers.size) {
      try {
        last ??= await this.lastId();
        const answer = await reader.xread(
          'COUNT',
          500,
          'BLOCK',
          FOLLOW_BLOCK_MS,
          'STREAMS',
          ROWS,
          `0-${last}`,
        );
        const entries = answer?.[0]?.[1] ?? [];
        if (!entries.length) continue;
        last = rowIdOf(entries.at(-1)![0]);
        const sessions = await this.registered();
        for (const row of this.toRows(entries, sessions))
          for (const listener of this.followers) listener(row);
      } catch {
        // Redis unreachable: the reader reconnects by itself; the rows it missed are read from where it was.
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    this.following = undefined;
    this.reader = undefined;
    reader.disconnect();
  }

  private enqueue(write: QueuedWrite): void {
    this.pending.push(write);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.writeQueued(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Write what is queued before a read, unless the writes are waiting for Redis to come back. */
  private async writeBeforeRead(): Promise<void> {
    if (!this.failing) await this.writeQueued();
  }

  /** Write every queued row and session now; one write at a time, so rows keep their order. */
  private async writeQueued(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || this.closed) return;
    const writes = this.pending;
    this.pending = [];
    this.writing = this.write(writes).finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  private async write(writes: QueuedWrite[]): Promise<void> {
    let ids: number[];
    try {
      ids = await this.send(writes);
    } catch (error) {
      const failure = new HeadroomError(
        `cannot write ${writes.length} stats rows to ${this.location}: ${redisProblem(error, this.location)}`,
      );
      // An unreachable Redis costs the rows nothing but time: they wait (up to a cap) and go when it is back.
      if (!this.closing && writes.length + this.pending.length < MAX_PENDING_ROWS) {
        if (!this.failing)
          this.onError(new HeadroomError(`${failure.message}; rows wait until it is reachable`));
        this.failing = true;
        this.pending = writes.concat(this.pending);
        this.timer = setTimeout(() => void this.writeQueued(), RETRY_MS);
        this.timer.unref();
        return;
      }
      if (!this.failing) this.onError(new HeadroomError(`${failure.message}; rows are dropped`));
      this.failing = true;
      this.settleUnwritten(writes, failure);
      return;
    }
    this.failing = false;
    let next = 0;
    for (const write of writes) {
      if (write.kind === 'row') write.settle(writtenRow(write.row, ids[next++]!));
      else write.settle();
    }
  }

  /** Sessions first (a row read back finds its session), then the rows in one script; the rows' ids. */
  private async send(writes: QueuedWrite[]): Promise<number[]> {
    const batch = this.redis.pipeline() as ScriptedBatch;
    for (const write of writes) {
      if (write.kind === 'session') {
        batch.headroomUpsertSession(P, write.session.id, encodeSession(write.session));
      }
    }
    const rows = writes.flatMap((write) => (write.kind === 'row' ? [encodeRow(write.row)] : []));
    if (rows.length) batch.headroomRecord(P, this.maxRows, ...rows);
    const results = (await batch.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    return rows.length ? (results.at(-1)![1] as number[]) : [];
  }

  private settleUnwritten(writes: QueuedWrite[], failure: Error): void {
    for (const write of writes) {
      if (write.kind === 'row') write.settle(undefined);
      else write.settle(failure);
    }
  }

  /** Stream entries as rows, their agent and project falling back to their session's registration. */
  private toRows(entries: [string, string[]][], sessions: Map<string, SessionInfo>): RequestRow[] {
    const rows: RequestRow[] = [];
    for (const [id, fields] of entries) {
      const row = toRequestRow({ ...(JSON.parse(fields[1] ?? '{}') as object), id: rowIdOf(id) });
      if (!row) continue;
      const session = row.sessionId ? sessions.get(row.sessionId) : undefined;
      row.agent ??= session?.agent ?? null;
      row.project ??= session?.project ?? null;
      rows.push(row);
    }
    return rows;
  }

  /** Every entry after row `afterId`, read in chunks so a long stream never comes back as one reply. */
  private async entriesAfter(afterId: number): Promise<[string, string[]][]> {
    const all: [string, string[]][] = [];
    let start = `(0-${afterId}`;
    for (;;) {
      const chunk = await this.redis.xrange(ROWS, start, '+', 'COUNT', READ_CHUNK);
      all.push(...chunk);
      if (chunk.length < READ_CHUNK) return all;
      start = `(${chunk.at(-1)![0]}`;
    }
  }

  private async registered(): Promise<Map<string, SessionInfo>> {
    const raw = await this.read(() => this.redis.hgetall(SESSIONS));
    return new Map(Object.entries(raw).map(([id, value]) => [id, decodeSession(id, value)]));
  }

  /** Run a read; a closed store or an unreachable server is a HeadroomError that says which. */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new HeadroomError(`cannot read the stats store ${this.location}: the store is not open`);
    }
    try {
      return await query();
    } catch (error) {
      throw new HeadroomError(
        `cannot read the stats store ${this.location}: ${redisProblem(error, this.location)}`,
        { cause: error },
      );
    }
  }

  private refuse(what: string): HeadroomError {
    return new HeadroomError(
      this.closed
        ? `cannot ${what} in the stats store ${this.location}: the store is closed`
        : `cannot ${what} in the stats store ${this.location}: it is open read-only`,
    );
  }
}
