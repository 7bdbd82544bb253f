// What every StatsStore backend must do, as one vitest suite: a backend's test file calls
// `describeStatsStore` with a way to open its store, then adds the cases only that backend has.

import { afterEach, describe, expect, it } from 'vitest';
import { buildReport, reportOf, sessions as sessionsView, totals } from '../stats/report.js';
import type { NewRequestRow, RequestRow, StatsFilter, StatsStore } from './types.js';

/** What a contract case may ask of the store it opens. */
export interface StatsStoreCaseOptions {
  readOnly?: boolean;
  onError?: (error: Error) => void;
}

/**
 * Opens the store under test. `place()` gives a new, empty place for stats; every call of the function it
 * returns opens that same place again (a restart, or a second process's view).
 */
export interface StatsStoreBackend {
  place(): (options?: StatsStoreCaseOptions) => Promise<StatsStore>;
}

/** A compressed Anthropic request as the proxy records it; override any field. */
export function newRow(overrides: Partial<NewRequestRow> = {}): NewRequestRow {
  return {
    ts: Date.now(),
    provider: 'anthropic',
    method: 'POST',
    path: '/v1/messages',
    status: 200,
    model: 'claude-sonnet-4-6',
    tokensBefore: 12_000,
    tokensAfter: 3_000,
    inputTokens: 2_900,
    outputTokens: 150,
    cacheReadTokens: 1_000,
    cacheWriteTokens: 200,
    transforms: { logs: 2, json: 1 },
    ...overrides,
  };
}

/** The pages `scanRows` hands over for `filter`. */
async function collect(store: StatsStore, filter: StatsFilter): Promise<RequestRow[][]> {
  const pages: RequestRow[][] = [];
  await store.scanRows(filter, (rows) => pages.push(rows));
  return pages;
}

