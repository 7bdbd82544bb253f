// The contract every originals backend meets: the embedded SQLite file today, a shared one later.
// Callers (proxy, library, CLI) depend on this interface only, never on a backend.

/** One original a transform shortened, as the compression engine returns it. */
export interface Original {
  id: string;
  text: string;
}

/** Counts describing what a store holds. */
export interface OriginalStoreStats {
  /** Where the store lives (a file path, or a URL for a shared backend). */
  location: string;
  originals: number;
  /** UTF-8 size of the originals as given. */
  rawBytes: number;
  /** Size they take at rest (compressed); the size cap counts this. */
  storedBytes: number;
}

/** Content-addressed keeping of originals so compressed text can be reversed later. */
export interface OriginalStore {
  /** Where the store lives, for messages that tell a user where to look. */
  readonly location: string;
  /** Keep `text` and return its id; keeping the same text again only refreshes its last access. */
  put(text: string): string;
  /** Keep several originals (ids as computed by the engine, re-checked here). */
  putMany(originals: Iterable<Original>): void;
  /** The original for `id`, refreshing its last access; undefined when unknown or expired. */
  get(id: string): string | undefined;
  has(id: string): boolean;
  stats(): OriginalStoreStats;
  close(): void;
}
