// Price table for the models agents use, in USD per million tokens. Data only: update it when
// providers change prices, and bump `asOf`. Rows are matched in order; the first pattern that
// matches the model id wins, so more specific patterns come first.

export interface ModelPrice {
  /** Regular expression source matched against the model id (case-insensitive, anchored at the start). */
  match: string;
  provider: 'anthropic' | 'openai' | 'google';
  input: number;
  output: number;
  /** Price of writing a prompt-cache entry (Anthropic 5-minute writes); equals `input` where writes are not billed apart. */
  cacheWrite: number;
  /** Price of input tokens served from the prompt cache. */
  cacheRead: number;
}

export const PRICE_TABLE = {
  asOf: '2026-11-25',
  currency: 'USD per million tokens',
  sources: [
    'https://platform.claude.com/docs/en/about-claude/pricing',
    'https://developers.openai.com/api/docs/pricing',
    'https://ai.google.dev/gemini-api/docs/pricing',
  ],
  models: [
    {
      match: 'claude-(opus-4-(5|6|7|8)|opus-5)',
      provider: 'anthropic',
      input: 5,
      output: 25,
      cacheWrite: 6.25,
      cacheRead: 0.5,
    },
    {
      match: 'claude-(opus-4|3-opus)',
      provider: 'anthropic',
      input: 15,
      output: 75,
      cacheWrite: 18.75,
      cacheRead: 1.5,
    },
    {
      match: 'claude-(sonnet-4|3-7-sonnet|3-5-sonnet)',
      provider: 'anthropic',
      input: 3,
      output: 15,
      cacheWrite: 3.75,
      cacheRead: 0.3,
    },
    { match: 'claude-haiku-4', provider: 'anthropic', input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
    {
      match: 'claude-3-5-haiku',
      provider: 'anthropic',
      input: 0.8,
      output: 4,
      cacheWrite: 1,
      cacheRead: 0.08,
    },
    {
      match: 'claude-3-haiku',
      provider: 'anthropic',
      input: 0.25,
      output: 1.25,
      cacheWrite: 0.3,
      cacheRead: 0.03,
    },
    { match: 'gpt-5\\.5', provider: 'openai', input: 5, output: 30, cacheWrite: 5, cacheRead: 0.5 },
    {
      match: 'gpt-5\\.4-mini',
      provider: 'openai',
      input: 0.75,
      output: 4.5,
      cacheWrite: 0.75,
      cacheRead: 0.075,
    },
    {
      match: 'gpt-5\\.4-nano',
      provider: 'openai',
      input: 0.2,
      output: 1.25,
      cacheWrite: 0.2,
      cacheRead: 0.02,
    },
    { match: 'gpt-5\\.4', provider: 'openai', input: 2.5, output: 15, cacheWrite: 2.5, cacheRead: 0.25 },
    {
      match: 'gpt-5(\\.\\d)?-mini',
      provider: 'openai',
      input: 0.25,
      output: 2,
      cacheWrite: 0.25,
      cacheRead: 0.025,
    },
    {
      match: 'gpt-5(\\.\\d)?-nano',
      provider: 'openai',
      input: 0.05,
      output: 0.4,
      cacheWrite: 0.05,
      cacheRead: 0.005,
    },
    { match: 'gpt-5', provider: 'openai', input: 1.25, output: 10, cacheWrite: 1.25, cacheRead: 0.125 },
    { match: 'gpt-4\\.1-mini', provider: 'openai', input: 0.4, output: 1.6, cacheWrite: 0.4, cacheRead: 0.1 },
    {
      match: 'gpt-4\\.1-nano',
      provider: 'openai',
      input: 0.1,
      output: 0.4,
      cacheWrite: 0.1,
      cacheRead: 0.025,
    },
    { match: 'gpt-4\\.1', provider: 'openai', input: 2, output: 8, cacheWrite: 2, cacheRead: 0.5 },
    {
      match: 'gpt-4o-mini',
      provider: 'openai',
      input: 0.15,
      output: 0.6,
      cacheWrite: 0.15,
      cacheRead: 0.075,
    },
    { match: 'gpt-4o', provider: 'openai', input: 2.5, output: 10, cacheWrite: 2.5, cacheRead: 1.25 },
    { match: 'o4-mini', provider: 'openai', input: 1.1, output: 4.4, cacheWrite: 1.1, cacheRead: 0.275 },
    { match: 'o3-mini', provider: 'openai', input: 1.1, output: 4.4, cacheWrite: 1.1, cacheRead: 0.55 },
    { match: 'o3', provider: 'openai', input: 2, output: 8, cacheWrite: 2, cacheRead: 0.5 },
    {
      match: 'gemini-3\\.5-flash',
      provider: 'google',
      input: 1.5,
      output: 9,
      cacheWrite: 1.5,
      cacheRead: 0.15,
    },
    { match: 'gemini-3(\\.1)?-pro', provider: 'google', input: 2, output: 12, cacheWrite: 2, cacheRead: 0.2 },
    {
      match: 'gemini-3(\\.1)?-flash-lite',
      provider: 'google',
      input: 0.25,
      output: 1.5,
      cacheWrite: 0.25,
      cacheRead: 0.025,
    },
    { match: 'gemini-3-flash', provider: 'google', input: 0.5, output: 3, cacheWrite: 0.5, cacheRead: 0.05 },
    {
      match: 'gemini-2\\.5-pro',
      provider: 'google',
      input: 1.25,
      output: 10,
      cacheWrite: 1.25,
      cacheRead: 0.125,
    },
    {
      match: 'gemini-2\\.5-flash-lite',
      provider: 'google',
      input: 0.1,
      output: 0.4,
      cacheWrite: 0.1,
      cacheRead: 0.01,
    },
    {
      match: 'gemini-2\\.5-flash',
      provider: 'google',
      input: 0.3,
      output: 2.5,
      cacheWrite: 0.3,
      cacheRead: 0.03,
    },
  ] satisfies ModelPrice[],
};
