// Turns token counts into money with the price table. Unknown models have no price (undefined),
// never zero, so a report can show "—" instead of a false $0.00.

import { type ModelPrice, PRICE_TABLE } from './prices.js';

const compiled = PRICE_TABLE.models.map((row) => ({
  row,
  re: new RegExp(`^(?:[\\w.-]+/)?${row.match}`, 'i'),
}));

// Reports price every request; agents use a handful of model ids, so each is matched once.
const matched = new Map<string, ModelPrice | undefined>();

/** The price row for a model id (a provider prefix such as `anthropic/` is ignored), or undefined. */
export function priceFor(model: string | null | undefined): ModelPrice | undefined {
  if (!model) return undefined;
  if (!matched.has(model)) {
    if (matched.size > 1000) matched.clear();
    matched.set(model, compiled.find(({ re }) => re.test(model))?.row);
  }
  return matched.get(model);
}

export interface UsageForCost {
  model: string | null | undefined;
  inputTokens?: number | null;
  outputTokens?: number | null;
  cacheReadTokens?: number | null;
  cacheWriteTokens?: number | null;
}

/** What a request cost as the provider billed it, or undefined for an unknown model. */
export function requestCost(u: UsageForCost): number | undefined {
  const p = priceFor(u.model);
  if (!p) return undefined;
  return (
    ((u.inputTokens ?? 0) * p.input +
      (u.outputTokens ?? 0) * p.output +
      (u.cacheReadTokens ?? 0) * p.cacheRead +
      (u.cacheWriteTokens ?? 0) * p.cacheWrite) /
    1e6
  );
}

/**
 * Money saved by removing `tokensBefore - tokensAfter` tokens from a request. Cache-aware: the share
 * of the prompt the provider served from cache is valued at the cache-read price, the rest at the
 * input price, because removed tokens that would have been cache hits were cheap to begin with.
 */
export function moneySaved(
  u: UsageForCost & { tokensBefore?: number | null; tokensAfter?: number | null },
): number | undefined {
  const p = priceFor(u.model);
  if (!p) return undefined;
  const removed = Math.max(0, (u.tokensBefore ?? 0) - (u.tokensAfter ?? 0));
  if (removed === 0) return 0;
  const prompt = (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
  const cachedShare = prompt > 0 ? (u.cacheReadTokens ?? 0) / prompt : 0;
  return (removed * (cachedShare * p.cacheRead + (1 - cachedShare) * p.input)) / 1e6;
}
