// Reading originals back: the whole text (paged for the model when huge) or only the lines / JSON items
// that match a query. An unknown or expired id is an answer ("not available"), never an exception.

import { isOriginalId } from '../compress/marker.js';
import type { RetrieveToolInput } from '../formats/types.js';
import type { OriginalStore } from '../store/types.js';
import type { AnsweredTool } from '../tools/types.js';
import { RETRIEVE_TOOL, retrieveInput } from './tool.js';

/** Characters the model gets per answer; a longer original is paged with `offset`. */
export const MODEL_PAGE_CHARS = 50_000;

export interface RetrieveOptions {
  /** Words (or "quoted phrases"); only lines / JSON array items containing any of them come back. */
  query?: string;
  /** Character offset to start from (whole-text reads). */
  offset?: number;
  /** Most characters to return; unlimited when absent. */
  maxChars?: number;
}

/** The original (or the matching part of it) was found. */
export interface RetrievedOriginal {
  found: true;
  id: string;
  /** The original, a page of it, or the matching lines / items (each prefixed with its number). */
  text: string;
  /** Length of the whole original in characters. */
  totalChars: number;
  /** Whole-text reads: where this page starts, and where the next one does (null when this is the end). */
  offset: number;
  nextOffset: number | null;
  /** Query reads: what was asked, how many lines / items matched out of how many, and how many were cut. */
  query?: string;
  unit?: 'lines' | 'items';
  matched?: number;
  total?: number;
  omitted?: number;
}

/** The id is unknown here: expired, evicted, never stored, or not an id at all. */
export interface MissingOriginal {
  found: false;
  id: string;
  reason: 'invalid-id' | 'not-stored';
  /** One line for a person: what is missing and where headroom looked. */
  message: string;
}

export type RetrieveResult = RetrievedOriginal | MissingOriginal;

/** Read an original back from `store` by id, whole or filtered by `query`. */
export async function readOriginal(
  store: OriginalStore,
  id: string,
  options: RetrieveOptions = {},
): Promise<RetrieveResult> {
  if (!isOriginalId(id)) {
    const message = `"${id}" is not a headroom id (hr_ followed by 12 hex digits)`;
    return { found: false, id, reason: 'invalid-id', message };
  }
  const original = await store.get(id);
  if (original === undefined) {
    const message = `no original ${id} in ${store.location} (expired or never stored)`;
    return { found: false, id, reason: 'not-stored', message };
  }
  const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
  const query = options.query?.trim();
  if (query) return { id, ...matching(original, query, maxChars) };
  return { id, ...page(original, Math.max(0, Math.floor(options.offset ?? 0)), maxChars) };
}

function page(original: string, offset: number, maxChars: number) {
  const start = Math.min(offset, original.length);
  let end = Math.min(original.length, start + maxChars);
  if (end < original.length) {
    // End on a line break when one is near, and never between the halves of a surrogate pair.
    const lineEnd = original.lastIndexOf('\n', end - 1);
    if (lineEnd >= start + maxChars / 2) end = lineEnd + 1;
    else if (isHighSurrogate(original.charCodeAt(end - 1))) end -= 1;
  }
  return {
    found: true as const,
    text: original.slice(start, end),
    totalChars: original.length,
    offset: start,
    nextOffset: end < original.length ? end : null,
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Query terms: "quoted phrases" and bare words, lower-cased. */
export function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const m of query.matchAll(/"([^"]+)"|(\S+)/g)) {
    const term = (m[1] ?? m[2] ?? '').trim().toLowerCase();
    if (term) terms.push(term);
  }
  return terms;
}

function jsonArrayItems(original: string): unknown[] | undefined {
  if (!original.trimStart().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(original);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function matching(original: string, query: string, maxChars: number) {
  const terms = queryTerms(query);
  const items = jsonArrayItems(original);
  const unit = items ? ('items' as const) : ('lines' as const);
  // JSON items are numbered from 0 like array indexes, lines from 1 like editors do.
  const units = items
    ? items.map((item, i) => [`[${i}]`, JSON.stringify(item)] as const)
    : numberedLines(original);
  const hits: string[] = [];
  let matched = 0;
  let size = 0;
  let full = false;
  for (const [label, text] of units) {
    const lower = text.toLowerCase();
    if (!terms.some((term) => lower.includes(term))) continue;
    matched += 1;
    const entry = `${label} ${text}`;
    full ||= size + entry.length > maxChars;
    if (full) continue;
    hits.push(entry);
    size += entry.length + 1;
  }
  return {
    found: true as const,
    text: hits.join('\n'),
    totalChars: original.length,
    offset: 0,
    nextOffset: null,
    query,
    unit,
    matched,
    total: units.length,
    omitted: matched - hits.length,
  };
}

function numberedLines(original: string): Array<readonly [string, string]> {
  const lines = original.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => [`${i + 1}:`, line.endsWith('\r') ? line.slice(0, -1) : line] as const);
}

/** The text the model reads as the tool result: the content plus one line saying what it is and what is left. */
export function formatForModel(result: RetrieveResult): string {
  if (!result.found) {
    return result.reason === 'invalid-id'
      ? `[headroom: "${result.id}" is not a headroom id; ids look like hr_ followed by 12 hex digits]`
      : `[headroom: original ${result.id} is not available (expired or never stored); continue with the shortened text]`;
  }
  if (result.query !== undefined) {
    const what = `${result.matched} of ${result.total} ${result.unit} of ${result.id} match "${result.query}"`;
    if (result.matched === 0) return `[headroom: ${what}; call without query for the whole text]`;
    const cut = result.omitted ? `; ${result.omitted} more not shown, use a narrower query` : '';
    return `[headroom: ${what}${cut}]\n${result.text}`;
  }
  if (result.nextOffset === null && result.offset === 0) return result.text;
  const shown = `characters ${result.offset}-${result.offset + result.text.length} of ${result.totalChars} shown`;
  const next =
    result.nextOffset === null
      ? 'this is the end'
      : `call headroom_retrieve again with offset=${result.nextOffset} for more, or with a query`;
  return `${result.text}\n[headroom: ${shown}; ${next}]`;
}

/** What one answered `headroom_retrieve` call cost, for stats. */
export interface Retrieval {
  id: string;
  /** UTF-8 bytes of the answer sent to the model. */
  bytes: number;
  found: boolean;
}

/** Answer one `headroom_retrieve` call as the model will read it, with the figures stats record. */
export async function answerRetrieveCall(
  input: RetrieveToolInput,
  store: OriginalStore,
): Promise<{ content: string; retrieval: Retrieval }> {
  const result = await readOriginal(store, input.id, {
    query: input.query,
    offset: input.offset,
    maxChars: MODEL_PAGE_CHARS,
  });
  const content = formatForModel(result);
  return {
    content,
    retrieval: { id: input.id, bytes: Buffer.byteLength(content, 'utf8'), found: result.found },
  };
}

/** `headroom_retrieve` as a tool the proxy answers, from `store`. */
export function retrieveTool(store: OriginalStore): AnsweredTool {
  return {
    definition: RETRIEVE_TOOL,
    async answer(args) {
      const { content, retrieval } = await answerRetrieveCall(retrieveInput(args), store);
      return { content, retrieval };
    },
  };
}
