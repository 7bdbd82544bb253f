// The proxy's single entry into the compression engine: given a conversation request body about to go
// upstream, compress its tool outputs, keep the originals, offer headroom_retrieve, and say what changed.
// The work on the body itself (`rewriteBody`) needs no store, so it runs on a compression thread whenever
// one is there, and the proxy's own thread stays free to move other requests' bytes meanwhile.

import type { CompressOptions, Engine } from '../compress/engine.js';
import type { CompressStats, Original } from '../compress/results.js';
import { estimateTokens } from '../compress/tokens.js';
import { compressRequestBody, type Rewritten } from '../formats/request.js';
import type { WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { decideHistory, type HistoryDecision, type HistoryJob } from '../history/decide.js';
import type { TurnBlock, TurnKey } from '../memory/inject.js';
import { decideOutput, type OutputDecision, type OutputJob } from '../output/steer.js';
import { verbosityNote } from '../output/verbosity.js';
import { retrieveTool } from '../retrieve/read.js';
import { retrieveToolDefinition, shouldOfferRetrieveTool, withRetrieveTool } from '../retrieve/tool.js';
import { LARGE_BODY_BYTES } from '../stats/token-counter.js';
import type { EncodedOriginal, OriginalStore } from '../store/types.js';
import { type Toolbox, toolboxOf } from '../tools/types.js';
import type { ConversationHistory } from './history.js';
import {
  type MemoryReader,
  type MemoryRewrite,
  memoryTurnsIn,
  memoryTurnsOf,
  withMemoryBlocks,
} from './memory-body.js';
import type { SettingsSnapshot } from './runtime-settings.js';
import type { SteeringMemory } from './steering.js';

/**
 * What a body's rewrite is given besides the body, from the request's settings snapshot: plain data, so it
 * crosses to a compression thread whole and the thread works by the same snapshot as the request.
 */
export interface RewriteRequest {
  /** False: the tool outputs and the history go as they came, and headroom_retrieve is not offered. */
  compress: boolean;
  /** The engine's settings for this request (thresholds, budgets, exclusions, switched-off transforms). */
  engine: CompressOptions;
  /** Outputs compression ran out of time for once, sent whole. */
  sendWhole: ReadonlySet<string>;
  history?: HistoryJob;
  /** Verbosity steering and effort routing, when either may apply. */
  output?: OutputJob;
  /** With `--memory`: whose memories the request reads, for its user turns' keys to come back with the rewrite. */
  memory?: MemoryReader;
}

/** Where a body is rewritten: on compression threads (compression-threads.ts), or by an engine here. */
export interface BodyRewriter {
  rewrite(format: WireFormat, path: string, body: Buffer, request: RewriteRequest): Promise<BodyRewrite>;
  /** The memory step's reading of the body: its user turns and their keys (memory-body.ts). */
  memoryTurns(format: WireFormat, body: Buffer, reader: MemoryReader): Promise<TurnKey[] | undefined>;
  /** The memory step's writing of the body: the memory tools and the turns' blocks added. */
  withMemory(
    format: WireFormat,
    path: string,
    body: Buffer,
    blocks: readonly TurnBlock[],
  ): Promise<MemoryRewrite>;
}

/** Rewrite bodies with `engine` on the calling thread. */
export function rewriterOn(engine: Engine): BodyRewriter {
  return {
    rewrite: async (format, path, body, request) => rewriteBody(engine, format, path, body, request),
    memoryTurns: async (format, body, reader) => memoryTurnsOf(format, body, reader),
    withMemory: async (format, path, body, blocks) => withMemoryBlocks(format, path, body, blocks),
  };
}

/** What the hook needs besides the body: where bodies are rewritten and where originals go. */
export interface CompressionContext {
  /** The compression threads, or the engine on this thread (`rewriterOn`). */
  rewriter: BodyRewriter;
  originals: OriginalStore;
  /** Outputs compression ran out of time for once, sent whole ever after; `keep` adds a run's. */
  whole: { keys: ReadonlySet<string>; keep(keys: readonly string[]): Promise<void> };
  /** The conversations' history (each request's snapshot says whether it may be rewritten). */
  history?: ConversationHistory;
  /** The level each conversation is steered at. */
  steering?: SteeringMemory;
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
  /** What the output step decided: conversation, turn kind, verbosity level, holdout arm, effort lowered. */
  output?: OutputDecision;
  /**
   * Set when nothing was rewritten, only added (headroom_retrieve, the verbosity note) or lowered (an effort):
   * the tokens added. The request as the agent wrote it is then the request as sent minus these, with no
   * need to count it again.
   */
  addedTokens?: number;
  /**
   * With `RewriteRequest.memory`: the user turns' keys of the request as it will be sent (the memory step's
   * reading of the body, made while it was parsed), or null when it is no agent turn and goes without memory.
   */
  memoryTurns?: TurnKey[] | null;
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
  output?: OutputDecision;
  /**
   * With `RewriteRequest.memory`: the user turns' keys of the request as it will be sent (the memory step's
   * reading of the body, made while it was parsed), or null when it is no agent turn and goes without memory.
   */
  memoryTurns?: TurnKey[] | null;
}

// Characters / 4, the engine's own estimate on the request path; the definition is the same every time.
const toolTokens = new Map<WireFormat, number>();
function retrieveToolTokens(format: WireFormat): number {
  let tokens = toolTokens.get(format);
  if (tokens === undefined) {
    tokens = estimateTokens(JSON.stringify(retrieveToolDefinition(format)).length);
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
  request: RewriteRequest,
): BodyRewrite {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
  } catch {
    // Not JSON: the upstream is the one to say so, in its own words.
    return { originals: [], offersRetrieve: false };
  }
  if (!isObject(parsed)) return { originals: [], offersRetrieve: false };
  const tokenCount = format.isTokenCount(path);
  const rewrite: BodyRewrite = { originals: [], offersRetrieve: false };
  let out: WireObject = parsed;
  let compressedChanged = false;
  let offeredTool = false;
  if (request.compress) {
    const { history, sendWhole } = request;
    // A token count carries the stubs the request will carry, but decides nothing.
    const step = history
      ? decideHistory(engine, format, parsed, body.length, {
          ...history,
          mode: tokenCount ? 'off' : history.mode,
        })
      : undefined;
    const compressed = compressRequestBody(
      engine,
      format,
      parsed,
      { ...request.engine, tokenCounting: 'estimate', sendWhole },
      step?.stubs,
    );
    rewrite.stats = compressed.stats;
    rewrite.originals = compressed.originals;
    rewrite.sideCall = compressed.sideCall;
    rewrite.history = step && { decision: step.decision, ...compressed.stubs };
    const afterCompression = isObject(compressed.body) ? compressed.body : parsed;
    out = shouldOfferRetrieveTool(afterCompression, true)
      ? withRetrieveTool(format, afterCompression)
      : afterCompression;
    offeredTool = out !== afterCompression;
    compressedChanged = compressed.changed;
    if (compressed.changed) {
      const chars = charsOf(compressed.rewritten);
      // Texts this long are counted from their size anyway: only the size need travel back from a thread.
      if (chars.before + chars.after > LARGE_BODY_BYTES) rewrite.rewrittenChars = chars;
      else rewrite.rewritten = compressed.rewritten;
    }
  } else {
    rewrite.sideCall = format.sideCall?.(parsed)?.name;
  }
  let steered = false;
  if (request.output) {
    const step = decideOutput(
      format,
      parsed,
      out,
      body.length,
      { tokenCount, sideCall: rewrite.sideCall !== undefined },
      request.output,
    );
    rewrite.output = step.decision;
    if (step.body) {
      out = step.body;
      steered = true;
    }
  }
  if (request.memory) rewrite.memoryTurns = memoryTurnsIn(format, out, request.memory) ?? null;
  if (!compressedChanged && !offeredTool && !steered) return rewrite;
  rewrite.body = Buffer.from(JSON.stringify(out));
  rewrite.forwarded = out;
  // A token count gets the tool too, to count what will be sent, but no model answer comes to call it.
  rewrite.offersRetrieve = offeredTool && format.toolCallsAllowed(out) && !tokenCount;
  // Nothing rewritten, only added (the tool, the note) or a field lowered: the request as the agent wrote it is
  // the request as sent minus what was added, with no need to count it again.
  if (!compressedChanged) {
    const note = rewrite.output ? verbosityNote(rewrite.output.level) : undefined;
    rewrite.addedTokens =
      (offeredTool ? retrieveToolTokens(format) : 0) + (steered && note ? estimateTokens(note.length) : 0);
  }
  return rewrite;
}

/**
 * Called once per conversation request while compression or output steering is on. The proxy forwards the original bytes if
 * this throws, and whatever it returns otherwise.
 */
export async function compressForUpstream(
  format: WireFormat,
  path: string,
  body: Buffer,
  { rewriter, originals, whole, history, steering }: CompressionContext,
  snapshot: SettingsSnapshot,
  conversation: { session?: string; bypass?: boolean; memory?: MemoryReader } = {},
): Promise<CompressionResult> {
  const { config } = snapshot;
  const rewrites = history && config.history !== 'off' && !conversation.bypass ? history : undefined;
  const request: RewriteRequest = {
    compress: config.compress,
    engine: snapshot.compression,
    sendWhole: whole.keys,
    history: rewrites?.job(conversation.session, config.history),
    output: steering?.job(snapshot, conversation.session, history),
    memory: conversation.memory,
  };
  let rewrite = await rewriter.rewrite(format, path, body, request);
  const named = rewrite.history?.decision.conversation;
  if (rewrites && named !== undefined && (await rewrites.refresh(named))) {
    // Another replica kept more of this conversation than this process knew: decide again with it.
    request.history = rewrites.job(conversation.session, config.history);
    rewrite = await rewriter.rewrite(format, path, body, request);
  }
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
    output: rewrite.output,
    memoryTurns: rewrite.memoryTurns,
  };
  // The originals go in before the request leaves: the model may ask for one in its very first answer. One
  // that cannot be kept must not be pointed at, so the request then goes as the agent wrote it.
  if (rewrite.originals.length && !(await originals.putMany(rewrite.originals))) {
    throw new Error(`the originals could not be kept in ${originals.location}; forwarded as sent`);
  }
  if (rewrite.stats?.guarded.length) await whole.keep(rewrite.stats.guarded);
  // Kept before the request leaves: the conversation's next request must carry the same stubs.
  if (rewrite.history) await history?.decided(rewrite.history.decision);
  if (rewrite.output) steering?.steered(rewrite.output);
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
