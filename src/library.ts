// The library's compress(): the pure engine plus the promise that nothing is lost. Every original a
// transform shortens is saved to the local store, so `retrieve(id)` gives it back in this process or any other.

import { originalId } from './ccr/marker.js';
import { type RetrieveOptions, type RetrieveResult, retrieve as retrieveFrom } from './ccr/retrieve.js';
import {
  type CompressOptions,
  type CompressResult,
  compress as compressMessages,
} from './compress/pipeline.js';
import { resolveConfig } from './config.js';
import { openOriginalStore } from './store/index.js';
import type { Original, OriginalStore } from './store/types.js';

/** Options for {@link compress}: the engine's, plus where the originals go. */
export interface LibraryCompressOptions extends CompressOptions {
  /**
   * Where shortened originals are kept. Default: the local store under the configured cache dir
   * (`HEADROOM_CACHE_DIR`), opened for the call. Pass a store to reuse one, or `false` to store nothing
   * and keep `result.originals` yourself (markers then name ids `retrieve()` cannot find).
   */
  store?: OriginalStore | false;
}

/** Options for {@link retrieve}: which part of the original, and the store to read. */
export interface LibraryRetrieveOptions extends Omit<RetrieveOptions, 'store'> {
  /** Store to read; when absent the default store under the configured cache dir is opened and closed. */
  store?: OriginalStore;
}

/** Run `use` with `store`, or with the store the config names, opened for the call and closed after it. */
async function withOriginalStore<T>(
  store: OriginalStore | undefined,
  use: (store: OriginalStore) => Promise<T>,
): Promise<T> {
  if (store) return use(store);
  const opened = await openOriginalStore(resolveConfig().config);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

/**
 * Compress the tool outputs in an Anthropic Messages, OpenAI Chat or OpenAI Responses conversation (or
 * Gemini `contents`). Resolves with new messages (the input is never mutated), per-block stats and the
 * originals, which are also saved to the local store unless `options.store` is `false`. Deterministic: the
 * same messages and options give the same bytes, so providers' prompt caches keep hitting.
 *
 * @example
 * const { messages, stats } = await compress(conversation, { minTokens: 200 });
 */
export async function compress<M = unknown>(
  messages: readonly M[],
  options: LibraryCompressOptions = {},
): Promise<CompressResult<M>> {
  const { store, ...engine } = options;
  const result = compressMessages(messages, engine);
  if (store !== false && result.originals.length > 0) await saveOriginals(result.originals, store);
  return result;
}

/**
 * Keep every original the engine returned (in `store`, or the store the config names); resolves with
 * their ids.
 */
export async function saveOriginals(originals: Iterable<Original>, store?: OriginalStore): Promise<string[]> {
  const list = [...originals];
  await withOriginalStore(store, (target) => target.putMany(list));
  return list.map((o) => originalId(o.text));
}

/**
 * Read an original back by the id in its marker, whole or only the lines (JSON items) matching `query`.
 * An unknown or expired id resolves with `found: false` and a message, never rejects.
 *
 * @example
 * const hit = await retrieve('hr_3f9a1c2b7d10', { query: 'FATAL' });
 */
export function retrieve(id: string, options: LibraryRetrieveOptions = {}): Promise<RetrieveResult> {
  const { store, ...rest } = options;
  return withOriginalStore(store, (target) => retrieveFrom(id, { ...rest, store: target }));
}
