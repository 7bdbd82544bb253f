// The engine's defaults, defined once: the config's defaults and every engine left unconfigured use these.

export const ENGINE_DEFAULTS = {
  /** Tool outputs under this many tokens pass untouched. */
  minTokens: 300,
  /** Milliseconds of transform work per request; blocks reached after it pass untouched. */
  budgetMs: 200,
  /** Results kept per engine so a conversation resent every turn costs nothing the second time. */
  memoEntries: 512,
} as const;
