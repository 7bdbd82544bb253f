// The shared originals store: originals, the outputs sent whole, history stubs and conversation states in one
// Redis database, so every proxy replica pointed at it answers a retrieve for an original any of them kept.
// Expiry and the size cap run inside Redis (scripts over a last-read index), atomic across replicas.

import type { Redis } from 'ioredis';
import { putText, WarnOnce } from '../backends.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { pack, unpack } from '../packing.js';
import type {
  ConversationHistoryRecord,
  ConversationState,
  EncodedOriginal,
  HistoryStub,
  Original,
  OriginalStore,
  OriginalStoreStats,
} from '../types.js';
import {
  KEY_PREFIX,
  openRedisConnection,
  type RedisConnection,
  type RedisTarget,
  redisProblem,
} from './connection.js';

export interface RedisOriginalStoreOptions {
  target: RedisTarget;
  /** Cap on the compressed bytes kept; least recently read originals go first. */
  maxBytes?: number;
  /** Days an original survives after it was last read or stored. */
  ttlDays?: number;
  /** Told once per distinct problem (Redis unreachable...); the store keeps working, failing open. */
  onWarning?: (message: string) => void;
  /** Clock in milliseconds; tests move it to exercise expiry. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
const P = `${KEY_PREFIX}originals:`;

// Keys (all under P): `o:<id>` the compressed bytes (expiring in Redis too), `lru` a sorted set of ids by
// last read, `sizes` id -> "stored:raw", `totals` the running sums the cap and `stats()` read.
const DROP = `
local p = ARGV[1]
local function drop(id)
  local size = redis.call('HGET', p .. 'sizes', id)
  if size then
    local stored, raw = string.match(size, '(%d+):(%d+)')
    redis.call('HINCRBY', p .. 'totals', 'stored', -tonumber(stored))
    redis.call('HINCRBY', p .. 'totals', 'raw', -tonumber(raw))
    redis.call('HINCRBY', p .. 'totals', 'count', -1)
    redis.call('HDEL', p .. 'sizes', id)
  end
  redis.call('ZREM', p .. 'lru', id)
  redis.call('DEL', p .. 'o:' .. id)
end
`;

/** ARGV: prefix, now, ttlMs, ids... -> the ids not held (their last read refreshed when held). */
const TOUCH = `${DROP}
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local missing = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local score = redis.call('ZSCORE', p .. 'lru', id)
  if score and tonumber(score) >= now - ttl and redis.call('PEXPIRE', p .. 'o:' .. id, ttl) == 1 then
    redis.call('ZADD', p .. 'lru', now, id)
  else
    missing[#missing + 1] = id
  end
end
return missing
`;

/** ARGV: prefix, now, ttlMs, maxBytes, then id, data, rawBytes per original; expires and evicts after. */
const PUT = `${DROP}
local now, ttl, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 5, #ARGV, 3 do
  local id, data, raw = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  drop(id)
  redis.call('SET', p .. 'o:' .. id, data, 'PX', ttl)
  redis.call('ZADD', p .. 'lru', now, id)
  redis.call('HSET', p .. 'sizes', id, #data .. ':' .. raw)
  redis.call('HINCRBY', p .. 'totals', 'stored', #data)
  redis.call('HINCRBY', p .. 'totals', 'raw', tonumber(raw))
  redis.call('HINCRBY', p .. 'totals', 'count', 1)
end
for _, old in ipairs(redis.call('ZRANGEBYSCORE', p .. 'lru', '-inf', '(' .. (now - ttl), 'LIMIT', 0, 1000)) do
  drop(old)
end
while tonumber(redis.call('HGET', p .. 'totals', 'stored') or '0') > max do
  local oldest = redis.call('ZRANGE', p .. 'lru', 0, 0)[1]
  if not oldest then break end
  drop(oldest)
end
return 1
`;

/** ARGV: prefix, now, ttlMs, id -> the compressed bytes, their last read refreshed; nil when gone. */
const READ = `${DROP}
local now, ttl, id = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local score = redis.call('ZSCORE', p .. 'lru', id)
if not score or tonumber(score) < now - ttl then return false end
local data = redis.call('GET', p .. 'o:' .. id)
if not data then
  drop(id)
  return false
end
redis.call('ZADD', p .. 'lru', now, id)
redis.call('PEXPIRE', p .. 'o:' .. id, ttl)
return data
`;

interface Scripts {
  headroomTouch(...args: (string | number)[]): Promise<string[]>;
  headroomPut(...args: (string | number | Buffer)[]): Promise<number>;
  headroomReadBuffer(...args: (string | number)[]): Promise<Buffer | null>;
}

type ScriptedRedis = Redis & Scripts;

function withScripts(client: Redis): ScriptedRedis {
  const scripted = client as ScriptedRedis;
  if (typeof scripted.headroomTouch !== 'function') {
    client.defineCommand('headroomTouch', { numberOfKeys: 0, lua: TOUCH });
    client.defineCommand('headroomPut', { numberOfKeys: 0, lua: PUT });
    client.defineCommand('headroomRead', { numberOfKeys: 0, lua: READ });
  }
  return scripted;
}

/** Open the originals kept in the Redis database `options.target` names; an unreachable server fails open. */
export async function openRedisOriginalStore(options: RedisOriginalStoreOptions): Promise<OriginalStore> {
  return new RedisOriginalStore(options, await openRedisConnection(options.target));
}

class RedisOriginalStore implements OriginalStore {
  readonly location: string;
  readonly persistent = true;
  private readonly redis: ScriptedRedis;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly warnings: WarnOnce;
  private readonly stopListening: () => void;
  // A problem said while the server was down is said again if it goes down again after coming back.
  private readonly forgetProblems = () => this.warnings.forget();

