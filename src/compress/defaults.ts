// The engine's defaults, defined once: the config's defaults and every engine left unconfigured use these.

export const ENGINE_DEFAULTS = {
  /** Tool outputs under this many tokens pass untouched. */
  minTokens: 300,
  /** A source file read goes to the code transform above this many lines or tokens; smaller ones pass whole. */
  codeMinLines: 250,
  codeMinTokens: 3000,
  /**
   * Characters of tool output the transforms may work through per request, in conversation order; outputs
   * reached after it pass untouched. It depends on the request alone, so every machine decides alike.
   */
  budgetBytes: 32 * 1024 * 1024,
  /**
   * Characters past which one tool output passes untouched whatever budget is left: it bounds the time one
   * block holds a compression thread, and no model takes a single output that size in its window anyway.
   */
  maxBlockBytes: 8 * 1024 * 1024,
  /**
   * A fail-safe, not a budget: milliseconds of transform work per request past which the outputs not yet
   * decided pass untouched. Those are reported so the caller can keep them whole on every later request.
   */
  budgetMs: 2000,
  /** Results kept per engine so a conversation resent every turn costs nothing the second time. */
  memoEntries: 512,
} as const;

/** What `disableTransforms` can name: every registered transform, and `dedup` (repeats of earlier outputs). */
export const SWITCHABLE_TRANSFORMS = [
  'json',
  'diff',
  'html',
  'search',
  'logs',
  'code',
  'paths',
  'kompress',
  'text',
  'dedup',
] as const;
