// The proxy's single entry into the compression engine: given a conversation request body about to go
// upstream, compress its tool outputs, keep the originals, offer headroom_retrieve, and say what changed.

import { retrieveToolDefinition, shouldOfferRetrieveTool, withRetrieveTool } from '../ccr/tool.js';
import type { BlockStats } from '../compress/pipeline.js';
import { compressRequestBody } from '../compress/pipeline.js';
import type { Config } from '../config.js';
import { isObject, type WireFormat, type WireObject } from '../providers/types.js';
import type { OriginalStore } from '../store/types.js';
import { isTokenCount, type RouteKind } from './routes.js';

export interface CompressionRoute {
  provider: RouteKind;
  path: string;
}

/** What the hook needs besides the body: the settings and the store originals go to. */
export interface CompressionContext {
  config: Config;
  originals: OriginalStore;
}

/** The proxy added headroom_retrieve to the request and must answer the model's calls to it. */
export interface RetrieveOffer {
  format: WireFormat;
  /** The request as forwarded, the base every continuation round extends. */
  body: WireObject;
}

export interface CompressionResult {
  /** The body to forward. Returning the very Buffer passed in forwards the original bytes untouched. */
  body: Buffer;
  /**
   * Estimated tokens of the whole request before and after the rewrite, when the hook knows them; left out,
   * the proxy estimates both bodies after the response, off the request path.
   */
  tokensBefore?: number;
  tokensAfter?: number;
  /** Transforms applied, with how many blocks each rewrote. */
  transforms?: Record<string, number>;
  ms?: number;
  /** Set when compression gave up on part of the request (the rest still went through). */
  error?: string;
  /** Set when the model can call headroom_retrieve in this request. */
  retrieve?: RetrieveOffer;
  /**
   * Set when the only change was adding headroom_retrieve: the tokens its definition adds. The request as
   * the agent wrote it is then the request as sent minus these, with no need to count it again.
   */
  addedTokens?: number;
}

const FORMATS: Partial<Record<RouteKind, WireFormat>> = {
  anthropic: 'anthropic',
  'openai-chat': 'openai-chat',
  'openai-responses': 'openai-responses',
  gemini: 'gemini',
};

// Characters / 4, the engine's own estimate on the request path; the definition is the same every time.
const toolTokens = new Map<WireFormat, number>();
function retrieveToolTokens(format: WireFormat): number {
  let tokens = toolTokens.get(format);
  if (tokens === undefined) {
    tokens = Math.ceil(JSON.stringify(retrieveToolDefinition(format)).length / 4);
    toolTokens.set(format, tokens);
  }
  return tokens;
}

function transformsOf(blocks: readonly BlockStats[]): Record<string, number> | undefined {
  const counts: Record<string, number> = {};
  for (const block of blocks)
    if (block.transform) counts[block.transform] = (counts[block.transform] ?? 0) + 1;
  return Object.keys(counts).length ? counts : undefined;
}

/** What went wrong in a request the engine otherwise handled: blocks sent whole past the budget or on error. */
function problemsOf(blocks: readonly BlockStats[], budgetMs: number): string | undefined {
  const problems: string[] = [];
  const overBudget = blocks.filter((b) => b.skipped === 'budget').length;
  if (overBudget)
    problems.push(`time budget of ${budgetMs} ms spent: ${overBudget} tool output(s) sent whole`);
  for (const block of blocks) {
    if (block.skipped === 'error') {
      problems.push(`tool output ${block.index} sent whole: ${block.error ?? 'transform failed'}`);
    }
  }
  return problems.length ? problems.join('; ') : undefined;
}

/** False when the request forbids every tool call, so the model cannot call headroom_retrieve either. */
function toolCallsAllowed(body: WireObject): boolean {
  const choice = body.tool_choice;
  if (choice === 'none') return false;
  const gemini = isObject(body.toolConfig) ? body.toolConfig.functionCallingConfig : undefined;
  if (isObject(gemini) && gemini.mode === 'NONE') return false;
  return !(isObject(choice) && choice.type === 'none');
}

/**
 * Called once per POST to a messages / chat completions / responses endpoint while `config.compress` is on.
 * The proxy forwards the original bytes if this throws, and whatever it returns otherwise.
 */
export async function compressForUpstream(
  route: CompressionRoute,
  body: Buffer,
  { config, originals }: CompressionContext,
): Promise<CompressionResult> {
  const format = FORMATS[route.provider];
  if (!format) return { body };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: the upstream is the one to say so, in its own words.
    return { body };
  }
  if (!isObject(parsed)) return { body };

  const compressed = compressRequestBody(format, parsed, {
    minTokens: config.minTokens,
    budgetMs: config.budgetMs,
    excludeTools: config.excludeTools,
    disableTransforms: config.disableTransforms,
    tokenCounting: 'estimate',
  });
  const result: CompressionResult = {
    body,
    ms: compressed.stats.ms,
    transforms: transformsOf(compressed.stats.blocks),
    error: problemsOf(compressed.stats.blocks, config.budgetMs),
  };
  // The originals go in before the request leaves: the model may ask for one in its very first answer.
  if (compressed.originals.length) await originals.putMany(compressed.originals);

  const afterCompression = isObject(compressed.body) ? compressed.body : parsed;
  const offered = shouldOfferRetrieveTool(afterCompression, true)
    ? withRetrieveTool(afterCompression, format)
    : afterCompression;
  if (!compressed.changed && offered === afterCompression) return result;
  result.body = Buffer.from(JSON.stringify(offered));
  // A token count gets the tool too, to count what will be sent, but no model answer comes to call it.
  if (offered !== afterCompression && toolCallsAllowed(offered) && !isTokenCount(route.path))
    result.retrieve = { format, body: offered };
  if (!compressed.changed) result.addedTokens = retrieveToolTokens(format);
  return result;
}
