// The library's entry points: compress a conversation with the promise that nothing is lost (every original
// a transform shortens is saved to the local store, so `retrieve(id)` gives it back in this process or any
// other), and read an original back. Both use the parts the resolved config describes.

import type { CompressOptions } from './compress/engine.js';
import type { CompressStats, Original } from './compress/results.js';
import { type Config, resolveConfig } from './config.js';
import { HeadroomError } from './errors.js';
import { detectFormat, formatNamed } from './formats/index.js';
import { compressMessages } from './formats/request.js';
import type { FormatName } from './formats/types.js';
import { createHeadroom, type Headroom } from './headroom.js';
import { type RetrieveOptions, type RetrieveResult, readOriginal } from './retrieve/read.js';
import type { OriginalStore } from './store/types.js';

/** Options for {@link compress}: the engine's, the format, and where the originals go. */
export interface LibraryCompressOptions extends CompressOptions {
  /** Wire format of the messages; detected from their shape when `'auto'` or absent. */
  format?: FormatName | 'auto';
  /**
   * Where shortened originals are kept. Default: the local store under the configured cache dir
   * (`HEADROOM_CACHE_DIR`). Pass a store to use that one, or `false` to store nothing and keep
   * `result.originals` yourself (markers then name ids `retrieve()` cannot find).
   */
  store?: OriginalStore | false;
}

/** Result of {@link compress}. */
export interface CompressResult<M = unknown> {
  /** A new array; the input is never mutated, and unchanged messages keep their identity. */
  messages: M[];
  stats: CompressStats;
  originals: Original[];
}

// One set of parts per configuration, kept for the process: the engine remembers what it compressed, so a
// conversation resent every turn costs nothing the second time.
let current: { key: string; headroom: Promise<Headroom> } | undefined;

function headroomFor(config: Config): Promise<Headroom> {
  const key = JSON.stringify(config);
  if (current?.key !== key) {
    const previous = current?.headroom;
    current = { key, headroom: createHeadroom(config) };
    void previous?.then((headroom) => headroom.close());
  }
  return current.headroom;
}

const configured = () => headroomFor(resolveConfig().config);

/**
 * Compress the tool outputs in an Anthropic Messages, OpenAI Chat or OpenAI Responses conversation (or
 * Gemini `contents`). Resolves to new messages, per-block stats and the originals, which are also saved to
 * the local store unless `options.store` is `false`. Deterministic: the same messages and options give the
 * same bytes, so providers' prompt caches keep hitting.
 *
 * @example
 * const { messages, stats } = await compress(conversation, { minTokens: 200 });
 */
export async function compress<M = unknown>(
  messages: readonly M[],
  options: LibraryCompressOptions = {},
): Promise<CompressResult<M>> {
  const { store, format, ...engineOptions } = options;
  const headroom = await configured();
  const wire = format && format !== 'auto' ? formatNamed(format) : detectFormat(messages);
  const whole = store === false ? undefined : await headroom.wholeOutputs();
  const out = compressMessages(await headroom.engine(), wire, messages, {
    sendWhole: whole?.keys,
    ...engineOptions,
  });
  await whole?.keep(out.stats.guarded);
  if (store !== false && out.originals.length > 0) await saveOriginals(out.originals, store);
  return { messages: out.messages, stats: out.stats, originals: out.originals };
}

/**
 * Keep originals (from `compress(…, { store: false })`, say) in `store`, or the store the config names.
 * Throws when the store cannot keep them (a full disk, say): markers must never point at nothing.
 */
export async function saveOriginals(originals: Iterable<Original>, store?: OriginalStore): Promise<void> {
  const target = store ?? (await (await configured()).originals());
  if (!(await target.putMany(originals))) {
    throw new HeadroomError(
      `cannot keep the originals in ${target.location} (is the disk full?); do not send the compressed messages`,
    );
  }
}

/**
 * Read an original back by the id in its marker, whole or only the lines / JSON items matching `query`.
 * An unknown or expired id resolves to `{ found: false, message }`, never an exception.
 */
export async function retrieve(
  id: string,
  options: RetrieveOptions & { store?: OriginalStore } = {},
): Promise<RetrieveResult> {
  const { store, ...read } = options;
  return readOriginal(store ?? (await (await configured()).originals()), id, read);
}
