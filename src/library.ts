// The library's compress(): the pure engine plus the promise that nothing is lost. Every original a
// transform shortens is saved to the local store, so `retrieve(id)` gives it back in this process or any other.

import {
  type CompressOptions,
  type CompressResult,
  compress as compressMessages,
} from './compress/pipeline.js';
import { saveOriginals } from './store/originals.js';
import type { OriginalStore } from './store/types.js';

/** Options for {@link compress}: the engine's, plus where the originals go. */
export interface LibraryCompressOptions extends CompressOptions {
  /**
   * Where shortened originals are kept. Default: the local store under the configured cache dir
   * (`HEADROOM_CACHE_DIR`), opened for the call. Pass a store to reuse one, or `false` to store nothing
   * and keep `result.originals` yourself (markers then name ids `retrieve()` cannot find).
   */
  store?: OriginalStore | false;
}

/**
 * Compress the tool outputs in an Anthropic Messages, OpenAI Chat or OpenAI Responses conversation (or
 * Gemini `contents`). Returns new messages (the input is never mutated), per-block stats and the originals,
 * which are also saved to the local store unless `options.store` is `false`. Deterministic: the same
 * messages and options give the same bytes, so providers' prompt caches keep hitting.
 *
 * @example
 * const { messages, stats } = compress(conversation, { minTokens: 200 });
 */
export function compress<M = unknown>(
  messages: readonly M[],
  options: LibraryCompressOptions = {},
): CompressResult<M> {
  const { store, ...engine } = options;
  const result = compressMessages(messages, engine);
  if (store !== false && result.originals.length > 0) saveOriginals(result.originals, store);
  return result;
}
