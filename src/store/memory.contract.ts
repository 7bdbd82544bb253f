// What every MemoryStore backend must do, as one vitest suite: a backend's test file calls
// `describeMemoryStore` with a way to open its store, then adds the cases only that backend has.

import { afterEach, describe, expect, it } from 'vitest';
import type { Memory, MemoryStore } from './types.js';

/** Opens the store under test. `place()` gives a new, empty place; every call of what it returns reopens it. */
export interface MemoryStoreBackend {
  place(): () => Promise<MemoryStore>;
}

const memory = (overrides: Partial<Memory>): Memory => ({
  id: 'm_000000000001',
  scope: 'project:/src/api',
  text: 'The staging database listens on port 5433.',
  hash: 'a'.repeat(64),
  agent: 'claude',
  agents: ['claude'],
  createdTs: 1_000,
  updatedTs: 1_000,
  confirmations: 0,
  ...overrides,
});

export function describeMemoryStore(name: string, backend: MemoryStoreBackend): void {
  const opened: MemoryStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });
  const open = async (place = backend.place()) => {
    const store = await place();
    opened.push(store);
    return store;
  };

  describe(`${name} memory store`, () => {
    it('keeps a memory with its provenance, found by id and by scope and hash, after a reopen', async () => {
      const place = backend.place();
      const first = await open(place);
      const kept = memory({ agents: ['claude', 'codex'], confirmations: 2 });
      await first.insert(kept);
      await first.close();
      const again = await open(place);
      expect(await again.get(kept.id)).toEqual(kept);
      expect(await again.byHash(kept.scope, kept.hash)).toEqual(kept);
      expect(await again.byHash('user', kept.hash)).toBeUndefined();
    });

    it('lists newest first and searches by words, best first, each within a scope when asked', async () => {
      const store = await open();
      await store.insert(memory({}));
      await store.insert(
        memory({
          id: 'm_000000000002',
          text: 'Deploys need the VPN.',
          hash: 'b'.repeat(64),
          updatedTs: 2_000,
        }),
      );
      await store.insert(
        memory({
          id: 'm_000000000003',
          scope: 'user',
          text: 'Use the staging VPN profile.',
          hash: 'c'.repeat(64),
        }),
      );
      expect((await store.list({ scope: 'project:/src/api' })).map((m) => m.id)).toEqual([
        'm_000000000002',
        'm_000000000001',
      ]);
      expect((await store.list()).length).toBe(3);
      const hits = await store.search('staging database port', { scope: 'project:/src/api' });
      expect(hits.map((h) => h.id)).toEqual(['m_000000000001']);
      expect(typeof hits[0]!.score).toBe('number');
      expect((await store.search('staging vpn')).map((h) => h.id).sort()).toEqual([
        'm_000000000001',
        'm_000000000002',
        'm_000000000003',
      ]);
      expect(await store.search('(*"')).toEqual([]);
    });

    it('searches a replaced memory by its new words only, and forgets a deleted one', async () => {
      const store = await open();
      await store.insert(memory({}));
      await store.replace(memory({ text: 'The staging cache is redis on 6380.', updatedTs: 5_000 }));
      expect(await store.search('database')).toEqual([]);
      expect((await store.search('redis')).map((h) => h.text)).toEqual([
        'The staging cache is redis on 6380.',
      ]);
      expect(await store.delete('m_000000000001')).toBe(true);
      expect(await store.delete('m_000000000001')).toBe(false);
      expect(await store.search('redis')).toEqual([]);
      expect(await store.get('m_000000000001')).toBeUndefined();
    });

    it('keeps the first block a turn was sent with, empty ones too', async () => {
      const store = await open();
      expect(await store.turnBlock('turn-1')).toBeUndefined();
      await store.keepTurnBlock('turn-1', '<memory>one</memory>');
      await store.keepTurnBlock('turn-1', '<memory>two</memory>');
      await store.keepTurnBlock('turn-2', '');
      expect(await store.turnBlock('turn-1')).toBe('<memory>one</memory>');
      expect(await store.turnBlock('turn-2')).toBe('');
    });

    it("forgets a text's vectors with the last memory that holds it, when deleted or given new words", async () => {
      const store = await open();
      const vector = new Float32Array([0.6, 0.8]);
      const [a, b, c] = ['a', 'b', 'c'].map((digit) => digit.repeat(64)) as [string, string, string];
      await store.insert(memory({}));
      await store.insert(memory({ id: 'm_000000000002', scope: 'user' }));
      await store.insert(memory({ id: 'm_000000000003', text: 'Deploys need the VPN.', hash: b }));
      for (const model of ['model-1', 'model-2'])
        await store.keepVectors(model, new Map([a, b].map((hash) => [hash, vector])));
      const held = async () =>
        Promise.all(
          ['model-1', 'model-2'].map(async (model) => [...(await store.vectors(model, [a, b, c])).keys()]),
        );
      // The same words in another scope still need their vector.
      await store.delete('m_000000000001');
      expect(await held()).toEqual([
        [a, b],
        [a, b],
      ]);
      await store.delete('m_000000000002');
      expect(await held()).toEqual([[b], [b]]);
      await store.replace(memory({ id: 'm_000000000003', text: 'Deploys need the office VPN.', hash: c }));
      expect(await held()).toEqual([[], []]);
    });

    it('forgets on open the vectors no memory holds, as memories deleted before their vectors went left them', async () => {
      const place = backend.place();
      const first = await open(place);
      const [kept, orphan] = ['a'.repeat(64), 'b'.repeat(64)];
      await first.insert(memory({ hash: kept }));
      for (const model of ['model-1', 'model-2'])
        await first.keepVectors(
          model,
          new Map([kept, orphan].map((hash) => [hash, new Float32Array([1, 0])])),
        );
      expect([...(await first.vectors('model-1', [kept, orphan])).keys()]).toEqual([kept, orphan]);
      await first.close();
      const again = await open(place);
      for (const model of ['model-1', 'model-2'])
        expect([...(await again.vectors(model, [kept, orphan])).keys()]).toEqual([kept]);
      // And the memory kept still takes its vector with it when it goes.
      await again.delete(memory({}).id);
      expect((await again.vectors('model-1', [kept])).size).toBe(0);
    });

    it("keeps each model's vectors by content hash, exactly, the first one kept winning, after a reopen", async () => {
      const place = backend.place();
      const first = await open(place);
      await first.insert(memory({}));
      const a = new Float32Array([0.6, -0.8, 1e-7, 3.4028234663852886e38]);
      const b = new Float32Array([0, 1, 0, 0]);
      await first.keepVectors('model-1', new Map([['a'.repeat(64), a]]));
      await first.keepVectors('model-2', new Map([['a'.repeat(64), b]]));
      await first.keepVectors('model-1', new Map([['a'.repeat(64), b]]));
      await first.keepVectors('model-1', new Map());
      await first.close();
      const again = await open(place);
      const found = await again.vectors('model-1', ['a'.repeat(64), 'b'.repeat(64)]);
      expect([...found.keys()]).toEqual(['a'.repeat(64)]);
      expect(found.get('a'.repeat(64))).toEqual(a);
      expect((await again.vectors('model-2', ['a'.repeat(64)])).get('a'.repeat(64))).toEqual(b);
      expect((await again.vectors('model-3', ['a'.repeat(64)])).size).toBe(0);
      expect((await again.vectors('model-1', [])).size).toBe(0);
    });
  });
}
