// Saving memories on the real SQLite memory store: the same words merge by hash, nearly the same words by
// similarity, different facts stay apart, scopes never mix, and what a model or a user types is never read
// as search syntax.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteMemoryStore } from '../store/sqlite/memory.js';
import type { MemoryStore } from '../store/types.js';
import { Memories } from './memories.js';
import { normalise, similarity } from './text.js';

let store: MemoryStore;
let memories: Memories;
let clock = 1_000;
const api = 'project:/src/api';
const web = 'project:/src/web';

beforeEach(() => {
  store = openSqliteMemoryStore(mkdtempSync(join(tmpdir(), 'headroom-memories-')));
  memories = new Memories(store, () => (clock += 1000));
});
afterEach(() => store.close());

describe('saving a memory', () => {
  it('confirms the kept memory when the same words come again, whatever their case and spacing', async () => {
    const first = await memories.save({ scope: api, text: 'Tests run with pnpm test.', agent: 'claude' });
    const again = await memories.save({ scope: api, text: '  tests RUN with   pnpm test  ', agent: 'codex' });
    expect(first.outcome).toBe('saved');
    expect(again).toMatchObject({ outcome: 'duplicate', memory: { id: first.memory.id, confirmations: 1 } });
    expect(again.memory.agents).toEqual(['claude', 'codex']);
    expect(again.memory.updatedTs).toBeGreaterThan(first.memory.createdTs);
    expect(await memories.list({ scope: api })).toHaveLength(1);
  });

  it('merges nearly the same words, and keeps a different fact apart', async () => {
    const first = await memories.save({
      scope: api,
      text: 'The staging database listens on port 5433, not 5432.',
      agent: 'claude',
    });
    const near = await memories.save({
      scope: api,
      text: 'The staging database now listens on port 5433, not 5432.',
      agent: 'gemini',
    });
    const other = await memories.save({
      scope: api,
      text: 'The production database listens on port 6432 behind pgbouncer.',
      agent: 'gemini',
    });
    expect(near).toMatchObject({ outcome: 'near-duplicate', memory: { id: first.memory.id } });
    expect(other.outcome).toBe('saved');
    expect((await memories.list({ scope: api })).map((m) => m.confirmations).sort()).toEqual([0, 1]);
  });

  it('keeps each project’s memories to itself', async () => {
    await memories.save({ scope: api, text: 'Deploys go out with make release.', agent: 'claude' });
    const elsewhere = await memories.save({
      scope: web,
      text: 'Deploys go out with make release.',
      agent: 'claude',
    });
    expect(elsewhere.outcome).toBe('saved');
    expect((await memories.search('deploy release', { scope: web })).map((m) => m.scope)).toEqual([web]);
    expect(
      await memories.update(elsewhere.memory.id, 'Deploys use the CI button.', null, api),
    ).toBeUndefined();
    expect(await memories.delete(elsewhere.memory.id, api)).toBe(false);
    expect(await memories.delete(elsewhere.memory.id, web)).toBe(true);
  });

  it('ranks by BM25 with stemming, and reads query syntax as plain words', async () => {
    await memories.save({ scope: api, text: 'Logs rotate nightly at 02:00.', agent: null });
    const deploy = await memories.save({
      scope: api,
      text: 'Deploying needs the VPN; deploys fail without it.',
      agent: null,
    });
    const hits = await memories.search('deploy', { scope: api });
    expect(hits.map((h) => h.id)).toEqual([deploy.memory.id]);
    await expect(memories.search('"deploy" AND (vpn OR NEAR(', { scope: api })).resolves.toHaveLength(1);
    await expect(memories.search('  ?! ', { scope: api })).resolves.toEqual([]);
  });
});

describe('memory text', () => {
  it('normalises case, spacing and closing punctuation only', () => {
    expect(normalise('  Use  PNPM.  ')).toBe('use pnpm');
    expect(normalise('Use pnpm, not npm!')).toBe('use pnpm, not npm');
  });

  it('scores one word changed in ten at 0.9 and unrelated words near 0', () => {
    expect(similarity('a b c d e f g h i j', 'a b c d e f g h i k')).toBeCloseTo(0.9);
    expect(similarity('the staging port is 5433', 'logs rotate nightly')).toBe(0);
  });
});
