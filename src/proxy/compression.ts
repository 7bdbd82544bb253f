// The proxy's single entry into the compression engine: given a conversation request body about to go
// upstream, compress its tool outputs, keep the originals, offer headroom_retrieve, and say what changed.
// The work on the body itself (`rewriteBody`) needs no store, so it runs on a compression thread whenever
// one is there, and the proxy's own thread stays free to move other requests' bytes meanwhile.

import type { Engine } from '../compress/engine.js';
import type { CompressStats, Original } from '../compress/results.js';
import { compressRequestBody, type Rewritten } from '../formats/request.js';
import type { WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { decideHistory, type HistoryDecision, type HistoryJob } from '../history/decide.js';
import { retrieveTool } from '../retrieve/read.js';
import { retrieveToolDefinition, shouldOfferRetrieveTool, withRetrieveTool } from '../retrieve/tool.js';
import { LARGE_BODY_BYTES } from '../stats/token-counter.js';
import type { EncodedOriginal, OriginalStore } from '../store/types.js';
import { type Toolbox, toolboxOf } from '../tools/types.js';
import type { ConversationHistory } from './history.js';

/** Where a body is rewritten: on compression threads (compression-threads.ts), or by an engine here. */
export interface BodyRewriter {
  rewrite(
    format: WireFormat,
    path: string,
    body: Buffer,
    sendWhole: ReadonlySet<string>,
    history?: HistoryJob,
  ): Promise<BodyRewrite>;
}

/** Rewrite bodies with `engine` on the calling thread. */
export function rewriterOn(engine: Engine): BodyRewriter {
  return {
    rewrite: async (format, path, body, sendWhole, history) =>
      rewriteBody(engine, format, path, body, sendWhole, history),
  };
}

/** What the hook needs besides the body: where bodies are rewritten and where originals go. */
export interface CompressionContext {
  /** The compression threads, or the engine on this thread (`rewriterOn`). */
  rewriter: BodyRewriter;
  originals: OriginalStore;
  /** Outputs compression ran out of time for once, sent whole ever after; `keep` adds a run's. */
  whole: { keys: ReadonlySet<string>; keep(keys: readonly string[]): Promise<void> };
  /** The conversations' history, when it may be rewritten (absent with `--history off`). */
  history?: ConversationHistory;
}

/** The proxy added tools of its own to the request (headroom_retrieve, memory) and answers the model's calls to them. */
export interface ToolOffer {
  format: WireFormat;
  /** The request as forwarded, the base every continuation round extends; read only when a round needs it. */
  body(): WireObject;
  /** The tools offered, each answering its calls. */
  tools: Toolbox;
}

export interface CompressionResult {
  /** The body to forward. Returning the very Buffer passed in forwards the original bytes untouched. */
  body: Buffer;
  /** The engine's account of the request: blocks, transforms used, time, problems. */
  stats?: CompressStats;
  /** The tool outputs the engine rewrote, as they were and as they went out (what was saved is counted from these). */
  rewritten?: Rewritten;
  /** In place of `rewritten` when those texts are too long to tokenize: their total characters. */
  rewrittenChars?: RewrittenChars;
  /** Set when the model can call headroom_retrieve in this request. */
  retrieve?: ToolOffer;
  /** The agent side call the request is, when it is one. */
  sideCall?: string;
  /** What the history step decided, and what its stubs took out. */
  history?: HistoryOutcome;
  /**
   * Set when the only change was adding headroom_retrieve: the tokens its definition adds. The request as
   * the agent wrote it is then the request as sent minus these, with no need to count it again.
   */
  addedTokens?: number;
}

/** A request's history: its conversation, whether it was a rewrite point, and the stubs it carried. */
export interface HistoryOutcome {
  decision: HistoryDecision;
  /** Stubs the request carried, and the characters they took out. */
  applied: number;
  savedChars: number;
}

/** The characters of the rewritten outputs, before and after. */
export interface RewrittenChars {
  before: number;
  after: number;
}

/** What rewriting a body gave, in a shape that crosses a thread boundary (plain data only). */
export interface BodyRewrite {
  /** The body to forward; absent when the original goes as it came. */
  body?: Uint8Array;
  stats?: CompressStats;
  /** What the store keeps; a thread sends them as UTF-8 bytes it hands over. */
  originals: (Original | EncodedOriginal)[];
  rewritten?: Rewritten;
  rewrittenChars?: RewrittenChars;
  sideCall?: string;
  /** The forwarded body carries headroom_retrieve and the model's answer may call it. */
  offersRetrieve: boolean;
  addedTokens?: number;
  /** The forwarded body as an object, when the rewrite ran on this thread (saves parsing it again). */
  forwarded?: WireObject;
  history?: HistoryOutcome;
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

function charsOf({ before, after }: Rewritten): RewrittenChars {
  const sum = (texts: readonly string[]) => texts.reduce((total, text) => total + text.length, 0);
  return { before: sum(before), after: sum(after) };
}

/**
 * Compress the tool outputs of one request body and add headroom_retrieve where the model may need it.
 * Pure: the same body and `sendWhole` give the same bytes on any thread.
 */
export function rewriteBody(
  engine: Engine,
  format: WireFormat,
  path: string,
  body: Uint8Array,
  sendWhole: ReadonlySet<string>,
  history?: HistoryJob,
): BodyRewrite {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
  } catch {
    // Not JSON: the upstream is the one to say so, in its own words.
    return { originals: [], offersRetrieve: false };
  }
  if (!isObject(parsed)) return { originals: [], offersRetrieve: false };

  // A token count carries the stubs the request will carry, but decides nothing.
  const step = history
    ? decideHistory(engine, format, parsed, body.length, {
        ...history,
        mode: format.isTokenCount(path) ? 'off' : history.mode,
      })
    : undefined;
  const compressed = compressRequestBody(
    engine,
    format,
    parsed,
    { tokenCounting: 'estimate', sendWhole },
    step?.stubs,
  );
  const rewrite: BodyRewrite = {
    stats: compressed.stats,
    originals: compressed.originals,
    sideCall: compressed.sideCall,
    offersRetrieve: false,
    history: step && { decision: step.decision, ...compressed.stubs },
  };
  const afterCompression = isObject(compressed.body) ? compressed.body : parsed;
  const offered = shouldOfferRetrieveTool(afterCompression, true)
    ? withRetrieveTool(format, afterCompression)
    : afterCompression;
  if (!compressed.changed && offered === afterCompression) return rewrite;
  rewrite.body = Buffer.from(JSON.stringify(offered));
  rewrite.forwarded = offered;
  if (compressed.changed) {
    const chars = charsOf(compressed.rewritten);
    // Texts this long are counted from their size anyway: only the size need travel back from a thread.
    if (chars.before + chars.after > LARGE_BODY_BYTES) rewrite.rewrittenChars = chars;
    else rewrite.rewritten = compressed.rewritten;
  }
  // A token count gets the tool too, to count what will be sent, but no model answer comes to call it.
  rewrite.offersRetrieve =
    offered !== afterCompression && format.toolCallsAllowed(offered) && !format.isTokenCount(path);
  if (!compressed.changed) rewrite.addedTokens = retrieveToolTokens(format);
  return rewrite;
}

/**
 * Called once per conversation request while compression is on. The proxy forwards the original bytes if
 * this throws, and whatever it returns otherwise.
 */
export async function compressForUpstream(
  format: WireFormat,
  path: string,
  body: Buffer,
  { rewriter, originals, whole, history }: CompressionContext,
  conversation: { session?: string; bypass?: boolean } = {},
): Promise<CompressionResult> {
  const job =
    history && !conversation.bypass ? await history.job(format, body, conversation.session) : undefined;
  const rewrite = await rewriter.rewrite(format, path, body, whole.keys, job);
  const sent = rewrite.body
    ? Buffer.from(rewrite.body.buffer, rewrite.body.byteOffset, rewrite.body.length)
    : body;
  const result: CompressionResult = {
    body: sent,
    stats: rewrite.stats,
    sideCall: rewrite.sideCall,
    rewritten: rewrite.rewritten,
    rewrittenChars: rewrite.rewrittenChars,
    addedTokens: rewrite.addedTokens,
    history: rewrite.history,
  };
  // The originals go in before the request leaves: the model may ask for one in its very first answer. One
  // that cannot be kept must not be pointed at, so the request then goes as the agent wrote it.
  if (rewrite.originals.length && !(await originals.putMany(rewrite.originals))) {
    throw new Error(`the originals could not be kept in ${originals.location}; forwarded as sent`);
  }
  if (rewrite.stats?.guarded.length) await whole.keep(rewrite.stats.guarded);
  // Kept before the request leaves: the conversation's next request must carry the same stubs.
  if (rewrite.history) await history?.decided(rewrite.history.decision);
  if (rewrite.offersRetrieve) {
    let forwarded = rewrite.forwarded;
    result.retrieve = {
      format,
      body: () => (forwarded ??= JSON.parse(sent.toString('utf8')) as WireObject),
      tools: toolboxOf(retrieveTool(originals)),
    };
  }
  return result;
}
