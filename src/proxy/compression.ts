// The proxy's single entry into the compression engine: given a conversation request body about to go
// upstream, compress its tool outputs, keep the originals, offer headroom_retrieve, and say what changed.

import type { Engine } from '../compress/engine.js';
import type { CompressStats } from '../compress/results.js';
import { compressRequestBody } from '../formats/request.js';
import type { WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { retrieveToolDefinition, withRetrieveTool } from '../retrieve/loop.js';
import { shouldOfferRetrieveTool } from '../retrieve/tool.js';
import type { OriginalStore } from '../store/types.js';

/** What the hook needs besides the body: the engine (configured as the proxy is) and where originals go. */
export interface CompressionContext {
  engine: Engine;
  originals: OriginalStore;
  /** Outputs compression ran out of time for once, sent whole ever after; `keep` adds a run's. */
  whole: { keys: ReadonlySet<string>; keep(keys: readonly string[]): Promise<void> };
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
  /** The engine's account of the request: blocks, transforms used, time, problems. */
  stats?: CompressStats;
  /** The tool outputs the engine rewrote, as they were and as they went out (what was saved is counted from these). */
  rewritten?: { before: string[]; after: string[] };
  /** Set when the model can call headroom_retrieve in this request. */
  retrieve?: RetrieveOffer;
  /** The agent side call the request is, when it is one. */
  sideCall?: string;
  /**
   * Set when the only change was adding headroom_retrieve: the tokens its definition adds. The request as
   * the agent wrote it is then the request as sent minus these, with no need to count it again.
   */
  addedTokens?: number;
}

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

/**
 * Called once per conversation request while compression is on. The proxy forwards the original bytes if
 * this throws, and whatever it returns otherwise.
 */
export async function compressForUpstream(
  format: WireFormat,
  path: string,
  body: Buffer,
  { engine, originals, whole }: CompressionContext,
): Promise<CompressionResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: the upstream is the one to say so, in its own words.
    return { body };
  }
  if (!isObject(parsed)) return { body };

  const compressed = compressRequestBody(engine, format, parsed, {
    tokenCounting: 'estimate',
    sendWhole: whole.keys,
  });
  const result: CompressionResult = { body, stats: compressed.stats, sideCall: compressed.sideCall };
  // The originals go in before the request leaves: the model may ask for one in its very first answer. One
  // that cannot be kept must not be pointed at, so the request then goes as the agent wrote it.
  if (compressed.originals.length && !(await originals.putMany(compressed.originals))) {
    throw new Error(`the originals could not be kept in ${originals.location}; forwarded as sent`);
  }
  await whole.keep(compressed.stats.guarded);

  const afterCompression = isObject(compressed.body) ? compressed.body : parsed;
  const offered = shouldOfferRetrieveTool(afterCompression, true)
    ? withRetrieveTool(format, afterCompression)
    : afterCompression;
  if (!compressed.changed && offered === afterCompression) return result;
  result.body = Buffer.from(JSON.stringify(offered));
  if (compressed.changed) result.rewritten = compressed.rewritten;
  // A token count gets the tool too, to count what will be sent, but no model answer comes to call it.
  if (offered !== afterCompression && format.toolCallsAllowed(offered) && !format.isTokenCount(path))
    result.retrieve = { format, body: offered };
  if (!compressed.changed) result.addedTokens = retrieveToolTokens(format);
  return result;
}
