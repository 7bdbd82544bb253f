// The Redis stores on a real redis-server: the contracts every backend meets, then what only a shared
// server has to get right (several processes on one database, an outage, bounded stats, a URL's password).

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEBIAN_REDISEARCH,
  hasDebianRediSearch,
  hasRedisServer,
  type RedisServer,
  redisTestName,
  startRedisServer,
} from '../../../test/helpers/redis-server.js';
import { until } from '../../../test/helpers/until.js';
import { originalId } from '../../compress/marker.js';
import { ConfigError } from '../../errors.js';
import { Memories } from '../../memory/memories.js';
import { STORE_DEFAULTS } from '../defaults.js';
import {
  openMemoryStore,
  openOriginalStore,
  openStatsStore,
  openStoreConnection,
  shownStore,
  storeDirectory,
} from '../index.js';
import { describeMemoryStore } from '../memory.contract.js';
import { describeOriginalStore } from '../originals.contract.js';
import { describeStatsStore, newRow } from '../stats.contract.js';
import type { OriginalStore, StatsStore } from '../types.js';

let server: RedisServer;
beforeAll(async () => {
  if (hasRedisServer) server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

const cacheDir = '/nonexistent-headroom-cache';

describe.skipIf(!hasRedisServer)(redisTestName('redis stores'), () => {
  describeOriginalStore('redis', {
    place() {
      const store = server.freshUrl();
      return (options = {}) =>
        openOriginalStore(
          { store, cacheDir, storeMaxBytes: options.maxBytes, storeTtlDays: options.ttlDays },
          { now: options.now },
        );
    },
  });

  describeStatsStore('redis', {
    place() {
      const store = server.freshUrl();
      return (options = {}) => openStatsStore({ store, cacheDir }, options);
    },
  });

  // This server has no RediSearch module, so these run the BM25 ranking the store computes itself.
  describeMemoryStore('redis', {
    place() {
      const store = server.freshUrl();
      return () => openMemoryStore({ store, cacheDir });
    },
  });

  describe('redis backend', () => {
    it('is named by a redis:// URL, keeps no files on this machine, and never shows the password', async () => {
      const url = server.freshUrl().replace('redis://', 'redis://:s3cret@');
      const warnings: string[] = [];
      const store = await openOriginalStore({ store: url, cacheDir }, { onWarning: (m) => warnings.push(m) });
      try {
        expect(storeDirectory({ store: url, cacheDir })).toBeUndefined();
        expect(store.location).not.toContain('s3cret');
        expect(store.location).toMatch(/^redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/\d+$/);
      } finally {
        await store.close();
      }
      expect(shownStore({ store: url, cacheDir })).toBe(store.location);
      await expect(openStatsStore({ store: 'redis://localhost:6379/main', cacheDir })).rejects.toThrow(
        new ConfigError(
          'store "redis://localhost:6379/main": the Redis database after the host must be a number, not "main"',
        ),
      );
    });

    it('answers a read from one process for an original another kept', async () => {
      const store = server.freshUrl();
      const [a, b] = await Promise.all([
        openOriginalStore({ store, cacheDir }),
        openOriginalStore({ store, cacheDir }),
      ]);
      try {
        const text = 'kept on replica a\n'.repeat(400);
        expect(await a.putMany([{ id: originalId(text), text }])).toBe(true);
        expect(await b.get(originalId(text))).toBe(text);
        expect(await b.stats()).toMatchObject({ originals: 1, rawBytes: Buffer.byteLength(text) });
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('gives every writer its own row ids, in one order all readers see', async () => {
      const store = server.freshUrl();
      const writers = await Promise.all([0, 1].map(() => openStatsStore({ store, cacheDir })));
      const reader = await openStatsStore({ store, cacheDir }, { readOnly: true });
      try {
        const written = await Promise.all(
          Array.from({ length: 20 }, (_, i) => writers[i % 2]!.record(newRow({ ts: 1000 + i }))),
        );
        const ids = written.map((row) => row!.id);
        expect(new Set(ids).size).toBe(20);
        const rows = await reader.rows();
        expect(rows.map((row) => row.id)).toEqual([...ids].sort((x, y) => x - y));
        expect(await reader.lastId()).toBe(Math.max(...ids));
      } finally {
        for (const open of [...writers, reader]) await open.close();
      }
    });

    it('tells a follower of the rows every writer writes from then on', async () => {
      const store = server.freshUrl();
      const [mine, theirs] = await Promise.all([0, 1].map(() => openStatsStore({ store, cacheDir })));
      try {
        await mine!.upsertSession({ id: 'alpha', agent: 'claude' });
        await mine!.record(newRow({ path: '/before-following' }));
        const seen: string[] = [];
        const stop = mine!.follow!((row) => seen.push(`${row.path} ${row.agent}`));
        await new Promise((resolve) => setTimeout(resolve, 200));
        await theirs!.record(newRow({ path: '/from-the-other-replica', sessionId: 'alpha' }));
        await mine!.record(newRow({ path: '/from-this-one' }));
        await until(
          () => seen.length === 2,
          () => `two rows, saw ${JSON.stringify(seen)}`,
        );
        expect(seen).toEqual(['/from-the-other-replica claude', '/from-this-one null']);
        stop();
      } finally {
        await mine!.close();
        await theirs!.close();
      }
    });

    it('keeps only the newest rows past the retention cap', async () => {
      const store = server.freshUrl();
      const stats = await openStatsStore({ store, cacheDir, statsMaxRows: 1 });
      try {
        // Trimming is approximate (whole stream nodes go at once), so the cap is checked with many rows.
        for (let batch = 0; batch < 5; batch++) {
          await Promise.all(
            Array.from({ length: 200 }, (_, i) => stats.record(newRow({ ts: batch * 200 + i }))),
          );
        }
        const rows = await stats.rows();
        expect(rows.length).toBeLessThan(1000);
        expect(rows.at(-1)!.ts).toBe(999);
      } finally {
        await stats.close();
      }
    });

    it('reads the newest rows that match a filter from the stream’s end, not its whole history', async () => {
      const store = server.freshUrl();
      const stats = await openStatsStore({ store, cacheDir });
      const redis = new Redis(store);
      /** How many times the server has run a stream read, by command. */
      const reads = async () => {
        const info = await redis.info('commandstats');
        const calls = (command: string) =>
          Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
        return { xrange: calls('xrange'), xrevrange: calls('xrevrange') };
      };
      try {
        for (let batch = 0; batch < 15; batch++) {
          await Promise.all(
            Array.from({ length: 200 }, (_, i) => {
              const n = batch * 200 + i;
              return stats.record(
                newRow({ ts: n, model: n % 10 === 0 ? 'claude-opus-4-1' : 'claude-sonnet-4-6' }),
              );
            }),
          );
        }
        await stats.flush();
        const before = await reads();
        const newest = await stats.rows({ text: 'opus' }, { limit: 5 });
        const after = await reads();
        expect(newest.map((row) => row.ts)).toEqual([2950, 2960, 2970, 2980, 2990]);
        expect(after.xrange - before.xrange).toBe(0);
        expect(after.xrevrange - before.xrevrange).toBe(1);
      } finally {
        redis.disconnect();
        await stats.close();
      }
    });

    it('merges a memory saved twice by two agents into one, with both as its provenance, and ranks by BM25', async () => {
      const store = server.freshUrl();
      const [a, b] = await Promise.all([0, 1].map(() => openMemoryStore({ store, cacheDir })));
      try {
        const scope = 'project:/srv/app';
        const first = await new Memories(a!).save({
          scope,
          text: 'Deploys go through the staging VPN.',
          agent: 'claude',
        });
        const again = await new Memories(b!).save({
          scope,
          text: 'deploys go through the staging VPN',
          agent: 'codex',
        });
        const near = await new Memories(b!).save({
          scope,
          text: 'Deploys go through the staging VPN first.',
          agent: 'gemini',
        });
        await new Memories(a!).save({
          scope,
          text: 'Logs rotate nightly; staging keeps a week.',
          agent: 'claude',
        });
        expect([first.outcome, again.outcome, near.outcome]).toEqual([
          'saved',
          'duplicate',
          'near-duplicate',
        ]);
        const kept = await a!.get(first.memory.id);
        expect(kept).toMatchObject({ agents: ['claude', 'codex', 'gemini'], confirmations: 2 });
        const hits = await b!.search('staging vpn deploys', { scope });
        expect(hits.map((hit) => hit.id)).toEqual([first.memory.id, expect.stringMatching(/^m_/)]);
        expect(hits[0]!.score).toBeLessThan(hits[1]!.score);
        expect(await b!.search('staging', { scope: 'user' })).toEqual([]);
      } finally {
        await a!.close();
        await b!.close();
      }
    });

    it("lets a turn's memory block expire after its days, set by the first replica to send the turn", async () => {
      const store = server.freshUrl();
      const memory = await openMemoryStore({ store, cacheDir });
      const connection = await openStoreConnection({ store, cacheDir });
      try {
        await memory.keepTurnBlock('turn-key', '<memory>one</memory>');
        const ttl = await connection!.client.ttl('headroom:memory:turn:turn-key');
        const days = STORE_DEFAULTS.turnBlockDays * 24 * 3600;
        expect(ttl).toBeGreaterThan(days - 60);
        expect(ttl).toBeLessThanOrEqual(days);
      } finally {
        await memory.close();
        await connection?.release();
      }
    });

    it('lists on open the memories kept before words had holder lists, so their vectors go only with the last', async () => {
      const store = server.freshUrl();
      const connection = await openStoreConnection({ store, cacheDir });
      try {
        const first = await openMemoryStore({ store, cacheDir });
        const text = 'Deploys need the VPN.';
        const [user, project] = [
          await new Memories(first).save({ scope: 'user', text, agent: null }),
          await new Memories(first).save({ scope: 'project:/srv/app', text, agent: null }),
        ];
        const hash = user.memory.hash;
        await first.keepVectors('model-1', new Map([[hash, new Float32Array([1, 0])]]));
        await first.close();
        // As a store of an earlier version left them: the memories and their vector, no list of who holds the words.
        await connection!.client.del(`headroom:memory:holds:${hash}`);
        const again = await openMemoryStore({ store, cacheDir });
        try {
          await again.delete(user.memory.id);
          // The project's memory holds the same words: their vector stays until it goes too.
          expect([...(await again.vectors('model-1', [hash])).keys()]).toEqual([hash]);
          await again.delete(project.memory.id);
          expect((await again.vectors('model-1', [hash])).size).toBe(0);
        } finally {
          await again.close();
        }
      } finally {
        await connection?.release();
      }
    });

    it('hands a store kept beside them the same server connection', async () => {
      const store = server.freshUrl();
      const connection = await openStoreConnection({ store, cacheDir });
      try {
        expect(connection?.kind).toBe('redis');
        expect(await connection!.client.ping()).toBe('PONG');
      } finally {
        await connection?.release();
      }
      expect(await openStoreConnection({ store: 'sqlite', cacheDir })).toBeUndefined();
    });
  });

  describe('redis outage', () => {
    let outage: RedisServer;
    const opened: (OriginalStore | StatsStore)[] = [];
    beforeAll(async () => {
      outage = await startRedisServer();
    });
    afterAll(async () => {
      for (const store of opened) await store.close();
      await outage.stop();
    });

    it('fails open while Redis is down (nothing kept, nothing thrown, said once) and works again once it is back', async () => {
      const store = outage.url(1);
      const warnings: string[] = [];
      const errors: Error[] = [];
      const originals = await openOriginalStore({ store, cacheDir }, { onWarning: (m) => warnings.push(m) });
      const stats = await openStatsStore({ store, cacheDir }, { onError: (e) => errors.push(e), flushMs: 5 });
      opened.push(originals, stats);
      const before = await originals.put('kept before the outage');
      await outage.kill();

      const text = 'offered during the outage\n'.repeat(100);
      expect(await originals.putMany([{ id: originalId(text), text }])).toBe(false);
      expect(await originals.get(before)).toBeUndefined();
      const during = stats.record(newRow({ path: '/during-outage', compressError: 'originals not kept' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(warnings.some((m) => /unreachable/.test(m))).toBe(true);
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/unreachable.*rows wait until it is reachable/),
      ]);

      await outage.restart();
      // The row recorded while Redis was down is written once it is back.
      expect(await during).toMatchObject({ path: '/during-outage', compressError: 'originals not kept' });
      expect(await originals.putMany([{ id: originalId(text), text }])).toBe(true);
      expect(await originals.get(originalId(text))).toBe(text);
      expect((await stats.rows()).map((row) => row.path)).toEqual(['/during-outage']);
    }, 20_000);
  });
});

// Debian's redis-redisearch is RediSearch 1.2: it cannot index hashes by itself (no FT._LIST, no ON HASH), so
// the store hands it each memory as it writes it; it keeps indexes in database 0 only, so in any other the
// store ranks by BM25 itself, as without the module.
describe.skipIf(!hasDebianRediSearch)(
  hasDebianRediSearch
    ? 'redis memory store beside an old RediSearch module'
    : 'redis memory store beside an old RediSearch module (skipped: apt-get install redis-server redis-redisearch)',
  () => {
    let withModule: RedisServer;
    beforeAll(async () => {
      withModule = await startRedisServer({ modules: [DEBIAN_REDISEARCH] });
    });
    afterAll(() => withModule?.stop());

    describeMemoryStore('redis with RediSearch 1.2', {
      place() {
        const store = withModule.freshUrl();
        return () => openMemoryStore({ store, cacheDir });
      },
    });

    it('hands the module each memory as it is written, takes one back out when deleted, and adds older ones once', async () => {
      // RediSearch 1.2 makes indexes in database 0 only; in the others (the contract above) the store ranks by itself.
      const store = withModule.url(0);
      const connection = await openStoreConnection({ store, cacheDir });
      const redis = connection!.client;
      const found = async (words: string) =>
        ((await redis.call('FT.SEARCH', 'headroom:memory-idx', words, 'NOCONTENT')) as unknown[])[0];
      try {
        // A memory kept before the module's index existed (written straight into Redis, as an older headroom did).
        await redis.hset('headroom:memory:m:m_00000000000a', {
          id: 'm_00000000000a',
          scope: 'user',
          text: 'Older note about the nightly backup.',
          hash: 'c'.repeat(64),
          agent: '',
          hasAgent: '0',
          agents: '[]',
          createdTs: '1',
          updatedTs: '1',
          confirmations: '0',
        });
        await redis.sadd('headroom:memory:ids', 'm_00000000000a');
        await redis.sadd('headroom:memory:scope:user', 'm_00000000000a');
        const memory = await openMemoryStore({ store, cacheDir });
        const saved = await new Memories(memory).save({
          scope: 'user',
          text: 'Deploys go through the staging VPN.',
          agent: 'claude',
        });
        expect(await found('vpn')).toBe(1);
        expect(await found('backup')).toBe(1);
        const hits = await memory.search('staging vpn', { scope: 'user' });
        expect(hits.map((hit) => hit.id)).toEqual([saved.memory.id]);
        // The module answered it: the hit carries the module's own BM25 score for that query.
        const [, , score] = (await redis.call(
          'FT.SEARCH',
          'headroom:memory-idx',
          '@scope:{user} @text:(staging | vpn)',
          'SCORER',
          'BM25',
          'WITHSCORES',
          'NOCONTENT',
        )) as [number, string, string];
        expect(hits[0]!.score).toBe(-Number(score));
        await memory.delete(saved.memory.id);
        expect(await found('vpn')).toBe(0);
        await memory.close();
      } finally {
        await connection?.release();
      }
    });
  },
);
