// Responses events through the loop of answered tools: items keep flowing, renumbered after a suppressed
// item calling a tool the proxy answers and with the client's own sequence numbers once any event was dropped; the agent's
// call items wait for the last round; one closing event lists every item the client received.

import { eventData, eventType, jsonEvent, jsonNumber, rewrittenEvent, type SseEvent } from '../../sse.js';
import {
  callKey,
  findAnsweredCalls,
  type HeldCall,
  type IndexedEvents,
  queueHeld,
  type StreamRoute,
  sumUsage,
} from '../../tools/rounds.js';
import { streamError } from '../define.js';
import { openaiError, openaiErrorBody } from '../openai-chat/response.js';
import type { AnsweredTools, RetrieveStream, RoundResult, StreamFailure } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import { CLIENT_CALL_TYPES, responsesCalls } from './response.js';

const OUTPUT_INDEX = /"output_index":\s*(\d+)/;

const OPENING_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);
const CLOSING_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const ITEM_EVENTS = new Set(['response.output_item.added', 'response.output_item.done']);

/** The item an output_item event carries. */
function itemOf(data: string): WireObject | undefined {
  const item = eventData(data)?.item;
  return isObject(item) ? item : undefined;
}

export class ResponsesRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private sequence = 0;
  /** Every event so far went out as the upstream numbered it, so its sequence numbers still hold. */
  private verbatim = true;
  private nextOutputIndex = 0;
  private routes = new Map<number, StreamRoute>();
  /** The data of the latest item event of each item the client received, by client output index. */
  private emitted: string[] = [];
  private opening: string | undefined;

  constructor(private readonly answered: AnsweredTools) {}
  private closing: WireObject | undefined;
  private responses: WireObject[] = [];
  private closings: WireObject[] = [];
  private pending: HeldCall<IndexedEvents>[] = [];
  /** The upstream's own closing event went out: an answer of one round without any tool call. */
  private closed = false;

  push(event: SseEvent): SseEvent[] {
    const type = eventType(event);
    if (type === undefined) return [event];
    this.roundOpen = true;
    if (type === 'error') {
      this.failed = true;
      return [this.emit(event)];
    }
    // A later round's opening and closing are merged into the client's; one nobody can read goes out as it came.
    const unread = eventData(event.data) === undefined;
    if (OPENING_EVENTS.has(type)) {
      if (this.round > 0) return unread ? [this.emit(event)] : this.drop();
      if (type === 'response.created') this.opening = event.data;
      return [this.emit(event)];
    }
    if (CLOSING_EVENTS.has(type)) {
      this.closing = eventData(event.data) ?? { type };
      this.closed = this.verbatim && this.round === 0;
      return this.closed || unread ? [this.emit(event)] : this.drop();
    }
    const index = jsonNumber(event.data, OUTPUT_INDEX);
    if (index === undefined) return [this.emit(event)];
    if (type === 'response.output_item.added') {
      const item = itemOf(event.data) ?? {};
      const route: StreamRoute = !CLIENT_CALL_TYPES.has(String(item.type))
        ? { kind: 'live', index: this.nextOutputIndex++ }
        : item.type === 'function_call' && this.answered.has(String(item.name))
          ? { kind: 'ours' }
          : { kind: 'held', events: [] };
      this.routes.set(index, route);
    }
    const route = this.routes.get(index);
    if (!route) return [this.emit(event)];
    if (route.kind === 'ours') return this.drop();
    if (route.kind === 'held') {
      route.events.push(event);
      return this.drop();
    }
    if (ITEM_EVENTS.has(type)) this.emitted[route.index] = event.data;
    return [this.emit(event, route.index === index ? undefined : route.index)];
  }

  endRound(): RoundResult {
    const complete = this.closing !== undefined;
    const closing = this.closing ?? {
      type: 'response.incomplete',
      response: { status: 'incomplete', output: [] },
    };
    const response = isObject(closing.response) ? closing.response : {};
    const held: HeldCall<IndexedEvents>[] = [];
    for (const [index, route] of this.routes) {
      if (route.kind !== 'held') continue;
      const { events } = route;
      held.push({
        get key() {
          const done = events.findLast((e) => eventType(e) === 'response.output_item.done') ?? events[0];
          return callKey((done && itemOf(done.data)) ?? {});
        },
        call: { index, events },
      });
    }
    this.pending = queueHeld(this.pending, held);
    this.responses.push(response);
    this.closings.push(closing);
    this.round += 1;
    this.roundOpen = false;
    this.routes = new Map();
    this.closing = undefined;
    return { ...findAnsweredCalls(responsesCalls, response, this.answered), response, complete };
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed || this.closed) return [];
    const out: SseEvent[] = [];
    for (const { call } of this.pending) {
      const index = this.nextOutputIndex++;
      for (const event of call.events) {
        if (ITEM_EVENTS.has(eventType(event) ?? '')) this.emitted[index] = event.data;
        out.push(this.emit(event, index));
      }
    }
    const closing = this.closings.at(-1) ?? { type: 'response.completed', response: {} };
    const response = isObject(closing.response) ? closing.response : {};
    const usage = sumUsage(this.responses.map((r) => r.usage));
    out.push(this.closingEvent(String(closing.type), { ...closing, response: { ...response, usage } }));
    return out;
  }

  fail(failure: StreamFailure): SseEvent[] {
    this.failed = true;
    // response.failed is how the API itself ends a response it could not finish; SDKs read it as an answer,
    // and Codex reads its error's code (a rate limit's, with the wait in its message) to decide on a retry.
    const opening = eventData(this.opening ?? '{}')?.response;
    const error = streamError(failure, openaiError, openaiErrorBody);
    const code =
      typeof error.code === 'string'
        ? error.code
        : failure.status === 429
          ? 'rate_limit_exceeded'
          : 'server_error';
    const response = {
      ...(isObject(opening) ? opening : {}),
      status: 'failed',
      error: { code, message: typeof error.message === 'string' ? error.message : failure.message },
      usage: sumUsage(this.responses.map((r) => r.usage)),
    };
    return [this.closingEvent('response.failed', { type: 'response.failed', response })];
  }

  /** A closing event of our own, listing every item the client received. */
  private closingEvent(type: string, data: WireObject): SseEvent {
    const output = this.emitted.map(itemOf).filter(isObject);
    const response = isObject(data.response) ? data.response : {};
    return jsonEvent(type, { ...data, response: { ...response, output }, sequence_number: this.sequence++ });
  }

  /** An event suppressed: the client's sequence numbers now differ from the upstream's. */
  private drop(): SseEvent[] {
    this.verbatim = false;
    return [];
  }

  /** The event as the client gets it: numbered in the client's sequence, moved to `outputIndex` if given. */
  private emit(event: SseEvent, outputIndex?: number): SseEvent {
    const sequence = this.sequence++;
    if (this.verbatim && outputIndex === undefined) return event;
    const changes: WireObject = outputIndex === undefined ? {} : { output_index: outputIndex };
    return rewrittenEvent(event, { ...changes, sequence_number: sequence });
  }
}
