// Simulates a provider's prompt cache over the requests of one session and prices what it would bill, so a
// benchmark can compare the same session sent direct and through the proxy as the provider would charge it.
//
// A request is a list of prompt segments in the order the provider reads them (tools, system, messages),
// counted with `countTokens` for the model. Anthropic reads a cache entry only where an earlier request put a
// `cache_control` breakpoint (looking back up to 20 blocks from each of this request's breakpoints) and writes
// everything from there to this request's last breakpoint; what follows the last breakpoint is plain input.
// OpenAI caches automatically: the read is the longest prefix shared with an earlier request, rounded down to
// 1,024 tokens plus a multiple of 128; the rest of the prompt is written (billed at the input price).

import { createHash } from 'node:crypto';
import { countTokens } from '../compress/tokens.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { requestCost } from '../stats/money.js';

/** One piece of a prompt as the provider caches it: a tool, a system block, a message block, an input item. */
export interface PromptSegment {
  text: string;
  /** A `cache_control` breakpoint closes this segment (Anthropic). */
  breakpoint?: boolean;
}

/** How a provider's cache decides what a request reads from it. */
export interface CacheRules {
  /** `breakpoints`: reads start only where an earlier request put a breakpoint; `prefix`: anywhere. */
  reads: 'breakpoints' | 'prefix';
  /** Shortest prefix the provider caches. */
  minTokens: number;
  /** A `prefix` read is `minTokens` plus a multiple of this. */
  increment: number;
  /** How many segments before each breakpoint a `breakpoints` read may start. */
  lookback: number;
  /** An entry lives this long after it was last written or read. */
  lifetimeMs: number;
}

const FIVE_MINUTES = 5 * 60_000;

/** Anthropic's prompt caching with 5-minute `ephemeral` breakpoints (1,024-token minimum of Sonnet and Opus). */
export const ANTHROPIC_CACHE: CacheRules = {
  reads: 'breakpoints',
  minTokens: 1024,
  increment: 1,
  lookback: 20,
  lifetimeMs: FIVE_MINUTES,
};

/** OpenAI's automatic prefix caching with in-memory retention (5 to 10 minutes idle; the shorter is taken). */
export const OPENAI_CACHE: CacheRules = {
  reads: 'prefix',
  minTokens: 1024,
  increment: 128,
  lookback: 0,
  lifetimeMs: FIVE_MINUTES,
};

/** What one request costs in prompt tokens, split the way the provider bills them. */
export interface CachedUsage {
  /** Tokens served from the cache. */
  cacheRead: number;
  /** Tokens written to the cache (up to the last breakpoint; the whole unread prompt for OpenAI). */
  cacheWrite: number;
  /** Tokens after the last breakpoint, billed at the plain input price. */
  input: number;
  /** All prompt tokens: `cacheRead + cacheWrite + input`. */
  total: number;
}

interface Prompt {
  texts: string[];
  /** `chain[i]`: digest of segments 0..i, so two prompts agree up to i exactly when their `chain[i]` does. */
  chain: string[];
  /** `ends[i]`: tokens of segments 0..i. */
  ends: number[];
}

interface Entry {
  /** The request that wrote the entry (OpenAI compares prompts against it). */
  prompt: Prompt;
  expiresAt: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The prompt cache of one session at one provider: feed it the session's requests in order, each with the
 * time it was sent, and it says what each one reads, writes and pays as plain input.
 */
export class PromptCache {
  private readonly entries = new Map<string, Entry>();
  private readonly tokens = new Map<string, number>();
  private readonly digests = new Map<string, string>();

  constructor(
    private readonly rules: CacheRules,
    private readonly model: string,
  ) {}

  /** Bill a request sent at `atMs` (any clock, increasing over the session). */
  bill(segments: readonly PromptSegment[], atMs: number): CachedUsage {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= atMs) this.entries.delete(key);
    const prompt = this.prompt(segments);
    const total = prompt.ends.at(-1) ?? 0;
    return this.rules.reads === 'breakpoints'
      ? this.billAtBreakpoints(segments, prompt, total, atMs)
      : this.billPrefix(prompt, total, atMs);
  }

  private billAtBreakpoints(
    segments: readonly PromptSegment[],
    prompt: Prompt,
    total: number,
    atMs: number,
  ): CachedUsage {
    const breakpoints = segments
      .map((segment, i) => (segment.breakpoint && prompt.ends[i]! >= this.rules.minTokens ? i : -1))
      .filter((i) => i >= 0);
    const last = breakpoints.at(-1);
    if (last === undefined) return { cacheRead: 0, cacheWrite: 0, input: total, total };
    let readAt = -1;
    for (const breakpoint of breakpoints) {
      for (let i = breakpoint; i >= Math.max(0, breakpoint - this.rules.lookback); i--) {
        if (i > readAt && this.entries.has(prompt.chain[i]!)) readAt = i;
      }
    }
    const cacheRead = readAt >= 0 ? prompt.ends[readAt]! : 0;
    const expiresAt = atMs + this.rules.lifetimeMs;
    for (const at of readAt >= 0 ? [readAt, ...breakpoints] : breakpoints) {
      this.entries.set(prompt.chain[at]!, { prompt, expiresAt });
    }
    const cacheWrite = prompt.ends[last]! - cacheRead;
    return { cacheRead, cacheWrite, input: total - cacheRead - cacheWrite, total };
  }

