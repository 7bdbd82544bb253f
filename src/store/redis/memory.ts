// The agents' shared memory in Redis, beside the originals and stats of the same server, so every proxy
// replica of a team saves into and searches one memory. Each memory is a hash `m:<id>`; sets list the ids of
// every memory and of each scope; the block each conversation turn was first sent with is `turn:<key>`
// (expiring); embeddings of memory texts are fields of `vec:<model>`, by content hash, and `holds:<hash>` lists
// the memories whose words hash to it, so a vector goes with the last of them.
//
// Search ranks by BM25. When the server has the RediSearch module, an index over the memory hashes answers
// it (FT.SEARCH, BM25 scorer, its English stemming): RediSearch 2 and later index the hashes themselves,
// 1.x (Debian's redis-redisearch) is handed each memory as it is written. Without the module, the scope's
// memories are read from Redis and ranked here: one round trip for the ids and one pipelined read, fine for
// the few thousand memories a team keeps per scope (beyond about 10,000 a search reads megabytes; install
// RediSearch then).

import type { Redis } from 'ioredis';
import { stem, words } from '../../compress/query.js';
import { HeadroomError } from '../../errors.js';
import { STORE_DEFAULTS } from '../defaults.js';
import { vectorBytes, vectorOf } from '../packing.js';
import type { Memory, MemoryFilter, MemoryHit, MemoryStore } from '../types.js';
import { KEY_PREFIX, openRedisConnection, type RedisConnection, type RedisTarget } from './connection.js';

const P = `${KEY_PREFIX}memory:`;
const TURN_BLOCK_SECONDS = STORE_DEFAULTS.turnBlockDays * 24 * 3600;
const INDEX = `${KEY_PREFIX}memory-idx`;

// BM25's usual constants (the ones SQLite FTS5 uses too).
const K1 = 1.2;
const B = 0.75;

type Fields = Record<string, string>;

const fieldsOf = (m: Memory): Fields => ({
  id: m.id,
  scope: m.scope,
  text: m.text,
  hash: m.hash,
  agent: m.agent ?? '',
  hasAgent: m.agent === null ? '0' : '1',
  agents: JSON.stringify(m.agents),
  createdTs: String(m.createdTs),
  updatedTs: String(m.updatedTs),
  confirmations: String(m.confirmations),
});

function memoryOf(fields: Fields): Memory | undefined {
  if (!fields.id) return undefined;
  let agents: string[] = [];
  try {
    const parsed: unknown = JSON.parse(fields.agents ?? '[]');
    if (Array.isArray(parsed)) agents = parsed.map(String);
  } catch {
    // A damaged list costs the provenance, not the memory.
  }
  return {
    id: fields.id,
    scope: fields.scope ?? '',
    text: fields.text ?? '',
    hash: fields.hash ?? '',
    agent: fields.hasAgent === '1' ? (fields.agent ?? '') : null,
    agents,
    createdTs: Number(fields.createdTs),
    updatedTs: Number(fields.updatedTs),
    confirmations: Number(fields.confirmations),
  };
}

/** The terms a text is searched by: its words of two letters or more, stemmed, as the query is. */
function terms(text: string): string[] {
  return words(text.normalize('NFKD').replace(/\p{M}/gu, ''))
    .filter((word) => word.length > 1)
    .map(stem);
}

/** BM25 of each memory against the query's terms, over these memories as the corpus; lower is better. */
export function rankByBm25(memories: readonly Memory[], query: string): MemoryHit[] {
  const wanted = [...new Set(terms(query))];
  if (!wanted.length || !memories.length) return [];
  const docs = memories.map((memory) => {
    const counts = new Map<string, number>();
    const list = terms(memory.text);
    for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { memory, counts, length: list.length };
  });
  const average = docs.reduce((sum, doc) => sum + doc.length, 0) / docs.length || 1;
  const hits: MemoryHit[] = [];
  for (const doc of docs) {
    let score = 0;
    for (const term of wanted) {
      const tf = doc.counts.get(term) ?? 0;
      if (tf === 0) continue;
      const df = docs.filter((other) => other.counts.has(term)).length;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / average));
    }
    // Negated, so that lower is better as FTS5's bm25() gives it (every matching term adds a positive idf).
    if (score > 0) hits.push({ ...doc.memory, score: -score });
  }
  return hits.sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A RediSearch TAG value with its punctuation escaped, as the query syntax asks. */
const tagValue = (value: string) => value.replace(/[^\p{L}\p{N}_]/gu, (c) => `\\${c}`);

export interface RedisMemoryStoreOptions {
  target: RedisTarget;
}