  constructor(
    options: RedisOriginalStoreOptions,
    private readonly connection: RedisConnection,
  ) {
    this.location = connection.location;
    this.redis = withScripts(connection.client);
    this.maxBytes = options.maxBytes ?? STORE_DEFAULTS.maxBytes;
    this.ttlMs = (options.ttlDays ?? STORE_DEFAULTS.ttlDays) * DAY_MS;
    this.now = options.now ?? Date.now;
    this.warnings = new WarnOnce(options.onWarning ?? (() => {}));
    this.stopListening = connection.onProblem((message) => this.warn(message));
    connection.client.on('ready', this.forgetProblems);
  }

  put(text: string): Promise<string> {
    return putText(this, text);
  }

  async putMany(originals: Iterable<Original | EncodedOriginal>): Promise<boolean> {
    const given = [...originals];
    if (!given.length) return true;
    return this.guard(async () => {
      // A known original costs one round trip and no compression.
      const missing = new Set(
        await this.redis.headroomTouch(P, this.now(), this.ttlMs, ...given.map((original) => original.id)),
      );
      const fresh = given.filter((original) => missing.has(original.id));
      if (!fresh.length) return true;
      const packed = await Promise.all(fresh.map(pack));
      const args = packed.flatMap(({ id, data, rawBytes }) => [id, data, rawBytes]);
      await this.redis.headroomPut(P, this.now(), this.ttlMs, this.maxBytes, ...args);
      return true;
    }, false);
  }

  async get(id: string): Promise<string | undefined> {
    return this.guard(async () => {
      const data = await this.redis.headroomReadBuffer(P, this.now(), this.ttlMs, id);
      return data ? unpack(data) : undefined;
    }, undefined);
  }

  async has(id: string): Promise<boolean> {
    return this.guard(async () => {
      const [score, exists] = await Promise.all([
        this.redis.zscore(`${P}lru`, id),
        this.redis.exists(`${P}o:${id}`),
      ]);
      return score !== null && Number(score) >= this.now() - this.ttlMs && exists === 1;
    }, false);
  }

  async stats(): Promise<OriginalStoreStats> {
    const [count, raw, stored] = await this.guard(
      () => this.redis.hmget(`${P}totals`, 'count', 'raw', 'stored'),
      [null, null, null],
    );
    return {
      location: this.location,
      originals: Number(count ?? 0),
      rawBytes: Number(raw ?? 0),
      storedBytes: Number(stored ?? 0),
    };
  }

  async wholeOutputs(): Promise<string[]> {
    return this.guard(async () => {
      await this.redis.zremrangebyscore(`${P}whole`, '-inf', `(${this.cutoff()}`);
      return this.redis.zrange(`${P}whole`, 0, -1);
    }, []);
  }

  async keepWhole(keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    const now = this.now();
    await this.guard(() => this.redis.zadd(`${P}whole`, ...keys.flatMap((key) => [now, key])), 0);
  }

