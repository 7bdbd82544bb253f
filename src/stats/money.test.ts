// Money from tokens: the dated price table, prices by model family, removed tokens valued at the
// cache-read price for the share served from cache, unknown models unpriced.

import { describe, expect, it } from 'vitest';
import { moneySaved, priceFor, requestCost } from './money.js';
import { PRICE_TABLE } from './prices.js';

describe('price table', () => {
  it('has a date, sources and every provider', () => {
    expect(PRICE_TABLE.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.sources.length).toBeGreaterThan(0);
    const providers = new Set(PRICE_TABLE.models.map((m) => m.provider));
    expect([...providers].sort()).toEqual(['anthropic', 'google', 'openai']);
  });

  it('matches dated model ids to their family, most specific first', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')?.input).toBe(3);
    expect(priceFor('claude-opus-4-1-20250805')?.input).toBe(15);
    expect(priceFor('claude-opus-4-5-20251101')?.input).toBe(5);
    expect(priceFor('claude-haiku-4-5')?.output).toBe(5);
    expect(priceFor('gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(priceFor('gpt-4o-2024-08-06')?.input).toBe(2.5);
    expect(priceFor('gpt-5-mini')?.input).toBe(0.25);
    expect(priceFor('openai/gpt-4.1')?.input).toBe(2);
    expect(priceFor('gemini-2.5-flash-lite')?.input).toBe(0.1);
  });

  it('knows no price for a model it has never heard of', () => {
    expect(priceFor('llama-3-70b')).toBeUndefined();
    expect(requestCost({ model: 'llama-3-70b', inputTokens: 1000 })).toBeUndefined();
    expect(moneySaved({ model: undefined, tokensBefore: 10, tokensAfter: 5 })).toBeUndefined();
  });
});

describe('money', () => {
  it('prices a request from its usage', () => {
    const cost = requestCost({ model: 'claude-sonnet-4-5', inputTokens: 1_000_000, outputTokens: 100_000 });
    expect(cost).toBeCloseTo(3 + 1.5, 6);
  });

  it('values removed tokens at the cache-read price for the share served from cache', () => {
    const uncached = moneySaved({
      model: 'claude-sonnet-4-5',
      tokensBefore: 2_000_000,
      tokensAfter: 1_000_000,
      inputTokens: 1_000_000,
    });
    expect(uncached).toBeCloseTo(3, 6);
    const halfCached = moneySaved({
      model: 'claude-sonnet-4-5',
      tokensBefore: 2_000_000,
      tokensAfter: 1_000_000,
      inputTokens: 500_000,
      cacheReadTokens: 500_000,
    });
    expect(halfCached).toBeCloseTo(0.5 * 3 + 0.5 * 0.3, 6);
  });
});
