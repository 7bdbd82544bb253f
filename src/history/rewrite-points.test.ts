import { describe, expect, it } from 'vitest';
import type { ConversationState } from '../store/types.js';
import { breakEven, cachePrices, conversationId, rewritePoint, sessionOf } from './rewrite-points.js';

const MINUTE = 60_000;
const now = Date.UTC(2026, 0, 5, 9);
const warm: ConversationState = {
  id: 'c',
  lastTs: now - MINUTE,
  lifetimeMs: 5 * MINUTE,
  cacheRead: 40_000,
  cacheWrite: 1_000,
  promptTokens: 41_200,
  rewrote: false,
};
const at = (state: ConversationState | undefined, mode: 'off' | 'cold' | 'always' = 'cold') =>
  rewritePoint({ mode, state, now, model: 'claude-sonnet-4-5', contextTokens: 50_000 })?.reason;

describe('rewritePoint', () => {
  it('is none while the cache is warm and the context is under 70% of the window', () => {
    expect(at(warm)).toBeUndefined();
  });

  it('is one once the conversation was idle past its cache lifetime', () => {
    expect(at({ ...warm, lastTs: now - 5 * MINUTE - 1 })).toBe('idle');
    expect(at({ ...warm, lastTs: now - 50 * MINUTE, lifetimeMs: 60 * MINUTE })).toBeUndefined();
  });

  it('is one when the last answer read and wrote nothing of the cache, unless it followed a rewrite', () => {
    const uncached = { ...warm, cacheRead: 0, cacheWrite: 0 };
    expect(at(uncached)).toBe('uncached');
    expect(at({ ...uncached, rewrote: true })).toBeUndefined();
  });

  it('is one, with a warm cache, once the prompt passes 70% of the model window', () => {
    expect(at({ ...warm, promptTokens: 140_001 })).toBe('window');
    expect(
      rewritePoint({ mode: 'cold', state: warm, now, model: 'claude-sonnet-4-5', contextTokens: 0 }),
    ).toEqual(undefined);
  });

  it('is one for a conversation never seen, and never with --history off', () => {
    expect(at(undefined)).toBe('new');
    expect(at(undefined, 'off')).toBeUndefined();
    expect(at(warm, 'always')).toBe('always');
  });
});

describe('breakEven', () => {
  it('rewrites a warm Anthropic cache only when the stubs take out more than half of the tail', () => {
    const prices = cachePrices('claude-sonnet-4-5');
    expect(prices.read).toBeCloseTo(0.1);
    expect(prices.write).toBeCloseTo(1.25);
    // Keep: 10 turns × 0.1 × 100k = 100k. Rewrite: (1.25 + 9 × 0.1) × 40k = 86k.
    const figures = breakEven(100_000, 60_000, prices);
    expect(figures.keepCost).toBeCloseTo(100_000);
    expect(figures.rewriteCost).toBeCloseTo(86_000);
    expect(figures.rewrite).toBe(true);
    expect(breakEven(100_000, 40_000, prices).rewrite).toBe(false);
  });

  it('takes OpenAI writes at the plain input price and reads at its cached discount', () => {
    const prices = cachePrices('gpt-5-codex');
    expect(prices.write).toBe(1);
    expect(prices.read).toBeCloseTo(0.1);
  });
});

describe('conversationId', () => {
  it('names a conversation by its opening, scoped by the session when there is one', () => {
    const opening = ['You are Claude Code.', [{ name: 'Bash' }], [{ role: 'user', content: 'fix it' }]];
    expect(conversationId(opening, undefined)).toBe(conversationId(structuredClone(opening), undefined));
    expect(conversationId(opening, 's1')).not.toBe(conversationId(opening, 's2'));
    expect(conversationId(opening, undefined)).not.toBe(conversationId([...opening, 'other'], undefined));
    expect(sessionOf(conversationId(opening, 'bench:claude-1'))).toBe('bench:claude-1');
    expect(sessionOf(conversationId(opening, undefined))).toBeUndefined();
  });
});
