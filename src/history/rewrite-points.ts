// When a conversation's old turns may change: only where the provider's prompt cache has nothing to lose
// (cold: idle past its lifetime, or nothing cached), or where the context nears the model's window; and
// with a warm cache, only when the rewrite pays for itself over the next turns. Pure: state and clock in.

import { createHash } from 'node:crypto';
import type { HistoryMode } from '../config.js';
import { priceFor } from '../stats/money.js';
import type { ConversationState } from '../store/types.js';
import { contextWindow } from './windows.js';

/** Why a request is a rewrite point. */
export type RewriteReason = 'new' | 'idle' | 'uncached' | 'window' | 'always';

export interface RewritePoint {
  reason: RewriteReason;
  /** The provider may still hold the prefix: rewriting costs a cache write, so it must pay (`breakEven`). */
  warm: boolean;
}

/** Share of the model's window past which old turns are rewritten whatever the cache holds. */
export const WINDOW_SHARE = 0.7;

const HASH_CHARS = 20;

/** The id of a conversation: its session (when the agent names one) and a hash of what opens it. */
export function conversationId(opening: unknown, session: string | undefined): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(opening ?? null))
    .digest('hex')
    .slice(0, HASH_CHARS);
  return session ? `${session}:${hash}` : hash;
}

/** The session a conversation id was made in, or undefined for one that came without. */
export function sessionOf(conversation: string): string | undefined {
  return conversation.length > HASH_CHARS ? conversation.slice(0, -HASH_CHARS - 1) : undefined;
}

export interface PointInput {
  mode: HistoryMode;
  /** The conversation's state after its previous request; undefined when none is known. */
  state: ConversationState | undefined;
  now: number;
  model: string | undefined;
  /** The request's prompt size as estimated from its bytes as the agent wrote them (tokens). */
  contextTokens: number;
}

/** Whether this request is a rewrite point, and why; undefined between rewrite points. */
export function rewritePoint({
  mode,
  state,
  now,
  model,
  contextTokens,
}: PointInput): RewritePoint | undefined {
  if (mode === 'off') return undefined;
  // Unknown: new, or not seen for longer than the state is kept (past every cache's lifetime).
  if (!state) return { reason: 'new', warm: false };
  if (now - state.lastTs > state.lifetimeMs) return { reason: 'idle', warm: false };
  // A rewrite's own answer reads nothing of its new prefix: automatic caches write it without saying so.
  if (!state.rewrote && state.cacheRead === 0 && state.cacheWrite === 0)
    return { reason: 'uncached', warm: false };
  // The upstream's count of the last prompt as sent (compressed) beats an estimate from uncompressed bytes.
  const size = state.promptTokens > 0 ? state.promptTokens : contextTokens;
  if (size >= WINDOW_SHARE * contextWindow(model)) return { reason: 'window', warm: true };
  if (mode === 'always') return { reason: 'always', warm: true };
  return undefined;
}

/** Cache prices relative to the model's input price. */
export interface CachePrices {
  read: number;
  write: number;
}

/** Anthropic bills a 5-minute cache write at 1.25× input and a read at 0.1×; unknown models are taken so. */
const DEFAULT_PRICES: CachePrices = { read: 0.1, write: 1.25 };

/** The cache prices of `model`, from the price table (OpenAI and Gemini writes cost plain input). */
export function cachePrices(model: string | undefined): CachePrices {
  const price = priceFor(model);
  if (!price || price.input <= 0) return DEFAULT_PRICES;
  return { read: price.cacheRead / price.input, write: price.cacheWrite / price.input };
}

/** Turns a rewrite is expected to serve: the decision is kept, so every later turn reads the shorter prefix. */
export const HORIZON_TURNS = 10;

export interface BreakEven {
  /** Tokens of the prompt from the first changed output on (what a rewrite makes the provider write again). */
  tokensAfter: number;
  /** Tokens the stubs take out. */
  saved: number;
  prices: CachePrices;
  /** Cost over the horizon, in input-token units: keeping the cached prefix, and rewriting it. */
  keepCost: number;
  rewriteCost: number;
  rewrite: boolean;
}

/**
 * The break-even of a rewrite on a warm cache, in input-token units over `HORIZON_TURNS` turns. Keeping
 * reads the cached tail every turn: `turns × read × tail`. Rewriting writes the shorter tail once, then reads
 * it: `write × (tail − saved) + (turns − 1) × read × (tail − saved)`.
 */
export function breakEven(tokensAfter: number, saved: number, prices: CachePrices): BreakEven {
  const shorter = Math.max(0, tokensAfter - saved);
  const keepCost = HORIZON_TURNS * prices.read * tokensAfter;
  const rewriteCost = prices.write * shorter + (HORIZON_TURNS - 1) * prices.read * shorter;
  return { tokensAfter, saved, prices, keepCost, rewriteCost, rewrite: rewriteCost < keepCost };
}