  private billPrefix(prompt: Prompt, total: number, atMs: number): CachedUsage {
    let shared = 0;
    let source: string | undefined;
    for (const [key, entry] of this.entries) {
      const tokens = this.sharedTokens(entry.prompt, prompt);
      if (tokens > shared) [shared, source] = [tokens, key];
    }
    const { minTokens, increment } = this.rules;
    const cacheRead =
      shared >= minTokens ? minTokens + Math.floor((shared - minTokens) / increment) * increment : 0;
    const expiresAt = atMs + this.rules.lifetimeMs;
    if (source !== undefined && cacheRead > 0) this.entries.get(source)!.expiresAt = expiresAt;
    const last = prompt.chain.length - 1;
    if (last >= 0) this.entries.set(prompt.chain[last]!, { prompt, expiresAt });
    return { cacheRead, cacheWrite: total - cacheRead, input: 0, total };
  }

  /** Tokens at the start of `b` that `a` also starts with: whole segments, then the common start of the next. */
  private sharedTokens(a: Prompt, b: Prompt): number {
    let low = 0;
    let high = Math.min(a.chain.length, b.chain.length);
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (a.chain[mid - 1] === b.chain[mid - 1]) low = mid;
      else high = mid - 1;
    }
    const whole = low > 0 ? b.ends[low - 1]! : 0;
    const next = b.texts[low];
    const other = a.texts[low];
    if (next === undefined || other === undefined) return whole;
    let common = 0;
    while (common < next.length && common < other.length && next[common] === other[common]) common++;
    // The token that straddles the first difference is not shared.
    return whole + Math.max(0, this.count(next.slice(0, common)) - 1);
  }

  private prompt(segments: readonly PromptSegment[]): Prompt {
    const texts = segments.map((segment) => segment.text);
    const chain: string[] = [];
    const ends: number[] = [];
    let link = '';
    let sum = 0;
    for (const text of texts) {
      link = digest(`${link}\n${this.digestOf(text)}`);
      sum += this.countCached(text);
      chain.push(link);
      ends.push(sum);
    }
    return { texts, chain, ends };
  }

  private digestOf(text: string): string {
    let value = this.digests.get(text);
    if (value === undefined) {
      value = digest(text);
      this.digests.set(text, value);
    }
    return value;
  }

  // Sessions resend their history every turn: each segment is counted once.
  private countCached(text: string): number {
    let value = this.tokens.get(text);
    if (value === undefined) {
      value = this.count(text);
      this.tokens.set(text, value);
    }
    return value;
  }

  private count(text: string): number {
    return countTokens(text, this.model);
  }
}

/** JSON with sorted keys and no `cache_control`: what a block says, whatever order the client wrote it in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isObject(value)) return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(value)
    .filter((key) => key !== 'cache_control')
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
}

const hasBreakpoint = (value: unknown) => isObject(value) && value.cache_control !== undefined;

/** Text content is a text block, as the Messages API reads it. */
function blocksOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** An Anthropic Messages body as the cache reads it: tools, then system blocks, then message blocks. */
export function anthropicPrompt(body: WireObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    segments.push({ text: canonical(tool), breakpoint: hasBreakpoint(tool) });
  }
  for (const block of blocksOf(body.system)) {
    segments.push({ text: canonical(block), breakpoint: hasBreakpoint(block) });
  }
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(message)) continue;
    blocksOf(message.content).forEach((block, i) => {
      const text = i === 0 ? `${String(message.role)}:${canonical(block)}` : canonical(block);
      segments.push({ text, breakpoint: hasBreakpoint(block) });
    });
  }
  return segments;
}

/** An OpenAI Responses body as the cache reads it: tools, instructions, then input items (ids aside). */
export function responsesPrompt(body: WireObject): PromptSegment[] {
  const segments: PromptSegment[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) segments.push({ text: canonical(tool) });
  if (typeof body.instructions === 'string' && body.instructions) segments.push({ text: body.instructions });
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  for (const item of Array.isArray(input) ? input : []) {
    // Item ids name the item for the API; the model never reads them.
    const text = isObject(item)
      ? canonical(Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'id')))
      : canonical(item);
    segments.push({ text });
  }
  return segments;
}

/** What a request with this usage costs at the model's prices, or undefined for a model without a price. */
export function billedCost(usage: CachedUsage, outputTokens: number, model: string): number | undefined {
  return requestCost({
    model,
    inputTokens: usage.input,
    cacheReadTokens: usage.cacheRead,
    cacheWriteTokens: usage.cacheWrite,
    outputTokens,
  });
}
