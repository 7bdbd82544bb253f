// The history step of one request, where its body is rewritten (a compression thread, or the proxy's own
// thread): which conversation it is, whether it is a rewrite point, and which stubs it carries. In and out
// as plain data, so it crosses a thread boundary; the proxy keeps what it decided (proxy/history.ts).

import type { Engine } from '../compress/engine.js';
import { type StaleOptions, type StaleReason, stubFor } from '../compress/history.js';
import { estimateTokens as estimate } from '../compress/tokens.js';
import type { HistoryMode } from '../config.js';
import type { Stubs } from '../formats/request.js';
import type { WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import type { ConversationState, HistoryStub } from '../store/types.js';
import {
  type BreakEven,
  breakEven,
  cachePrices,
  conversationId,
  type RewriteReason,
  rewritePoint,
} from './rewrite-points.js';

/** What the history step of a request is given. */
export interface HistoryJob {
  mode: HistoryMode;
  /** The proxy's clock at the request. */
  now: number;
  /** The session the request came in (a `/s/<id>/` path, or the one `wrap` started). */
  session?: string;
  /** Conversations whose cache may still be warm. */
  conversations: readonly ConversationState[];
  /** Every stub decided so far, with its conversation: a request carries only its own conversation's. */
  stubs: readonly HistoryStub[];
  options?: StaleOptions;
}

/** What the history step decided for a request. */
export interface HistoryDecision {
  conversation: string;
  /** How long the provider keeps this request's prompt cached. */
  lifetimeMs: number;
  /** Set at a rewrite point. */
  point?: RewriteReason;
  /** Stubs decided at this request (a rewrite), to keep. */
  stubbed: HistoryStub[];
  /** With a warm cache: the break-even figures the decision rests on. */
  breakEven?: BreakEven;
}

/** The stubs a request carries: those decided before, and at a rewrite point the ones it adds. */
export interface HistoryStep {
  stubs: Stubs;
  decision: HistoryDecision;
}

/** Decide the history of one request body of `format` (`bodyBytes` long). */
export function decideHistory(
  engine: Engine,
  format: WireFormat,
  body: WireObject,
  bodyBytes: number,
  job: HistoryJob,
): HistoryStep {
  const conversation = conversationId(format.conversationOpening(body), job.session);
  const stubs = new Map<string, StaleReason>();
  for (const stub of job.stubs)
    if (stub.conversation === conversation) stubs.set(stub.key, stub.reason as StaleReason);
  const decision: HistoryDecision = {
    conversation,
    lifetimeMs: format.cacheLifetimeMs(body),
    stubbed: [],
  };
  const messages = body[format.messagesKey];
  if (!Array.isArray(messages)) return { stubs, decision };
  const model = typeof body.model === 'string' ? body.model : undefined;
  const point = rewritePoint({
    mode: job.mode,
    state: job.conversations.find((state) => state.id === conversation),
    now: job.now,
    model,
    contextTokens: estimate(bodyBytes),
  });
  if (!point) return { stubs, decision };
  decision.point = point.reason;
  const outputs = format.toolOutputs(messages);
  const stale = engine
    .staleOutputs(
      outputs.map((output) => ({ ...output, message: Number(output.path[0]) })),
      format.modelTexts(messages),
      job.options,
    )
    .filter((found) => !stubs.has(found.key));
  if (!stale.length) return { stubs, decision };
  if (point.warm) {
    const first = outputs[stale[0]!.index]!;
    const tail = estimate(JSON.stringify(messages.slice(Number(first.path[0]))).length);
    const saved = stale.reduce((sum, found) => {
      const output = outputs[found.index]!;
      return sum + estimate(output.text.length - stubFor(output, found.reason).length);
    }, 0);
    decision.breakEven = breakEven(tail, saved, cachePrices(model));
    if (!decision.breakEven.rewrite) return { stubs, decision };
  }
  for (const found of stale) {
    stubs.set(found.key, found.reason);
    decision.stubbed.push({ conversation, key: found.key, reason: found.reason });
  }
  return { stubs, decision };
}
