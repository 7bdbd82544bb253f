// What every OriginalStore backend must do, as one vitest suite: a backend's test file calls
// `describeOriginalStore` with a way to open its store, then adds the cases only that backend has.

import { afterEach, describe, expect, it } from 'vitest';
import { realOutput } from '../../test/helpers/real-outputs.js';
import { originalId } from '../compress/marker.js';
import type { OriginalStore } from './types.js';

/** What a contract case may ask of the store it opens. */
export interface OriginalStoreCaseOptions {
  /** Clock in milliseconds, to exercise expiry. */
  now?: () => number;
  maxBytes?: number;
  ttlDays?: number;
}

/**
 * Opens the store under test. `place()` gives a new, empty place to keep originals; every call of the
 * function it returns opens that same place again (a restart).
 */
export interface OriginalStoreBackend {
  place(): (options?: OriginalStoreCaseOptions) => Promise<OriginalStore>;
}

export function describeOriginalStore(name: string, backend: OriginalStoreBackend): void {
  const serverLog = realOutput('log-express-debug').text;
  const opened: OriginalStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  /** Open `place` (a fresh one by default), closed after the case. */
  async function open(
    place = backend.place(),
    options: OriginalStoreCaseOptions = {},
  ): Promise<OriginalStore> {
    const store = await place(options);
    opened.push(store);
    return store;
  }

  describe(`OriginalStore contract: ${name}`, () => {
    it('gives back exactly what was put, under the content-addressed id', async () => {
      const store = await open();
      const text = `${serverLog}\nnon-ASCII: café ✓ 日本語 😀\n`;
      const id = await store.put(text);
      expect(id).toBe(originalId(text));
      expect(await store.has(id)).toBe(true);
      expect(await store.get(id)).toBe(text);
      expect(await store.get('hr_000000000000')).toBeUndefined();
      expect(await store.has('hr_000000000000')).toBe(false);
    });

    it('keeps one original when the same text is stored twice', async () => {
      const place = backend.place();
      const store = await open(place);
      const first = await store.put(serverLog);
      const second = await store.put(serverLog);
      await store.putMany([{ id: first, text: serverLog }]);
      expect(second).toBe(first);
      expect(await store.stats()).toMatchObject({ originals: 1, rawBytes: Buffer.byteLength(serverLog) });
      await store.close();
      expect(await (await open(place)).stats()).toMatchObject({ originals: 1 });
    });

    it('keeps several originals at once under the ids the engine computed', async () => {
      const store = await open();
      const texts = ['first output\n'.repeat(50), 'second output\n'.repeat(50)];
      await store.putMany(texts.map((text) => ({ id: originalId(text), text })));
      for (const text of texts) expect(await store.get(originalId(text))).toBe(text);
      expect((await store.stats()).originals).toBe(2);
    });

    it('loses nothing across a restart', async () => {
      const place = backend.place();
      const first = await open(place);
      const id = await first.put(serverLog);
      await first.close();
      expect(await (await open(place)).get(id)).toBe(serverLog);
    });

    it('names where it lives, in its stats too', async () => {
      const store = await open();
      expect(store.location).not.toBe('');
      expect((await store.stats()).location).toBe(store.location);
    });

    it('evicts the least recently read original first when over the size cap', async () => {
      let clock = 1_000;
      const now = () => clock;
      const texts = ['alpha', 'beta', 'gamma', 'delta'].map((word) => `${word}\n`.repeat(2000) + word);
      const place = backend.place();
      const store = await open(place, { now, maxBytes: 10_000_000 });
      const ids: string[] = [];
      for (const text of texts.slice(0, 3)) {
        clock += 1;
        ids.push(await store.put(text));
      }
      const [a, b, c] = ids;
      const perOriginal = (await store.stats()).storedBytes / 3;
      await store.close();

      // The cap fits three originals; reading `a` makes `b` the least recently used.
      const capped = await open(place, { now, maxBytes: Math.floor(perOriginal * 3.5) });
      clock += 1;
      expect(await capped.get(a!)).toBe(texts[0]);
      clock += 1;
      const d = await capped.put(texts[3]!);
      expect(await capped.has(b!)).toBe(false);
      expect(await capped.has(a!)).toBe(true);
      expect(await capped.has(c!)).toBe(true);
      expect(await capped.has(d)).toBe(true);
    });

    it('expires originals a TTL after their last read, and a read extends their life', async () => {
      let clock = Date.UTC(2025, 0, 1);
      const day = 86_400_000;
      const store = await open(backend.place(), { now: () => clock, ttlDays: 7 });
      const kept = await store.put('read every few days');
      const dropped = await store.put('never read again');
      clock += 5 * day;
      expect(await store.get(kept)).toBe('read every few days');
      clock += 3 * day;
      expect(await store.get(dropped)).toBeUndefined();
      expect(await store.has(dropped)).toBe(false);
      expect(await store.get(kept)).toBe('read every few days');
    });

    it('keeps the outputs to send whole across a restart, once each, until their TTL', async () => {
      let clock = Date.UTC(2025, 0, 1);
      const day = 86_400_000;
      const place = backend.place();
      const first = await open(place, { now: () => clock, ttlDays: 7 });
      expect(await first.wholeOutputs()).toEqual([]);
      await first.keepWhole(['key-a', 'key-b']);
      await first.keepWhole(['key-b']);
      await first.close();
      const second = await open(place, { now: () => clock, ttlDays: 7 });
      expect((await second.wholeOutputs()).sort()).toEqual(['key-a', 'key-b']);
      clock += 5 * day;
      await second.keepWhole(['key-b']);
      clock += 3 * day;
      expect(await second.wholeOutputs()).toEqual(['key-b']);
    });

    it('keeps history stubs and conversation states across a restart, while the conversation is used', async () => {
      let clock = Date.UTC(2025, 0, 1);
      const day = 86_400_000;
      const place = backend.place();
      const first = await open(place, { now: () => clock, ttlDays: 7 });
      expect(await first.historyStubs()).toEqual([]);
      const stubs = [
        { conversation: 'used', key: 'k1', reason: 'superseded-read' },
        { conversation: 'used', key: 'k2', reason: 'old' },
        { conversation: 'left', key: 'k3', reason: 'old' },
      ];
      await first.keepStubs(stubs);
      await first.keepStubs([stubs[0]!]);
      const state = {
        id: 'used',
        lastTs: clock,
        lifetimeMs: 300_000,
        cacheRead: 40_000,
        cacheWrite: 1_200,
        promptTokens: 41_500,
        rewrote: true,
      };
      await first.saveConversation(state);
      await first.close();

      const second = await open(place, { now: () => clock, ttlDays: 7 });
      expect(await second.historyStubs()).toEqual(stubs);
      expect(await second.conversations(clock - 1)).toEqual([state]);
      expect(await second.conversations(clock + 1)).toEqual([]);
      // Each request of a conversation keeps its stubs alive; another's expire with the TTL.
      clock += 5 * day;
      await second.saveConversation({ ...state, lastTs: clock, rewrote: false });
      clock += 3 * day;
      expect((await second.historyStubs()).map((stub) => stub.key)).toEqual(['k1', 'k2']);
      expect((await second.conversations(0)).map((c) => [c.id, c.rewrote])).toEqual([['used', false]]);
    });

    it("answers one conversation's stubs and state, as another process sharing the store kept them", async () => {
      let clock = Date.UTC(2025, 0, 1);
      const place = backend.place();
      const [writer, reader] = [
        await open(place, { now: () => clock }),
        await open(place, { now: () => clock }),
      ];
      expect(await reader.conversationHistory('moving')).toEqual({ stubs: [], state: undefined });
      const stubs = [
        { conversation: 'moving', key: 'k2', reason: 'old' },
        { conversation: 'moving', key: 'k1', reason: 'superseded-read' },
      ];
      await writer.keepStubs([stubs[0]!, { conversation: 'other', key: 'k9', reason: 'old' }]);
      await writer.keepStubs([stubs[1]!]);
      const state = {
        id: 'moving',
        lastTs: clock,
        lifetimeMs: 300_000,
        cacheRead: 10,
        cacheWrite: 20,
        promptTokens: 30,
        rewrote: true,
      };
      await writer.saveConversation(state);
      expect(await reader.conversationHistory('moving')).toEqual({ stubs, state });
      clock += 40 * 86_400_000;
      expect(await reader.conversationHistory('moving')).toEqual({ stubs: [], state: undefined });
    });

    it('keeps the verbosity level and the holdout arm a conversation goes out with, across a restart', async () => {
      const clock = Date.UTC(2025, 0, 1);
      const place = backend.place();
      const writer = await open(place, { now: () => clock });
      const base = { lastTs: clock, lifetimeMs: 300_000, cacheRead: 0, cacheWrite: 900, promptTokens: 900 };
      const steered = { ...base, id: 'terse', rewrote: false, level: '2', arm: 'steered' as const };
      const heldOut = { ...base, id: 'held', rewrote: false, arm: 'holdout' as const };
      const plain = { ...base, id: 'plain', rewrote: false };
      for (const state of [steered, heldOut, plain]) await writer.saveConversation(state);
      await writer.close();
      const reader = await open(place, { now: () => clock });
      const byId = new Map((await reader.conversations(0)).map((state) => [state.id, state]));
      expect(byId.get('terse')).toEqual(steered);
      expect(byId.get('held')).toEqual(heldOut);
      expect(byId.get('plain')).toEqual(plain);
      expect((await reader.conversationHistory('terse'))?.state).toEqual(steered);
      await reader.close();
    });
  });
}
