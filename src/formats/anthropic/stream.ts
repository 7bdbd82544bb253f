// Anthropic's event stream through the loop of answered tools: content blocks keep flowing, renumbered after
// a suppressed block calling a tool the proxy answers; the agent's tool_use blocks wait for the last round; one
// message_start opens the client's stream and one message_delta + message_stop close it, with usage summed.

import { eventData, eventType, jsonEvent, jsonNumber, rewrittenEvent, type SseEvent } from '../../sse.js';
import {
  callKey,
  type HeldCall,
  type IndexedEvents,
  lazyRound,
  queueHeld,
  type StreamRoute,
  sumUsage,
} from '../../tools/rounds.js';
import { streamError } from '../define.js';
import type { AnsweredTools, RetrieveStream, RoundResult, StreamFailure } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import { anthropicCalls, anthropicError, errorBody, finalStopReason } from './response.js';

const INDEX = /"index":\s*(\d+)/;

export class AnthropicRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private nextIndex = 0;
  private roundOpen = false;
  private routes = new Map<number, StreamRoute>();
  /** The data of the round's content block events, parsed only if the round's content is asked for. */
  private contentEvents: string[] = [];
  private message: WireObject = {};
  private messageDelta: WireObject = {};
  private lastMessageDelta: WireObject = {};
  /** Each round's message without its content: what the closing events need. */
  private rounds: WireObject[] = [];
  private pending: HeldCall<IndexedEvents>[] = [];
  /** The upstream's own closing events went out: an answer of one round without any tool call. */
  private closed = false;
  /** The round's message_stop came. */
  private stopped = false;

  constructor(private readonly answered: AnsweredTools) {}

  push(event: SseEvent): SseEvent[] {
    const type = eventType(event);
    if (type === undefined) return [event];
    this.roundOpen = true;
    switch (type) {
      case 'content_block_delta':
      case 'content_block_stop': {
        this.contentEvents.push(event.data);
        const index = jsonNumber(event.data, INDEX) ?? -1;
        return this.route(this.routes.get(index), event, index);
      }
      case 'content_block_start': {
        this.contentEvents.push(event.data);
        const data = eventData(event.data) ?? {};
        const index = typeof data.index === 'number' ? data.index : -1;
        const block = isObject(data.content_block) ? data.content_block : {};
        const route: StreamRoute =
          block.type !== 'tool_use'
            ? { kind: 'live', index: this.nextIndex++ }
            : this.answered.has(String(block.name))
              ? { kind: 'ours' }
              : { kind: 'held', events: [] };
        this.routes.set(index, route);
        return this.route(route, event, index);
      }
      case 'message_start': {
        const data = eventData(event.data);
        this.message = isObject(data?.message) ? data.message : {};
        // A later round's opening and closing are merged into the client's; one nobody can read goes out as it came.
        return this.round === 0 || !data ? [event] : [];
      }
      case 'message_delta': {
        const data = eventData(event.data);
        this.messageDelta = data ?? {};
        const delta = isObject(this.messageDelta.delta) ? this.messageDelta.delta : {};
        this.closed =
          this.round === 0 &&
          delta.stop_reason !== 'tool_use' &&
          [...this.routes.values()].every((route) => route.kind === 'live');
        return this.closed || !data ? [event] : [];
      }
      case 'message_stop':
        this.stopped = true;
        return this.closed || eventData(event.data) === undefined ? [event] : [];
      case 'error':
        this.failed = true;
        return [event];
      default:
        return [event];
    }
  }

  endRound(): RoundResult {
    const usage = isObject(this.message.usage) ? this.message.usage : {};
    const deltaUsage = isObject(this.messageDelta.usage) ? this.messageDelta.usage : {};
    const delta = isObject(this.messageDelta.delta) ? this.messageDelta.delta : {};
    const summary: WireObject = {
      ...this.message,
      stop_reason: delta.stop_reason ?? null,
      stop_sequence: delta.stop_sequence ?? null,
      usage: { ...usage, ...withoutNulls(deltaUsage) },
    };
    const events = this.contentEvents;
    let blocks: Map<number, WireObject> | undefined;
    const content = () => {
      blocks ??= anthropicBlocks(events);
      return blocks;
    };
    const held: HeldCall<IndexedEvents>[] = [];
    let ours = false;
    for (const [index, route] of this.routes) {
      if (route.kind === 'ours') ours = true;
      if (route.kind !== 'held') continue;
      held.push({
        get key() {
          return callKey(content().get(index) ?? {});
        },
        call: { index, events: route.events },
      });
    }
    this.pending = queueHeld(this.pending, held);
    this.rounds.push(summary);
    this.lastMessageDelta = this.messageDelta;
    this.messageDelta = {};
    this.round += 1;
    this.roundOpen = false;
    this.routes = new Map();
    this.contentEvents = [];
    const complete = this.stopped;
    this.stopped = false;
    return lazyRound(anthropicCalls, this.answered, { ours, others: held.length > 0, complete }, () => ({
      ...summary,
      content: [...content().entries()].sort(([a], [b]) => a - b).map(([, block]) => block),
    }));
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed || this.closed) return [];
    const out: SseEvent[] = [];
    for (const { call } of this.pending) {
      const index = this.nextIndex++;
      for (const event of call.events)
        out.push(call.index === index ? event : rewrittenEvent(event, { index }));
    }
    const last = this.rounds.at(-1) ?? {};
    const closing = this.lastMessageDelta;
    const delta = isObject(closing.delta) ? closing.delta : {};
    const stopReason = finalStopReason(last, this.pending.length > 0);
    const usage = sumUsage(this.rounds.map((r) => r.usage));
    out.push(
      jsonEvent('message_delta', {
        type: 'message_delta',
        ...closing,
        delta: { ...delta, stop_reason: stopReason },
        usage,
      }),
    );
    out.push(jsonEvent('message_stop', { type: 'message_stop' }));
    return out;
  }

  fail(failure: StreamFailure): SseEvent[] {
    this.failed = true;
    return [jsonEvent('error', streamError(failure, anthropicError, errorBody))];
  }

  private route(route: StreamRoute | undefined, event: SseEvent, index: number): SseEvent[] {
    if (!route) return [event];
    if (route.kind === 'ours') return [];
    if (route.kind === 'held') {
      route.events.push(event);
      return [];
    }
    return route.index === index ? [event] : [rewrittenEvent(event, { index: route.index })];
  }
}

