// Reading originals back: whole and byte for byte, paged for the model, or only the lines and JSON items
// that match a query; an unknown id is an answer, never an error.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, type CorpusItem, corpusItems, describeWithCorpus } from '../../test/helpers/corpus.js';
import { lineCount, realOutput, realOutputs } from '../../test/helpers/real-outputs.js';
import { MARKER_PATTERN } from '../compress/marker.js';
import { openOriginalStore } from '../store/index.js';
import type { OriginalStore } from '../store/types.js';
import { answerRetrieveCall, formatForModel, MODEL_PAGE_CHARS, queryTerms, readOriginal } from './read.js';

let store: OriginalStore;
beforeAll(async () => {
  store = await openOriginalStore({ cacheDir: join(mkdtempSync(join(tmpdir(), 'headroom-ccr-')), 'cache') });
});
afterAll(() => store.close());

/** The longest word of an item's first needle: a term its answer depends on. */
function searchTerm(item: CorpusItem): string {
  const words = item.needles[0]!.match(/[A-Za-z0-9_]{3,}/g) ?? [];
  return words.sort((a, b) => b.length - a.length)[0]!;
}

/** Retrieval of each item whole and by query; `bytesOf` is the item as it was written, byte for byte. */
function retrievesEveryItem(items: readonly CorpusItem[], bytesOf: (item: CorpusItem) => Buffer) {
  it.each(items)('gives back $name byte for byte', async (item) => {
    const id = await store.put(item.text);
    const result = await readOriginal(store, id);
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(Buffer.from(result.text).equals(bytesOf(item))).toBe(true);
    expect(result.nextOffset).toBeNull();
  });

  it.each(items)('returns only the matching lines or items of $name for a query', async (item) => {
    const original = item.text;
    const id = await store.put(original);
    const term = searchTerm(item);
    const result = await readOriginal(store, id, { query: term });
    expect(result.found).toBe(true);
    if (!result.found) return;
    const entries = result.text.split('\n');
    expect(result.matched).toBeGreaterThan(0);
    expect(entries).toHaveLength(result.matched!);
    for (const entry of entries) expect(entry.toLowerCase()).toContain(term.toLowerCase());
    if (result.unit === 'lines') {
      const lines = original.split('\n');
      const expected = lines.filter((line) => line.toLowerCase().includes(term.toLowerCase())).length;
      expect(result.matched).toBe(expected);
      const [label, ...rest] = entries[0]!.split(' ');
      expect(lines[Number(label!.slice(0, -1)) - 1]?.replace(/\r$/, '')).toBe(rest.join(' '));
    } else {
      const array = JSON.parse(original) as unknown[];
      const index = Number(entries[0]!.match(/^\[(\d+)\]/)![1]);
      expect(entries[0]).toBe(`[${index}] ${JSON.stringify(array[index])}`);
    }
  });
}

describe('retrieve over real outputs', () => {
  it('makes real outputs of every category to test with', async () => {
    expect(new Set(realOutputs().map((item) => item.category)).size).toBe(7);
  });

  retrievesEveryItem(realOutputs(), (item) => Buffer.from(item.text));
});

describeWithCorpus('retrieve over the corpus', () => {
  it('finds corpus items to test with', async () => {
    expect(corpusItems().length).toBeGreaterThan(30);
  });

  retrievesEveryItem(corpusItems(), (item) => readFileSync(join(CORPUS_DIR, item.name)));
});

describe('retrieve', () => {
  const log = realOutput('log-express-debug').text;

  it('matches any term, case-insensitively, and quoted phrases as a whole', async () => {
    expect(queryTerms('ERROR "connection refused"  timeout')).toEqual([
      'error',
      'connection refused',
      'timeout',
    ]);
    const id = await store.put(
      'alpha ok\nBeta failed\ngamma ok\nconnection refused here\nrefused connection\n',
    );
    const result = await readOriginal(store, id, { query: 'beta "connection refused"' });
    expect(result.found && result.text).toBe('2: Beta failed\n4: connection refused here');
  });

  it('pages a huge original on line boundaries, and the pages join back to the original', async () => {
    const id = await store.put(log);
    const pages: string[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const result = await readOriginal(store, id, { offset, maxChars: MODEL_PAGE_CHARS });
      if (!result.found) throw new Error(result.message);
      expect(result.text.length).toBeLessThanOrEqual(MODEL_PAGE_CHARS);
      if (result.nextOffset !== null) expect(result.text.endsWith('\n')).toBe(true);
      pages.push(result.text);
      offset = result.nextOffset;
    }
    expect(log.length).toBeGreaterThan(3 * MODEL_PAGE_CHARS);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(log.length / MODEL_PAGE_CHARS));
    expect(pages.join('')).toBe(log);
  });

  it('tells the model how to read on when a page is cut', async () => {
    const id = await store.put(log);
    const { content } = await answerRetrieveCall({ id }, store);
    expect(content.length).toBeLessThan(MODEL_PAGE_CHARS + 200);
    expect(content).toMatch(
      new RegExp(
        `\\[headroom: characters 0-\\d+ of ${log.length} shown; call headroom_retrieve again with offset=\\d+`,
      ),
    );
    expect(MARKER_PATTERN.test(content.slice(-200))).toBe(false);
  });

  it('answers an unknown id with a "not available" result rather than an error', async () => {
    const result = await readOriginal(store, 'hr_000000000000');
    expect(result).toMatchObject({ found: false, reason: 'not-stored' });
    expect(!result.found && result.message).toContain(store.location);
    const answer = await answerRetrieveCall({ id: 'hr_000000000000' }, store);
    expect(answer.content).toBe(
      '[headroom: original hr_000000000000 is not available (expired or never stored); continue with the shortened text]',
    );
    expect(answer.retrieval).toEqual({ id: 'hr_000000000000', bytes: answer.content.length, found: false });
    expect(await readOriginal(store, '../../etc/passwd')).toMatchObject({
      found: false,
      reason: 'invalid-id',
    });
  });

  it('says so when a query matches nothing, and counts what it sent', async () => {
    const id = await store.put(log);
    const lines = lineCount(log);
    const none = await answerRetrieveCall({ id, query: 'zebra-unicorn' }, store);
    expect(none.content).toBe(
      `[headroom: 0 of ${lines} lines of ${id} match "zebra-unicorn"; call without query for the whole text]`,
    );
    const some = await answerRetrieveCall({ id, query: 'RangeError' }, store);
    expect(some.content.split('\n')[0]).toMatch(
      new RegExp(`^\\[headroom: \\d+ of ${lines} lines of ${id} match "RangeError"\\]$`),
    );
    expect(some.retrieval).toEqual({ id, bytes: Buffer.byteLength(some.content), found: true });
  });

  it('filters a JSON array by item, numbering items like array indexes', async () => {
    const packages = realOutput('json-npm-query-root-deps').text;
    const id = await store.put(packages);
    const result = await readOriginal(store, id, { query: 'zod' });
    expect(result).toMatchObject({
      found: true,
      unit: 'items',
      total: (JSON.parse(packages) as unknown[]).length,
    });
    expect(result.found && result.text.split('\n').every((entry) => /^\[\d+\] \{/.test(entry))).toBe(true);
  });

  it('returns a small original whole with nothing added', async () => {
    const id = await store.put('short original\n');
    expect(formatForModel(await readOriginal(store, id, { maxChars: MODEL_PAGE_CHARS }))).toBe(
      'short original\n',
    );
  });
});