  // Stubs: `stubs:<conversation>` key -> [order, reason]; `stubconvs` conversations by last use, which every
  // request of the conversation refreshes, so its stubs live as long as it is used.
  async historyStubs(): Promise<HistoryStub[]> {
    return this.guard(async () => {
      const cutoff = this.cutoff();
      const stale = await this.redis.zrangebyscore(`${P}stubconvs`, '-inf', `(${cutoff}`);
      if (stale.length) {
        await this.redis
          .multi()
          .del(...stale.map((conversation) => `${P}stubs:${conversation}`))
          .zrem(`${P}stubconvs`, ...stale)
          .exec();
      }
      const live = await this.redis.zrangebyscore(`${P}stubconvs`, cutoff, '+inf');
      const kept = await Promise.all(
        live.map((conversation) => this.redis.hgetall(`${P}stubs:${conversation}`)),
      );
      const stubs: { order: number; stub: HistoryStub }[] = [];
      live.forEach((conversation, i) => {
        for (const [key, value] of Object.entries(kept[i] ?? {})) {
          const [order, reason] = JSON.parse(value) as [number, string];
          stubs.push({ order, stub: { conversation, key, reason } });
        }
      });
      return stubs.sort((a, b) => a.order - b.order).map(({ stub }) => stub);
    }, []);
  }

  async keepStubs(stubs: readonly HistoryStub[]): Promise<void> {
    if (!stubs.length) return;
    await this.guard(async () => {
      const first = (await this.redis.incrby(`${P}stubseq`, stubs.length)) - stubs.length;
      const now = this.now();
      const write = this.redis.multi();
      stubs.forEach((stub, i) => {
        write.hsetnx(`${P}stubs:${stub.conversation}`, stub.key, JSON.stringify([first + i, stub.reason]));
        write.pexpire(`${P}stubs:${stub.conversation}`, this.ttlMs);
        write.zadd(`${P}stubconvs`, now, stub.conversation);
      });
      await write.exec();
    }, undefined);
  }

  // Conversations: `convs` id -> state; `convlast` ids by their last request; `convkept` by the store's clock.
  async conversations(since: number): Promise<ConversationState[]> {
    return this.guard(async () => {
      const stale = await this.redis.zrangebyscore(`${P}convkept`, '-inf', `(${this.cutoff()}`);
      if (stale.length) {
        await this.redis
          .multi()
          .hdel(`${P}convs`, ...stale)
          .zrem(`${P}convlast`, ...stale)
          .zrem(`${P}convkept`, ...stale)
          .exec();
      }
      const ids = await this.redis.zrangebyscore(`${P}convlast`, since, '+inf');
      if (!ids.length) return [];
      const states = await this.redis.hmget(`${P}convs`, ...ids);
      return states.flatMap((state) => (state ? [JSON.parse(state) as ConversationState] : []));
    }, []);
  }

  async conversationHistory(conversation: string): Promise<ConversationHistoryRecord | undefined> {
    return this.guard(async () => {
      const [stubs, stubsUsed, state, stateKept] = failedReplies(
        await this.redis
          .multi()
          .hgetall(`${P}stubs:${conversation}`)
          .zscore(`${P}stubconvs`, conversation)
          .hget(`${P}convs`, conversation)
          .zscore(`${P}convkept`, conversation)
          .exec(),
      ) as [Record<string, string>, string | null, string | null, string | null];
      // Past the TTL by the store's clock, as `historyStubs` and `conversations` judge it.
      const cutoff = this.cutoff();
      const live = (score: string | null) => score !== null && Number(score) >= cutoff;
      const ordered = Object.entries(live(stubsUsed) ? stubs : {}).map(([key, value]) => {
        const [order, reason] = JSON.parse(value) as [number, string];
        return { order, stub: { conversation, key, reason } };
      });
      return {
        stubs: ordered.sort((a, b) => a.order - b.order).map(({ stub }) => stub),
        state: state && live(stateKept) ? (JSON.parse(state) as ConversationState) : undefined,
      };
    }, undefined);
  }

  async saveConversation(state: ConversationState): Promise<void> {
    const now = this.now();
    await this.guard(
      () =>
        this.redis
          .multi()
          .hset(`${P}convs`, state.id, JSON.stringify(state))
          .zadd(`${P}convlast`, state.lastTs, state.id)
          .zadd(`${P}convkept`, now, state.id)
          .zadd(`${P}stubconvs`, 'XX', now, state.id)
          .pexpire(`${P}stubs:${state.id}`, this.ttlMs)
          .exec(),
      null,
    );
  }

  async close(): Promise<void> {
    this.stopListening();
    this.connection.client.off('ready', this.forgetProblems);
    await this.connection.release();
  }

  private cutoff(): number {
    return this.now() - this.ttlMs;
  }

  /** Run a command; an unreachable Redis is said once and `fallback` returned, so the proxy fails open. */
  private async guard<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.warn(`originals store ${this.location}: ${redisProblem(error, this.location)}`);
      return fallback;
    }
  }

  private warn(message: string): void {
    this.warnings.warn(message);
  }
}

/** The replies of a transaction, throwing the first command's error (so the guard fails open). */
function failedReplies(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('the Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}
