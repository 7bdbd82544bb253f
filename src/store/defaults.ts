// What a store does when the settings leave something out. The config's defaults are these, so a store
// opened from code and one opened by the CLI behave alike.

export const STORE_DEFAULTS = {
  /** The backend: the embedded SQLite files in the cache dir. */
  store: 'sqlite',
  /** Cap on the compressed bytes of originals kept; least recently read go first. */
  maxBytes: 1024 ** 3,
  /** Days an original survives after it was last read or stored. */
  ttlDays: 7,
  /** Originals stored between two eviction passes (a pass also runs on open). */
  evictEvery: 100,
  /** How long recorded stats rows may wait before they are written together. */
  flushMs: 50,
  /** Request rows a shared (Redis) stats store keeps; the oldest are trimmed past it. */
  statsMaxRows: 1_000_000,
  /**
   * Days a conversation turn's memory block is kept after it was first sent. A conversation resumed later
   * than this has long lost its prompt cache, so a block chosen afresh costs nothing.
   */
  turnBlockDays: 30,
} as const;