export function describeStatsStore(name: string, backend: StatsStoreBackend): void {
  const opened: StatsStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  /** Open `place` (a fresh one by default), closed after the case. */
  async function open(place = backend.place(), options: StatsStoreCaseOptions = {}): Promise<StatsStore> {
    const store = await place(options);
    opened.push(store);
    return store;
  }

  describe(`StatsStore contract: ${name}`, () => {
    it('resolves a recorded row with its id once it is written, and reads it back the same', async () => {
      const store = await open();
      let written: RequestRow | undefined;
      const recorded = store.record(newRow({ path: '/v1/responses', stream: true })).then((row) => {
        written = row;
        return row;
      });
      await Promise.resolve();
      expect(written).toBeUndefined();
      await store.flush();
      const row = await recorded;
      expect(row).toMatchObject({
        path: '/v1/responses',
        stream: true,
        sideCall: null,
        id: await store.lastId(),
      });
      expect(await store.rows()).toEqual([row]);
    });

    it('keeps rows across a restart, oldest first', async () => {
      const place = backend.place();
      const first = await open(place);
      void first.record(newRow({ path: '/v1/messages', sessionId: 's1', overheadMs: 2.25 }));
      void first.record(newRow({ path: '/v1/chat/completions', provider: 'openai', model: 'gpt-4o' }));
      await first.close();
      const rows = await (await open(place)).rows();
      expect(rows.map((r) => r.path)).toEqual(['/v1/messages', '/v1/chat/completions']);
      expect(rows[0]).toMatchObject({
        sessionId: 's1',
        transforms: { logs: 2, json: 1 },
        stream: false,
        overheadMs: 2.25,
      });
      expect(rows[1]!.overheadMs).toBeNull();
      expect(rows[1]!.id).toBeGreaterThan(rows[0]!.id);
    });

    it('sums into totals and filters by time, session, agent, project and text, using session registrations', async () => {
      const store = await open();
      await store.upsertSession({ id: 'alpha', agent: 'claude', project: '/repo/a' });
      await store.upsertSession({ id: 'beta', agent: 'codex', project: '/repo/b' });
      void store.record(newRow({ ts: 1000, sessionId: 'alpha' }));
      void store.record(newRow({ ts: 2000, sessionId: 'alpha', status: 529 }));
      void store.record(newRow({ ts: 3000, sessionId: 'beta', error: 'upstream reset', retrievals: 2 }));
      void store.record(newRow({ ts: 4000, sideCall: 'claude-code-bash-paths' }));
      void store.record(
        newRow({ ts: 5000, historyRewrite: true, historyStubs: 3, historySavedTokens: 9_000 }),
      );
      void store.record(newRow({ ts: 6000, historyStubs: 3, historySavedTokens: 9_000 }));
      const all = await store.rows();
      expect(totals(all)).toMatchObject({ historyRewrites: 1, historySavedTokens: 18_000 });
      expect(all.at(-2)).toMatchObject({ historyRewrite: true, historyStubs: 3, historySavedTokens: 9_000 });
      expect(totals(all.slice(0, 4))).toMatchObject({
        requests: 4,
        sideCalls: 1,
        tokensBefore: 48_000,
        tokensAfter: 12_000,
        inputTokens: 11_600,
        outputTokens: 600,
        cacheReadTokens: 4_000,
        cacheWriteTokens: 800,
        retrievals: 2,
        errors: 2,
      });
      expect(await store.rows({ since: 2500 })).toHaveLength(4);
      expect(await store.rows({ session: 'alpha' })).toHaveLength(2);
      // Rows carry no agent themselves here: the registered session supplies it.
      expect(totals(await store.rows({ agent: 'codex' }))).toMatchObject({
        requests: 1,
        retrievals: 2,
        errors: 1,
      });
      expect(await store.rows({ project: '/repo/a' })).toHaveLength(2);
      expect((await store.rows({ agent: 'claude' })).map((r) => r.ts)).toEqual([1000, 2000]);
      expect((await store.rows({ text: 'CODEX' })).map((r) => r.ts)).toEqual([3000]);
      expect(await store.rows({ text: 'sonnet', since: 3500 })).toHaveLength(3);
    });

    it('scans every matching row once, oldest first, a page at a time, letting other work run between pages', async () => {
      const store = await open();
      await store.upsertSession({ id: 'beta', agent: 'codex', project: '/repo/b' });
      for (let i = 0; i < 2_500; i++)
        void store.record(
          newRow({ ts: 1_000 + i, sessionId: i % 5 === 0 ? 'beta' : null, retrievals: i % 3 }),
        );
      const all = await store.rows();
      for (const filter of [{}, { agent: 'codex' }, { since: 2_000 }, { text: 'CODEX', since: 3_000 }]) {
        const pages: RequestRow[][] = [];
        let between = 0;
        // Other work asks for a turn while the scan runs: it must get one before the scan is over.
        const other = setInterval(() => between++, 0);
        try {
          await store.scanRows(filter, (rows) => pages.push(rows));
        } finally {
          clearInterval(other);
        }
        const scanned = pages.flat();
        expect(scanned.map((row) => row.id)).toEqual((await store.rows(filter)).map((row) => row.id));
        if (scanned.length === all.length) {
          expect(pages.length).toBeGreaterThan(1);
          expect(between).toBeGreaterThan(0);
        }
      }
      expect(totals((await collect(store, {})).flat())).toEqual(totals(all));
    });

    it('builds the same report from a scan a page at a time as from every row at once', async () => {
      const store = await open();
      await store.upsertSession({ id: 'gamma', agent: 'codex', project: '/repo/c' });
      const day = 86_400_000;
      for (let i = 0; i < 1_300; i++)
        void store.record(
          newRow({
            // Spread over ~90 days, so the trend's tally coarsens its cells while the scan runs.
            ts: 1_700_000_000_000 + i * Math.floor((90 * day) / 1_300) + (i % 7) * 61_000,
            sessionId: i % 4 === 0 ? 'gamma' : `s${i % 9}`,
            model: i % 3 === 0 ? 'gpt-5' : 'claude-sonnet-4-6',
            tokensBefore: 1_000 + i,
            tokensAfter: 400 + (i % 500),
            transforms: i % 2 ? { logs: 1 + (i % 3) } : { json: 1, code: 2 },
            outputArm: i % 5 === 0 ? 'holdout' : 'steered',
            outputTokens: 100 + (i % 37),
            latencyMs: 20 + (i % 50),
          }),
        );
      await store.flush();
      const now = 1_700_000_000_000 + 100 * day;
      for (const filter of [{}, { agent: 'codex' }, { since: 1_700_000_000_000 + 45 * day }]) {
        for (const by of [undefined, 'day', 'model'] as const) {
          expect(await reportOf(store, filter, now, by)).toEqual(
            buildReport(await store.rows(filter), filter, now, by),
          );
        }
      }
    });

    it('reads a page: the rows after an id, or only the newest few', async () => {
      const store = await open();
      expect(await store.lastId()).toBe(0);
      for (const ts of [1000, 2000, 3000, 4000]) void store.record(newRow({ ts }));
      const all = await store.rows();
      expect(await store.lastId()).toBe(all.at(-1)!.id);
      const after = await store.rows({}, { afterId: all[1]!.id });
      expect(after.map((r) => r.ts)).toEqual([3000, 4000]);
      expect((await store.rows({}, { limit: 2 })).map((r) => r.ts)).toEqual([3000, 4000]);
      expect((await store.rows({ since: 1500 }, { afterId: all[0]!.id, limit: 1 })).map((r) => r.ts)).toEqual(
        [4000],
      );
      expect((await store.rows({ text: 'sonnet' }, { limit: 3 })).map((r) => r.ts)).toEqual([
        2000, 3000, 4000,
      ]);
      expect(await store.rows({}, { limit: 0 })).toEqual([]);
    });

    it('reads the newest rows a free text matches, however far back the page reaches', async () => {
      const store = await open();
      for (let batch = 0; batch < 15; batch++) {
        await Promise.all(
          Array.from({ length: 200 }, (_, i) => {
            const n = batch * 200 + i;
            const model = n % 10 === 0 ? 'claude-opus-4-1' : 'claude-sonnet-4-6';
            return store.record(newRow({ ts: n, model }));
          }),
        );
      }
      await store.flush();
      const opus = { text: 'opus' };
      const newest = await store.rows(opus, { limit: 5 });
      expect(newest.map((row) => row.ts)).toEqual([2950, 2960, 2970, 2980, 2990]);
      // Past a backend's first page of rows: oldest first, as every read gives them.
      const many = await store.rows(opus, { limit: 250 });
      expect(many.map((row) => row.ts)).toEqual(Array.from({ length: 250 }, (_, i) => 500 + 10 * i));
      expect(await store.rows(opus, { limit: 10_000 })).toEqual(await store.rows(opus));
      expect(await store.rows(opus)).toHaveLength(300);
      expect(await store.rows(opus, { afterId: newest[2]!.id, limit: 10 })).toEqual(newest.slice(3));
      expect(await store.rows({ ...opus, since: 2975 }, { limit: 10 })).toEqual(newest.slice(3));
    });

    it('registers sessions, keeps what an update leaves out, and lists them by filter', async () => {
      const store = await open();
      await store.upsertSession({ id: 'idle', agent: 'aider', project: '/repo/c', startedTs: 500 });
      await store.upsertSession({ id: 'alpha', agent: 'claude', project: '/repo/a', startedTs: 900 });
      await store.upsertSession({ id: 'alpha', endedTs: 9000 });
      expect(await store.session('alpha')).toMatchObject({
        agent: 'claude',
        project: '/repo/a',
        startedTs: 900,
        endedTs: 9000,
      });
      expect(await store.session('never')).toBeUndefined();
      expect((await store.sessions()).map((s) => s.id).sort()).toEqual(['alpha', 'idle']);
      expect((await store.sessions({ agent: 'claude' })).map((s) => s.id)).toEqual(['alpha']);
      expect((await store.sessions({ since: 600 })).map((s) => s.id)).toEqual(['alpha']);
      expect((await store.sessions({ text: 'repo/c' })).map((s) => s.id)).toEqual(['idle']);
    });

    it('gives the sessions view their totals, newest activity first, registered idle ones included', async () => {
      const store = await open();
      await store.upsertSession({ id: 'idle', agent: 'aider', project: '/repo/c', startedTs: 500 });
      await store.upsertSession({ id: 'alpha', agent: 'claude', project: '/repo/a', startedTs: 900 });
      void store.record(newRow({ ts: 1000, sessionId: 'alpha' }));
      void store.record(newRow({ ts: 5000, sessionId: 'tagged-only', agent: 'codex' }));
      const list = sessionsView(await store.rows(), await store.sessions());
      expect(list.map((s) => s.id)).toEqual(['tagged-only', 'alpha', 'idle']);
      expect(list[0]).toMatchObject({ agent: 'codex', lastTs: 5000, totals: { requests: 1 } });
      expect(list[1]).toMatchObject({
        agent: 'claude',
        project: '/repo/a',
        startedTs: 900,
        totals: { requests: 1, tokensBefore: 12_000 },
      });
      expect(list[2]).toMatchObject({ agent: 'aider', lastTs: null, totals: { requests: 0 } });
      const claude = { agent: 'claude' };
      expect(sessionsView(await store.rows(claude), await store.sessions(claude)).map((s) => s.id)).toEqual([
        'alpha',
      ]);
    });

    it('empties on reset and says how many rows it deleted', async () => {
      const store = await open();
      await store.upsertSession({ id: 'alpha' });
      void store.record(newRow());
      void store.record(newRow());
      expect(await store.reset()).toBe(2);
      expect(await store.rows()).toEqual([]);
      expect(await store.sessions()).toEqual([]);
      expect(await store.lastId()).toBe(0);
    });

    it('opened read-only before anything was written, finds rows once a writer has written them', async () => {
      const place = backend.place();
      const errors: Error[] = [];
      const reader = await open(place, { readOnly: true, onError: (error) => errors.push(error) });
      expect(await reader.rows()).toEqual([]);
      expect(await reader.lastId()).toBe(0);
      expect(await reader.sessions()).toEqual([]);
      const writer = await open(place);
      await writer.upsertSession({ id: 'alpha', agent: 'claude' });
      const written = await writer.record(newRow({ sessionId: 'alpha' }));
      expect(await reader.rows()).toEqual([{ ...written, agent: 'claude' }]);
      expect(await reader.session('alpha')).toMatchObject({ agent: 'claude' });
      expect(await reader.record(newRow())).toBeUndefined();
      expect(errors).toHaveLength(1);
      await expect(reader.upsertSession({ id: 'beta' })).rejects.toThrow(/read-only/);
      expect(await writer.rows()).toHaveLength(1);
    });

    it('resolves a row recorded after close as not written, telling onError, never rejecting', async () => {
      const errors: Error[] = [];
      const store = await open(backend.place(), { onError: (error) => errors.push(error) });
      await store.close();
      expect(await store.record(newRow())).toBeUndefined();
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/closed/)]);
    });
  });
}
