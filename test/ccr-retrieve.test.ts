import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMarker, MARKER_PATTERN, originalId } from '../src/compress/marker.js';
import { countTokens } from '../src/compress/tokens.js';
import { formatNamed } from '../src/formats/index.js';
import type { FormatName } from '../src/formats/types.js';
import type { WireObject } from '../src/formats/wire.js';
import { retrieveToolDefinition as definitionIn, withRetrieveTool as offer } from '../src/retrieve/loop.js';
import {
  answerRetrieveCall,
  formatForModel,
  MODEL_PAGE_CHARS,
  queryTerms,
  readOriginal,
} from '../src/retrieve/read.js';
import {
  hasRetrieveTool,
  RETRIEVE_TOOL_NAME,
  requestHasMarkers,
  shouldOfferRetrieveTool,
} from '../src/retrieve/tool.js';
import { openOriginalStore } from '../src/store/index.js';
import type { OriginalStore } from '../src/store/types.js';
import { CORPUS_DIR, type CorpusItem, corpusItems, describeWithCorpus } from './helpers/corpus.js';
import { lineCount, realOutput, realOutputs } from './helpers/real-outputs.js';

const retrieveToolDefinition = (format: FormatName) => definitionIn(formatNamed(format));
const withRetrieveTool = (body: WireObject, format: FormatName) => offer(formatNamed(format), body);

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

describe('the headroom_retrieve tool', () => {
  const marker = formatMarker('1,940 of 2,000 lines omitted', originalId('x'));
  const anthropicBody = {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: {} } }],
    messages: [
      { role: 'user', content: 'why did the job fail?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'job.log' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `INFO start\n${marker}` }],
      },
    ],
  };
  const chatBody = {
    model: 'gpt-4.1',
    messages: [{ role: 'tool', tool_call_id: 'call_1', content: `x\n${marker}` }],
    tool_choice: 'none',
  };
  const responsesBody = {
    model: 'gpt-5-codex',
    tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
    input: [{ type: 'function_call_output', call_id: 'call_1', output: 'no markers here' }],
  };

  it('costs under 110 tokens in every wire shape', async () => {
    for (const format of ['anthropic', 'openai-chat', 'openai-responses'] as const) {
      expect(countTokens(JSON.stringify(retrieveToolDefinition(format)), 'o200k_base')).toBeLessThan(110);
    }
  });

  it('is appended last, once, in the shape of each API', async () => {
    const anthropic = withRetrieveTool(anthropicBody, 'anthropic');
    expect(anthropic.tools).toEqual([...anthropicBody.tools, retrieveToolDefinition('anthropic')]);
    expect((anthropic.tools as Array<{ name: string }>).at(-1)?.name).toBe(RETRIEVE_TOOL_NAME);
    expect(withRetrieveTool(anthropic, 'anthropic')).toBe(anthropic);
    expect(anthropicBody.tools).toHaveLength(1);

    const responses = withRetrieveTool(responsesBody, 'openai-responses');
    expect(responses.tools).toEqual([
      ...responsesBody.tools,
      expect.objectContaining({ type: 'function', name: RETRIEVE_TOOL_NAME, strict: false }),
    ]);
    expect(hasRetrieveTool(responses)).toBe(true);
    expect(hasRetrieveTool(responsesBody)).toBe(false);
  });

  it('creates tools when absent and leaves tool_choice as the client set it', async () => {
    const chat = withRetrieveTool(chatBody, 'openai-chat');
    expect(chat.tools).toEqual([
      { type: 'function', function: expect.objectContaining({ name: RETRIEVE_TOOL_NAME }) },
    ]);
    expect(chat.tool_choice).toBe('none');
    const anthropicNone = withRetrieveTool({ ...anthropicBody, tool_choice: { type: 'none' } }, 'anthropic');
    expect(anthropicNone.tool_choice).toEqual({ type: 'none' });
  });

  it('produces the same bytes on every call, so the cached prefix stays stable', async () => {
    const first = JSON.stringify(withRetrieveTool(anthropicBody, 'anthropic'));
    const second = JSON.stringify(withRetrieveTool(structuredClone(anthropicBody), 'anthropic'));
    expect(second).toBe(first);
  });

  it('leaves a tools field of unknown shape alone', async () => {
    const odd = { messages: [], tools: { not: 'an array' } };
    expect(withRetrieveTool(odd, 'anthropic')).toBe(odd);
  });

  it('sees markers in messages and input but not in tool definitions', async () => {
    expect(requestHasMarkers(anthropicBody)).toBe(true);
    expect(requestHasMarkers(chatBody)).toBe(true);
    expect(requestHasMarkers(responsesBody)).toBe(false);
    expect(requestHasMarkers(withRetrieveTool(responsesBody, 'openai-responses'))).toBe(false);
  });

  it('is offered when compression is on and the request has tools or markers', async () => {
    expect(shouldOfferRetrieveTool(responsesBody, true)).toBe(true);
    expect(shouldOfferRetrieveTool(chatBody, true)).toBe(true);
    expect(shouldOfferRetrieveTool({ messages: [{ role: 'user', content: 'hi' }] }, true)).toBe(false);
    expect(shouldOfferRetrieveTool(anthropicBody, false)).toBe(false);
  });
});
