// The provider cache simulation: what a request reads, writes and pays as input at Anthropic (breakpoints)
// and OpenAI (automatic prefixes), how bodies become prompt segments, and what the usage costs.

import { describe, expect, it } from 'vitest';
import { countTokens } from '../compress/tokens.js';
import {
  ANTHROPIC_CACHE,
  anthropicPrompt,
  billedCost,
  OPENAI_CACHE,
  PromptCache,
  type PromptSegment,
  responsesPrompt,
} from './cache-sim.js';

const CLAUDE = 'claude-sonnet-4-5-20250929';
const GPT = 'gpt-5.5';

/** A segment of about `words` tokens whose text starts with `tag`. */
const text = (tag: string, words: number) => `${tag}:${' word'.repeat(words)}`;
const tokens = (segments: readonly PromptSegment[], model = CLAUDE) =>
  segments.reduce((sum, s) => sum + countTokens(s.text, model), 0);

const SYSTEM = { text: text('system', 1500), breakpoint: true };
const first = [SYSTEM, { text: text('user', 300), breakpoint: true }];
const second = [...first.map((s) => ({ text: s.text })), { text: text('tool', 600), breakpoint: true }];

describe('Anthropic prompt cache', () => {
  it('writes the prompt up to the last breakpoint, then reads it back on the next turn', () => {
    const cache = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    expect(cache.bill(first, 0)).toEqual({
      cacheRead: 0,
      cacheWrite: tokens(first),
      input: 0,
      total: tokens(first),
    });
    const next = cache.bill(second, 30_000);
    expect(next.cacheRead).toBe(tokens(first));
    expect(next.cacheWrite).toBe(tokens(second) - tokens(first));
  });

  it('reads only where an earlier request put a breakpoint, never into a block that changed', () => {
    const cache = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    cache.bill(first, 0);
    const rewritten = [SYSTEM, { text: `${text('user', 300)} changed` }, { text: 'x', breakpoint: true }];
    const usage = cache.bill(rewritten, 1000);
    expect(usage.cacheRead).toBe(tokens([SYSTEM]));
    expect(usage.cacheWrite).toBe(tokens(rewritten) - tokens([SYSTEM]));
  });

  it('bills what follows the last breakpoint as plain input', () => {
    const cache = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    const trailing = [SYSTEM, { text: text('user', 50) }];
    expect(cache.bill(trailing, 0)).toMatchObject({
      cacheWrite: tokens([SYSTEM]),
      input: tokens(trailing) - tokens([SYSTEM]),
    });
  });

  it('misses once an entry outlives five minutes, and keeps an entry alive while it is read', () => {
    const kept = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    kept.bill(first, 0);
    kept.bill(first, 4 * 60_000);
    expect(kept.bill(first, 8 * 60_000).cacheRead).toBe(tokens(first));
    const expired = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    expired.bill(first, 0);
    expect(expired.bill(first, 5 * 60_000).cacheRead).toBe(0);
  });

  it('caches nothing below 1,024 tokens', () => {
    const cache = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    const short = [{ text: text('system', 200), breakpoint: true }];
    cache.bill(short, 0);
    expect(cache.bill(short, 1000)).toMatchObject({ cacheRead: 0, cacheWrite: 0, input: tokens(short) });
  });

  it('reads an entry at most 20 blocks before a breakpoint', () => {
    const cache = new PromptCache(ANTHROPIC_CACHE, CLAUDE);
    cache.bill(first, 0);
    const blocks = Array.from({ length: 21 }, (_, i) => ({ text: `block ${i}` }));
    const far = [...first.map((s) => ({ text: s.text })), ...blocks, { text: 'end', breakpoint: true }];
    expect(cache.bill(far, 1000).cacheRead).toBe(0);
  });
});

describe('OpenAI prompt cache', () => {
  const opening = [{ text: text('developer', 1500) }, { text: text('user', 100) }];

  it('reads the shared prefix in steps of 128 tokens after the first 1,024', () => {
    const cache = new PromptCache(OPENAI_CACHE, GPT);
    expect(cache.bill(opening, 0)).toMatchObject({ cacheRead: 0, input: 0 });
    const usage = cache.bill([...opening, { text: text('output', 500) }], 1000);
    const shared = tokens(opening, GPT);
    expect(usage.cacheRead).toBe(1024 + Math.floor((shared - 1024) / 128) * 128);
    expect(usage.cacheRead).toBeGreaterThan(shared - 128);
    expect(usage.cacheRead + usage.cacheWrite).toBe(usage.total);
  });

  it('shares a prefix that ends inside an item that changed', () => {
    const cache = new PromptCache(OPENAI_CACHE, GPT);
    cache.bill([{ text: text('developer', 3000) }], 0);
    const usage = cache.bill([{ text: `${text('developer', 2000)} and then something else` }], 1000);
    expect(usage.cacheRead).toBeGreaterThan(1900);
    expect(usage.cacheRead).toBeLessThanOrEqual(2001);
  });

  it('caches nothing shorter than 1,024 shared tokens', () => {
    const cache = new PromptCache(OPENAI_CACHE, GPT);
    cache.bill([{ text: text('developer', 900) }], 0);
    expect(cache.bill([{ text: text('developer', 900) }, { text: 'more' }], 1000).cacheRead).toBe(0);
  });
});

describe('prompt segments', () => {
  it('reads an Anthropic body as tools, system and message blocks, breakpoints where cache_control is', () => {
    const body = {
      model: CLAUDE,
      tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object' } }],
      system: [{ type: 'text', text: 'You are an agent.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'fix it' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 't1', name: 'Read', input: {}, cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    };
    const segments = anthropicPrompt(body);
    expect(segments.map((s) => Boolean(s.breakpoint))).toEqual([false, true, false, true]);
    expect(segments[2]!.text).toBe('user:{"text":"fix it","type":"text"}');
    // A breakpoint moving off a block does not change what the block says.
    const moved = anthropicPrompt({
      ...body,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'fix it', cache_control: {} }] }],
    });
    expect(moved[2]!.text).toBe(segments[2]!.text);
  });

  it('reads a Responses body as tools, instructions and input items, without item ids', () => {
    const segments = responsesPrompt({
      tools: [{ type: 'function', name: 'exec_command' }],
      instructions: 'Be brief.',
      input: [{ type: 'function_call_output', id: 'fco_1', call_id: 'c1', output: 'ok' }],
    });
    expect(segments.map((s) => s.text)).toEqual([
      '{"name":"exec_command","type":"function"}',
      'Be brief.',
      '{"call_id":"c1","output":"ok","type":"function_call_output"}',
    ]);
  });
});

describe('billed cost', () => {
  it('prices cache writes at 1.25x, reads at 0.1x and input at 1x of the input price, output apart', () => {
    const usage = { cacheRead: 1_000_000, cacheWrite: 1_000_000, input: 1_000_000, total: 3_000_000 };
    expect(billedCost(usage, 100_000, CLAUDE)).toBeCloseTo(0.3 + 3.75 + 3 + 1.5, 6);
  });

  it('prices OpenAI writes at the input price, as OpenAI bills no write surcharge', () => {
    const usage = { cacheRead: 1_000_000, cacheWrite: 1_000_000, input: 0, total: 2_000_000 };
    expect(billedCost(usage, 0, GPT)).toBeCloseTo(0.5 + 5, 6);
  });
});
