// Memory search by meaning with a real (tiny) ONNX sentence-embedding model run by onnxruntime: a query
// finds a memory it shares no word with, unrelated memories stay out, the two rankings fuse, vectors are
// kept in the store so a memory is embedded once, and a model that fails leaves search to BM25.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEANINGS, writeEmbeddingModel } from '../../test/helpers/embedding-model.js';
import { wordPieceTokenizer } from '../../test/helpers/kompress-model.js';
import { openSqliteMemoryStore } from '../store/sqlite/memory.js';
import type { MemoryStore } from '../store/types.js';
import { cosine, type Embedder, EmbeddingModelError, loadEmbedder } from './embeddings.js';
import { Memories } from './memories.js';

const scope = 'project:/src/api';
const SHIPPING = 'Release through the canary pool.';
const TABS = 'Tabs not spaces in makefiles.';

let modelDir: string;
let embedder: Embedder;
let store: MemoryStore;

beforeAll(async () => {
  modelDir = writeEmbeddingModel(mkdtempSync(join(tmpdir(), 'headroom-embedder-')));
  embedder = await loadEmbedder(modelDir);
});
beforeEach(() => {
  store = openSqliteMemoryStore(mkdtempSync(join(tmpdir(), 'headroom-semantic-')));
});
afterEach(() => store.close());

/** The embedder, counting the texts it is given. */
function counted(inner: Embedder): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return {
    id: inner.id,
    texts,
    embed(batch) {
      texts.push(...batch);
      return inner.embed(batch);
    },
  };
}

describe('the embedding model', () => {
  it('gives unit vectors, alike for words of one meaning and the same on every run', async () => {
    const [ship, release, tabs, again] = await embedder.embed(['ship', 'release it', 'tabs', 'ship']);
    expect(cosine(ship!, ship!)).toBeCloseTo(1, 6);
    expect(cosine(ship!, release!)).toBeCloseTo(1, 6);
    expect(cosine(ship!, tabs!)).toBeCloseTo(0, 6);
    expect(Buffer.from(again!.buffer)).toEqual(Buffer.from(ship!.buffer));
    expect(embedder.id).toMatch(/^[0-9a-f]{16}$/);
    expect((await loadEmbedder(modelDir)).id).toBe(embedder.id);
    const other = writeEmbeddingModel(mkdtempSync(join(tmpdir(), 'headroom-embedder-')), {
      ...MEANINGS,
      ship: [0, 1, 0, 0],
    });
    expect((await loadEmbedder(other)).id).not.toBe(embedder.id);
  });

  it('refuses a model that is missing or is not ONNX with one line saying which file', async () => {
    const missing = join(tmpdir(), 'headroom-no-such-model');
    await expect(loadEmbedder(missing)).rejects.toThrow(EmbeddingModelError);
    await expect(loadEmbedder(missing)).rejects.toThrow(/headroom-no-such-model.* does not exist/);
    const broken = writeEmbeddingModel(mkdtempSync(join(tmpdir(), 'headroom-embedder-')));
    writeFileSync(join(broken, 'model.onnx'), 'not a model');
    const error = await loadEmbedder(broken).catch((e: Error) => e);
    expect(error).toBeInstanceOf(EmbeddingModelError);
    expect((error as Error).message).toContain(join(broken, 'model.onnx'));
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('searching memories by meaning', () => {
  it('finds a memory sharing no word with the query, where BM25 alone finds none, and leaves unrelated ones out', async () => {
    const plain = new Memories(store);
    await plain.save({ scope, text: SHIPPING, agent: 'claude' });
    await plain.save({ scope, text: TABS, agent: 'codex' });
    expect(await plain.search('how do we ship', { scope })).toEqual([]);

    const semantic = new Memories(store, Date.now, { embedder, minSimilarity: 0.5 });
    const hits = await semantic.search('how do we ship', { scope });
    expect(hits.map((hit) => hit.text)).toEqual([SHIPPING]);
    expect(await semantic.search('how do we ship', { scope: 'project:/src/web' })).toEqual([]);
  });

  it('ranks first a memory both rankings find, then the others of each', async () => {
    const memories = new Memories(store, Date.now, { embedder, minSimilarity: 0.5 });
    await memories.save({ scope, text: SHIPPING, agent: 'claude' });
    await memories.save({ scope, text: 'Deploy from the main branch only.', agent: 'claude' });
    await memories.save({ scope, text: 'The database pool holds ten connections.', agent: 'codex' });
    // "pool" is a word of the first and third; "ship" means what "release" and "deploy" do.
    const hits = await memories.search('ship pool', { scope });
    expect(hits.map((hit) => hit.text)).toEqual([
      SHIPPING,
      'Deploy from the main branch only.',
      'The database pool holds ten connections.',
    ]);
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => a - b));
  });

  it('embeds a memory once: its vector is kept in the store and read back by a later search or process', async () => {
    const first = counted(embedder);
    const memories = new Memories(store, Date.now, { embedder: first, minSimilarity: 0.5 });
    const { memory } = await memories.save({ scope, text: SHIPPING, agent: 'claude' });
    await memories.save({ scope, text: TABS, agent: 'claude' });
    await memories.search('ship', { scope });
    expect(first.texts.sort()).toEqual([SHIPPING, TABS, 'ship'].sort());
    const kept = await store.vectors(embedder.id, [memory.hash]);
    expect(cosine(kept.get(memory.hash)!, (await embedder.embed([SHIPPING]))[0]!)).toBeCloseTo(1, 6);

    const later = counted(embedder);
    const again = new Memories(store, Date.now, { embedder: later, minSimilarity: 0.5 });
    expect((await again.search('release', { scope })).map((hit) => hit.text)).toEqual([SHIPPING]);
    expect(later.texts).toEqual(['release']);
  });

  it('goes on by BM25 alone, saying so once, when the model fails on a run', async () => {
    // A tokenizer knowing more words than the model's table: looking one of them up fails inside the run.
    const dir = writeEmbeddingModel(mkdtempSync(join(tmpdir(), 'headroom-embedder-')));
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...Object.keys(MEANINGS), 'pool'];
    vocab.push(...Array.from({ length: 200 }, (_, k) => `word${k}`));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(wordPieceTokenizer(vocab)));
    const failing = await loadEmbedder(dir);
    const said: string[] = [];
    const memories = new Memories(store, Date.now, {
      embedder: failing,
      minSimilarity: 0.5,
      onError: (message) => said.push(message),
    });
    await memories.save({ scope, text: 'word199 pool', agent: 'claude' });
    const hits = await memories.search('pool', { scope });
    expect(hits.map((hit) => hit.text)).toEqual(['word199 pool']);
    await memories.search('pool', { scope });
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^an embedding run failed: .*; memory search goes on by BM25 alone$/);
  });
});