/** Open the memory kept on the server `target` names; a HeadroomError when the server cannot be reached. */
export async function openRedisMemoryStore({ target }: RedisMemoryStoreOptions): Promise<MemoryStore> {
  const connection = await openRedisConnection(target);
  try {
    const index = (await hasRediSearch(connection.client)) ? await ensureIndex(connection.client) : 'none';
    await forgetUnheldVectors(connection.client);
    return new RedisMemoryStore(connection, index);
  } catch (error) {
    await connection.release();
    throw new HeadroomError(`cannot open the memory store ${target.location}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** True when the server has the RediSearch module (the `search` module of Redis Stack and Redis 8). */
async function hasRediSearch(redis: Redis): Promise<boolean> {
  const modules = (await redis.call('MODULE', 'LIST')) as unknown[][];
  return modules.some((module) => {
    const name = module[module.indexOf('name') + 1];
    return typeof name === 'string' && /^(search|ft)$/i.test(name);
  });
}

/**
 * How the module indexes the memories: RediSearch 2 and later index the hashes themselves (`ON HASH`); 1.x
 * (Debian's redis-redisearch) indexes the documents it is given (`FT.ADDHASH` on every write); none when the
 * module refuses both (the store then ranks by itself).
 */
type SearchIndex = 'hashes' | 'documents' | 'none';

const SCHEMA = ['SCHEMA', 'text', 'TEXT', 'scope', 'TAG', 'SEPARATOR', '\u0001'];

// Another replica may have created the index first.
const createdOrThere = (error: Error) => /already exists/i.test(error.message);

/** Create the index unless it is there, in the form the module's version takes. */
async function ensureIndex(redis: Redis): Promise<SearchIndex> {
  const indexes = (await redis.call('FT._LIST').catch(() => undefined)) as string[] | undefined;
  if (indexes) {
    if (indexes.includes(INDEX)) return 'hashes';
    const made = await redis
      .call('FT.CREATE', INDEX, 'ON', 'HASH', 'PREFIX', '1', `${P}m:`, ...SCHEMA)
      .then(() => true, createdOrThere);
    return made ? 'hashes' : 'none';
  }
  // RediSearch 1.x has no FT._LIST and indexes only documents added to it.
  const exists = await redis.call('FT.INFO', INDEX).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const made = await redis.call('FT.CREATE', INDEX, ...SCHEMA).then(() => true, createdOrThere);
    if (!made) return 'none';
    // Memories kept before the index was made are added to it once.
    for (const id of await redis.smembers(`${P}ids`)) {
      await redis.call('FT.ADDHASH', INDEX, `${P}m:${id}`, '1.0', 'REPLACE').catch(() => undefined);
    }
  }
  return 'documents';
}

/** The keys of every model's vectors (`vec:<model>`). */
async function vectorKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${P}vec:*`, 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/**
 * On open: list every memory under the hash of its words (memories kept before those lists were), then drop
 * the vectors of words no memory holds any more (left by deletes before vectors went with their memory).
 */
async function forgetUnheldVectors(redis: Redis): Promise<void> {
  const ids = await redis.smembers(`${P}ids`);
  const read = redis.pipeline();
  for (const id of ids) read.hget(`${P}m:${id}`, 'hash');
  const hashes = failed(await read.exec()) as (string | null)[];
  const held = new Set<string>();
  const list = redis.pipeline();
  ids.forEach((id, k) => {
    const hash = hashes[k];
    if (!hash) return;
    held.add(hash);
    list.sadd(`${P}holds:${hash}`, id);
  });
  if (held.size) failed(await list.exec());
  for (const key of await vectorKeys(redis)) {
    const unheld = (await redis.hkeys(key)).filter((hash) => !held.has(hash));
    if (unheld.length) await redis.hdel(key, ...unheld);
  }
}

class RedisMemoryStore implements MemoryStore {
  readonly location: string;
  private readonly redis: Redis;

  constructor(
    private readonly connection: RedisConnection,
    private readonly index: SearchIndex,
  ) {
    this.redis = connection.client;
    this.location = connection.location;
  }

  async insert(memory: Memory): Promise<void> {
    await this.redis
      .multi()
      .hset(`${P}m:${memory.id}`, fieldsOf(memory))
      .sadd(`${P}ids`, memory.id)
      .sadd(`${P}scope:${memory.scope}`, memory.id)
      .sadd(`${P}holds:${memory.hash}`, memory.id)
      .exec()
      .then(failed);
    await this.indexDocument(memory.id);
  }

  async replace(memory: Memory): Promise<void> {
    const before = await this.get(memory.id);
    const write = this.redis.multi().hset(`${P}m:${memory.id}`, fieldsOf(memory)).sadd(`${P}ids`, memory.id);
    if (before && before.scope !== memory.scope) write.srem(`${P}scope:${before.scope}`, memory.id);
    if (before && before.hash !== memory.hash) write.srem(`${P}holds:${before.hash}`, memory.id);
    await write
      .sadd(`${P}scope:${memory.scope}`, memory.id)
      .sadd(`${P}holds:${memory.hash}`, memory.id)
      .exec()
      .then(failed);
    await this.indexDocument(memory.id);
    if (before && before.hash !== memory.hash) await this.forgetVectors(before.hash);
  }

  /** Every model's vector of the words `hash` names, once no memory holds those words any more. */
  private async forgetVectors(hash: string): Promise<void> {
    if ((await this.redis.scard(`${P}holds:${hash}`)) > 0) return;
    for (const key of await vectorKeys(this.redis)) await this.redis.hdel(key, hash);
  }

  /** With RediSearch 1.x, (re)add the memory's hash to the index; 2.x indexes hashes by itself. */
  private async indexDocument(id: string): Promise<void> {
    if (this.index !== 'documents') return;
    await this.redis.call('FT.ADDHASH', INDEX, `${P}m:${id}`, '1.0', 'REPLACE');
  }

  async get(id: string): Promise<Memory | undefined> {
    return memoryOf(await this.redis.hgetall(`${P}m:${id}`));
  }

  async byHash(scope: string, hash: string): Promise<Memory | undefined> {
    const same = (await this.inScope(scope)).filter((memory) => memory.hash === hash);
    return same.sort((a, b) => a.createdTs - b.createdTs || compareIds(a, b))[0];
  }

  async list({ scope, limit = 1_000_000 }: MemoryFilter = {}): Promise<Memory[]> {
    const memories = await this.inScope(scope);
    return memories.sort((a, b) => b.updatedTs - a.updatedTs || compareIds(a, b)).slice(0, limit);
  }

  async search(query: string, { scope, limit = 10 }: MemoryFilter = {}): Promise<MemoryHit[]> {
    if (!terms(query).length) return [];
    if (this.index !== 'none') {
      // A query the module cannot read (one of its stopwords only, say) is ranked here instead.
      const found = await this.searchIndex(query, scope, limit).catch(() => undefined);
      if (found) return found;
    }
    return rankByBm25(await this.inScope(scope), query).slice(0, limit);
  }

  async delete(id: string): Promise<boolean> {
    const memory = await this.get(id);
    if (!memory) return false;
    if (this.index === 'documents') await this.redis.call('FT.DEL', INDEX, `${P}m:${id}`);
    const results = await this.redis
      .multi()
      .del(`${P}m:${id}`)
      .srem(`${P}ids`, id)
      .srem(`${P}scope:${memory.scope}`, id)
      .srem(`${P}holds:${memory.hash}`, id)
      .exec()
      .then(failed);
    // A vector is made from the memory's words: it goes with the last memory that holds them.
    await this.forgetVectors(memory.hash);
    return results[0] === 1;
  }

  async vectors(model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    if (!hashes.length) return found;
    const values = await this.redis.hmgetBuffer(`${P}vec:${model}`, ...hashes);
    hashes.forEach((hash, k) => {
      const bytes = values[k];
      if (bytes) found.set(hash, vectorOf(bytes));
    });
    return found;
  }

  async keepVectors(model: string, vectors: ReadonlyMap<string, Float32Array>): Promise<void> {
    if (!vectors.size) return;
    // A text's vector never changes: the first replica to keep one is not overwritten.
    const write = this.redis.pipeline();
    for (const [hash, vector] of vectors) write.hsetnx(`${P}vec:${model}`, hash, vectorBytes(vector));
    failed(await write.exec());
  }

  async turnBlock(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${P}turn:${key}`)) ?? undefined;
  }

  async keepTurnBlock(key: string, block: string): Promise<void> {
    // The first replica to send the turn fixes its block; every later one reads that until it expires.
    await this.redis.set(`${P}turn:${key}`, block, 'EX', TURN_BLOCK_SECONDS, 'NX');
  }

  async close(): Promise<void> {
    await this.connection.release();
  }

  /** Every memory of `scope` (of every scope when absent), read in one pipeline. */
  private async inScope(scope: string | undefined): Promise<Memory[]> {
    const ids = await this.redis.smembers(scope === undefined ? `${P}ids` : `${P}scope:${scope}`);
    if (!ids.length) return [];
    const read = this.redis.pipeline();
    for (const id of ids) read.hgetall(`${P}m:${id}`);
    const results = failed(await read.exec());
    return results.flatMap((fields) => {
      const memory = memoryOf(fields as Fields);
      return memory && (scope === undefined || memory.scope === scope) ? [memory] : [];
    });
  }

  private async searchIndex(query: string, scope: string | undefined, limit: number): Promise<MemoryHit[]> {
    // Each word quoted as a term, any of them matching, so what was typed is never read as query syntax.
    const any = [...new Set(words(query).filter((word) => word.length > 1))].join(' | ');
    const filter = scope === undefined ? '' : `@scope:{${tagValue(scope)}} `;
    const reply = (await this.redis.call(
      'FT.SEARCH',
      INDEX,
      `${filter}@text:(${any})`,
      'SCORER',
      'BM25',
      'WITHSCORES',
      'LIMIT',
      '0',
      String(limit),
    )) as unknown[];
    const hits: MemoryHit[] = [];
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const flat = reply[i + 2] as string[];
      const fields: Fields = {};
      for (let f = 0; f + 1 < flat.length; f += 2) fields[flat[f]!] = flat[f + 1]!;
      const memory = memoryOf(fields);
      // RediSearch scores higher for better; the store's hits rank lower for better, as FTS5 does.
      if (memory) hits.push({ ...memory, score: -Number(reply[i + 1]) });
    }
    return hits.sort((a, b) => a.score - b.score || compareIds(a, b));
  }
}

const compareIds = (a: Memory, b: Memory) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The replies of a transaction or pipeline, throwing the first command's error. */
function failed(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('the Redis transaction was aborted');
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}