/** The content blocks of a round, by upstream index, assembled from its content block events. */
function anthropicBlocks(events: readonly string[]): Map<number, WireObject> {
  const blocks = new Map<number, WireObject>();
  const partialJson = new Map<number, string>();
  for (const text of events) {
    const data = eventData(text);
    if (!data || typeof data.index !== 'number') continue;
    const index = data.index;
    const block = blocks.get(index);
    if (data.type === 'content_block_start') {
      blocks.set(index, isObject(data.content_block) ? data.content_block : {});
    } else if (data.type === 'content_block_delta' && block && isObject(data.delta)) {
      const delta = data.delta;
      if (delta.type === 'input_json_delta') {
        const piece = typeof delta.partial_json === 'string' ? delta.partial_json : '';
        partialJson.set(index, (partialJson.get(index) ?? '') + piece);
      } else {
        applyDelta(block, delta);
      }
    } else if (data.type === 'content_block_stop' && block) {
      const json = partialJson.get(index);
      if (json !== undefined) block.input = parseInput(json);
    }
  }
  return blocks;
}

function applyDelta(block: WireObject, delta: WireObject): void {
  const append = (key: string, piece: unknown) => {
    if (typeof piece === 'string') block[key] = (typeof block[key] === 'string' ? block[key] : '') + piece;
  };
  switch (delta.type) {
    case 'text_delta':
      append('text', delta.text);
      break;
    case 'thinking_delta':
      append('thinking', delta.thinking);
      break;
    case 'signature_delta':
      block.signature = delta.signature;
      break;
    case 'citations_delta':
      block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
      break;
  }
}

function parseInput(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function withoutNulls(object: WireObject): WireObject {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== null && value !== undefined),
  );
}
