// The streaming side of the retrieve loop: rewrites the SSE events of a turn's rounds into one valid stream
// for the client, with headroom_retrieve invisible, indexes renumbered and usage summed over the rounds.
//
// Latency: nothing the client can see is buffered except tool calls. Text, thinking and other blocks go
// out the moment they arrive, in every round (what the model wrote before calling headroom_retrieve is part
// of its answer, as in `mergeResponses`). The agent's tool calls are held until the round ends, because
// only then is it known whether the round also called headroom_retrieve and will be continued; they are
// small, and they reach the client right after the last round, followed by the single closing event(s).
// A round's own opening/closing events are suppressed after the first / until the last.
//
// Cost: every agent request with tools goes through here, and most answers never call headroom_retrieve.
// So an event the client gets unchanged is returned as is (the proxy forwards its original bytes) without
// being parsed: only events that can open or carry a tool call, usage or the round's lifecycle are parsed,
// told apart by their name or a key in their text; the rest are kept as text and assembled into the
// round's response only when it is continued. Events are re-serialized only when something in them must
// change (an index or sequence number after a suppressed event, a later round's ids).
//
// How the proxy drives it, per request that offers headroom_retrieve and asked for a stream:
//   const stream = createRetrieveStream(format)
//   for each round: for each upstream event: write(stream.push(event))
//                   const { calls, response } = stream.endRound()
//                   if (!calls.length || stream.failed || rounds exhausted) break
//                   body = continueWithResults(format, body, response, answerRetrieveCalls(calls, store).results)
//   write(stream.finish())

import { isObject, type WireFormat, type WireObject } from '../providers/types.js';
import { GeminiRetrieveStream } from './gemini-stream.js';
import {
  callKey,
  type FoundRetrieveCalls,
  finalStopReason,
  findRetrieveCalls,
  RESPONSES_CLIENT_CALLS,
  ROUND_TEXT_SEPARATOR,
  sumUsage,
} from './retrieve-loop.js';
import { RETRIEVE_TOOL_NAME } from './tool.js';

/** One server-sent event: its name ('' when unnamed) and its data. */
export interface SseEvent {
  event: string;
  data: string;
}

/** What one finished round holds: its headroom_retrieve calls and the response assembled from its events. */
export interface RoundResult extends FoundRetrieveCalls {
  response: WireObject;
}

export interface RetrieveStream {
  /**
   * Feed one upstream event of the current round; returns the events to send the client now. Returning the
   * `event` object itself means "unchanged": the proxy then forwards the bytes it came in.
   */
  push(event: SseEvent): SseEvent[];
  /** The current round's upstream stream ended: its calls, and the response to pass to `continueWithResults`. */
  endRound(): RoundResult;
  /** No more rounds: the events that close the client's stream (held tool calls, stop reason, usage). */
  finish(): SseEvent[];
  /**
   * The upstream broke off a continuation round: the events that end the client's stream with an error in
   * the API's own shape, so an SDK reports `message` instead of a dropped connection.
   */
  fail(message: string): SseEvent[];
  /** The upstream sent an error event (already passed on): do not continue, `finish()` adds nothing. */
  readonly failed: boolean;
}

/** The stream rewriter for a wire format. */
export function createRetrieveStream(format: WireFormat): RetrieveStream {
  switch (format) {
    case 'anthropic':
      return new AnthropicRetrieveStream();
    case 'openai-chat':
      return new ChatRetrieveStream();
    case 'openai-responses':
      return new ResponsesRetrieveStream();
    case 'gemini':
      return new GeminiRetrieveStream();
  }
}

/** SSE text for one event. */
export function formatSseEvent(event: SseEvent): string {
  const name = event.event ? `event: ${event.event}\n` : '';
  const data = event.data.includes('\n') ? event.data.split('\n').join('\ndata: ') : event.data;
  return `${name}data: ${data}\n\n`;
}

function parseData(data: string): WireObject | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function encode(event: string, data: WireObject): SseEvent {
  return { event, data: JSON.stringify(data) };
}

/** The event with `changes` made to its data. */
function rewritten(event: SseEvent, changes: WireObject): SseEvent {
  return encode(event.event, { ...parseData(event.data), ...changes });
}

/** The event's type: its name, or for an unnamed event the `type` in its data. */
function typeOf(event: SseEvent): string | undefined {
  if (event.event) return event.event;
  const type = parseData(event.data)?.type;
  return typeof type === 'string' ? type : undefined;
}

// Most events pass unparsed, so a few fields are read from the JSON text. An unescaped quote cannot occur
// inside a JSON string, so `"index":` is always a key, and the APIs put these keys before nested objects.
const INDEX = /"index":\s*(\d+)/;
const OUTPUT_INDEX = /"output_index":\s*(\d+)/;

function numberIn(data: string, key: RegExp): number | undefined {
  const match = key.exec(data);
  return match ? Number(match[1]) : undefined;
}

/** An agent call held back until the last round: what it calls (to spot a repeat) and how it streams. */
interface HeldCall<T> {
  readonly key: string;
  call: T;
}

/** Queue a round's held calls after the earlier ones, dropping an earlier call the round repeats. */
function queueHeld<T>(pending: HeldCall<T>[], round: HeldCall<T>[]): HeldCall<T>[] {
  if (!pending.length || !round.length) return [...pending, ...round];
  const repeated = new Set(round.map((call) => call.key));
  return [...pending.filter((call) => !repeated.has(call.key)), ...round];
}

/**
 * A round's result whose response is assembled from its events only when read: a round without a
 * headroom_retrieve call is not continued, so nobody needs it.
 */
function lazyRound(
  format: WireFormat,
  ours: boolean,
  others: boolean,
  assemble: () => WireObject,
): RoundResult {
  let response: WireObject | undefined;
  const read = () => {
    response ??= assemble();
    return response;
  };
  const found = ours ? findRetrieveCalls(format, read()) : { calls: [], otherToolCalls: others };
  return {
    ...found,
    get response() {
      return read();
    },
  };
}

/** A held call's events with the upstream index they came with. */
interface IndexedEvents {
  index: number;
  events: SseEvent[];
}

type AnthropicRoute =
  | { kind: 'live'; index: number }
  | { kind: 'held'; events: SseEvent[] }
  | { kind: 'ours' };

class AnthropicRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private nextIndex = 0;
  private roundOpen = false;
  private routes = new Map<number, AnthropicRoute>();
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

  push(event: SseEvent): SseEvent[] {
    const type = typeOf(event);
    if (type === undefined) return [event];
    this.roundOpen = true;
    switch (type) {
      case 'content_block_delta':
      case 'content_block_stop': {
        this.contentEvents.push(event.data);
        const index = numberIn(event.data, INDEX) ?? -1;
        return this.route(this.routes.get(index), event, index);
      }
      case 'content_block_start': {
        this.contentEvents.push(event.data);
        const data = parseData(event.data) ?? {};
        const index = typeof data.index === 'number' ? data.index : -1;
        const block = isObject(data.content_block) ? data.content_block : {};
        const route: AnthropicRoute =
          block.type !== 'tool_use'
            ? { kind: 'live', index: this.nextIndex++ }
            : block.name === RETRIEVE_TOOL_NAME
              ? { kind: 'ours' }
              : { kind: 'held', events: [] };
        this.routes.set(index, route);
        return this.route(route, event, index);
      }
      case 'message_start': {
        const message = parseData(event.data)?.message;
        this.message = isObject(message) ? message : {};
        return this.round === 0 ? [event] : [];
      }
      case 'message_delta': {
        this.messageDelta = parseData(event.data) ?? {};
        const delta = isObject(this.messageDelta.delta) ? this.messageDelta.delta : {};
        this.closed =
          this.round === 0 &&
          delta.stop_reason !== 'tool_use' &&
          [...this.routes.values()].every((route) => route.kind === 'live');
        return this.closed ? [event] : [];
      }
      case 'message_stop':
        return this.closed ? [event] : [];
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
    return lazyRound('anthropic', ours, held.length > 0, () => ({
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
      for (const event of call.events) out.push(call.index === index ? event : rewritten(event, { index }));
    }
    const last = this.rounds.at(-1) ?? {};
    const closing = this.lastMessageDelta;
    const delta = isObject(closing.delta) ? closing.delta : {};
    const stopReason = finalStopReason('anthropic', last, this.pending.length > 0);
    const usage = sumUsage(this.rounds.map((r) => r.usage));
    out.push(
      encode('message_delta', {
        type: 'message_delta',
        ...closing,
        delta: { ...delta, stop_reason: stopReason },
        usage,
      }),
    );
    out.push(encode('message_stop', { type: 'message_stop' }));
    return out;
  }

  fail(message: string): SseEvent[] {
    this.failed = true;
    return [encode('error', { type: 'error', error: { type: 'api_error', message } })];
  }

  private route(route: AnthropicRoute | undefined, event: SseEvent, index: number): SseEvent[] {
    if (!route) return [event];
    if (route.kind === 'ours') return [];
    if (route.kind === 'held') {
      route.events.push(event);
      return [];
    }
    return route.index === index ? [event] : [rewritten(event, { index: route.index })];
  }
}

/** The content blocks of a round, by upstream index, assembled from its content block events. */
function anthropicBlocks(events: readonly string[]): Map<number, WireObject> {
  const blocks = new Map<number, WireObject>();
  const partialJson = new Map<number, string>();
  for (const text of events) {
    const data = parseData(text);
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

interface ChatCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

// A chunk that only streams content (no tool call, usage, finish reason or error), told from its text.
const CHAT_NOT_PLAIN = /"(?:tool_calls|error)"|"usage":\s*\{|"finish_reason":\s*"/;
const CHAT_TEXT = /"content":\s*"(?!")/;

class ChatRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private base: WireObject | undefined;
  private nextToolIndex = 0;
  private emittedText = false;
  private roundText = false;
  /** The data of the round's chunks, parsed for their text only if the round's message is asked for. */
  private chunks: string[] = [];
  private calls = new Map<number, ChatCall>();
  private finishReason: unknown = null;
  private usage: WireObject | undefined;
  /** Each round's finish reason and usage: what the closing chunks need. */
  private rounds: WireObject[] = [];
  private pending: HeldCall<ChatCall>[] = [];
  /** The upstream's own closing chunks went out: an answer of one round without any tool call. */
  private closed = false;

  push(event: SseEvent): SseEvent[] {
    const text = event.data;
    if (this.closed) return [event];
    if (text === '[DONE]' || text.trim() === '[DONE]') return [];
    // The first round's content chunks are the client's as they are.
    const plain = this.round === 0 && !CHAT_NOT_PLAIN.test(text);
    if (plain && this.base) return this.passContent(event);
    const data = parseData(text);
    if (!data) return [event];
    this.roundOpen = true;
    if (data.error !== undefined) {
      this.failed = true;
      return [event];
    }
    this.base ??= chunkBase(data);
    if (plain) return this.passContent(event);
    this.chunks.push(text);
    if (isObject(data.usage)) this.usage = data.usage;
    const [choice, ...others] = Array.isArray(data.choices) ? data.choices : [];
    if (!isObject(choice)) return isObject(data.usage) ? [] : [event];
    const delta: WireObject = isObject(choice.delta) ? { ...choice.delta } : {};
    if (choice.finish_reason !== null && choice.finish_reason !== undefined)
      this.finishReason = choice.finish_reason;
    if (Array.isArray(delta.tool_calls)) this.collectToolCalls(delta.tool_calls);
    this.closed = this.round === 0 && this.finishReason !== null && this.calls.size === 0;
    if (this.closed) return [event];
    delete delta.tool_calls;
    if (this.round > 0) delete delta.role;
    const piece = delta.content;
    if (typeof piece === 'string' && piece !== '') {
      if (!this.roundText && this.emittedText) delta.content = ROUND_TEXT_SEPARATOR + piece;
      this.roundText = true;
      this.emittedText = true;
    } else if (this.round > 0 && piece === '') {
      delete delta.content;
    }
    if (Object.keys(delta).length === 0 && others.length === 0) return [];
    const { usage: _usage, ...rest } = data;
    const chunk: WireObject = {
      ...rest,
      id: this.base.id,
      choices: [{ ...choice, delta, finish_reason: null }, ...others],
    };
    if (_usage === null) chunk.usage = null;
    return [encode(event.event, chunk)];
  }

  endRound(): RoundResult {
    const chunks = this.chunks;
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    const finishReason = this.finishReason;
    const summary: WireObject = {
      ...this.base,
      object: 'chat.completion',
      choices: [{ index: 0, finish_reason: finishReason }],
      ...(this.usage ? { usage: this.usage } : {}),
    };
    const held = calls
      .filter((call) => call.function.name !== RETRIEVE_TOOL_NAME)
      .map((call) => ({ key: callKey({ ...call }), call: { ...call } }));
    this.pending = queueHeld(this.pending, held);
    this.rounds.push(summary);
    this.round += 1;
    this.roundOpen = false;
    this.roundText = false;
    this.chunks = [];
    this.calls = new Map();
    this.finishReason = null;
    this.usage = undefined;
    const ours = held.length < calls.length;
    return lazyRound('openai-chat', ours, held.length > 0, () => {
      const { text, reasoning } = chatText(chunks);
      const message: WireObject = { role: 'assistant', content: text === '' ? null : text };
      if (reasoning !== undefined) message.reasoning_content = reasoning;
      if (calls.length) message.tool_calls = calls;
      return { ...summary, choices: [{ index: 0, message, finish_reason: finishReason }] };
    });
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed || this.closed) return [];
    const base = { ...this.base, object: 'chat.completion.chunk' };
    const out: SseEvent[] = [];
    if (this.pending.length) {
      const toolCalls = this.pending.map(({ call }) => ({ index: this.nextToolIndex++, ...call }));
      out.push(
        encode('', {
          ...base,
          choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }],
        }),
      );
    }
    const last = this.rounds.at(-1) ?? {};
    const finish = finalStopReason('openai-chat', last, this.pending.length > 0);
    out.push(encode('', { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] }));
    const usage = sumUsage(this.rounds.map((r) => r.usage));
    if (usage) out.push(encode('', { ...base, choices: [], usage }));
    out.push({ event: '', data: '[DONE]' });
    return out;
  }

  fail(message: string): SseEvent[] {
    this.failed = true;
    // The SDKs raise an API error for a chunk carrying `error`; [DONE] ends the stream for raw readers.
    return [
      encode('', { error: { message, type: 'api_error', param: null, code: null } }),
      { event: '', data: '[DONE]' },
    ];
  }

  private passContent(event: SseEvent): SseEvent[] {
    this.roundOpen = true;
    this.chunks.push(event.data);
    if (!this.roundText && CHAT_TEXT.test(event.data)) {
      this.roundText = true;
      this.emittedText = true;
    }
    return [event];
  }

  private collectToolCalls(deltas: unknown[]): void {
    for (const piece of deltas) {
      if (!isObject(piece) || typeof piece.index !== 'number') continue;
      const fn = isObject(piece.function) ? piece.function : {};
      let call = this.calls.get(piece.index);
      if (!call) {
        call = { id: '', type: 'function', function: { name: '', arguments: '' } };
        this.calls.set(piece.index, call);
      }
      if (typeof piece.id === 'string') call.id = piece.id;
      if (typeof piece.type === 'string') call.type = piece.type;
      if (typeof fn.name === 'string' && !call.function.name) call.function.name = fn.name;
      if (typeof fn.arguments === 'string') call.function.arguments += fn.arguments;
    }
  }
}

/** The text and reasoning a round's chunks streamed. */
function chatText(chunks: readonly string[]): { text: string; reasoning: string | undefined } {
  let text = '';
  let reasoning: string | undefined;
  for (const chunk of chunks) {
    const choices = parseData(chunk)?.choices;
    const choice = Array.isArray(choices) ? choices[0] : undefined;
    const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string') text += delta.content;
    if (typeof delta.reasoning_content === 'string') reasoning = (reasoning ?? '') + delta.reasoning_content;
  }
  return { text, reasoning };
}

/** The fields every chunk repeats (id, created, model...), from the first chunk of the turn. */
function chunkBase(chunk: WireObject): WireObject {
  const { choices: _choices, usage: _usage, obfuscation: _obfuscation, ...base } = chunk;
  return base;
}

type ResponsesRoute =
  | { kind: 'live'; index: number }
  | { kind: 'held'; events: SseEvent[] }
  | { kind: 'ours' };

const OPENING_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);
const CLOSING_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const ITEM_EVENTS = new Set(['response.output_item.added', 'response.output_item.done']);

/** The item an output_item event carries. */
function itemOf(data: string): WireObject | undefined {
  const item = parseData(data)?.item;
  return isObject(item) ? item : undefined;
}

class ResponsesRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private sequence = 0;
  /** Every event so far went out as the upstream numbered it, so its sequence numbers still hold. */
  private verbatim = true;
  private nextOutputIndex = 0;
  private routes = new Map<number, ResponsesRoute>();
  /** The data of the latest item event of each item the client received, by client output index. */
  private emitted: string[] = [];
  private opening: string | undefined;
  private closing: WireObject | undefined;
  private responses: WireObject[] = [];
  private closings: WireObject[] = [];
  private pending: HeldCall<IndexedEvents>[] = [];
  /** The upstream's own closing event went out: an answer of one round without any tool call. */
  private closed = false;

  push(event: SseEvent): SseEvent[] {
    const type = typeOf(event);
    if (type === undefined) return [event];
    this.roundOpen = true;
    if (type === 'error') {
      this.failed = true;
      return [this.emit(event)];
    }
    if (OPENING_EVENTS.has(type)) {
      if (this.round > 0) return this.drop();
      if (type === 'response.created') this.opening = event.data;
      return [this.emit(event)];
    }
    if (CLOSING_EVENTS.has(type)) {
      this.closing = parseData(event.data) ?? {};
      this.closed = this.verbatim && this.round === 0;
      return this.closed ? [this.emit(event)] : this.drop();
    }
    const index = numberIn(event.data, OUTPUT_INDEX);
    if (index === undefined) return [this.emit(event)];
    if (type === 'response.output_item.added') {
      const item = itemOf(event.data) ?? {};
      const route: ResponsesRoute = !RESPONSES_CLIENT_CALLS.has(String(item.type))
        ? { kind: 'live', index: this.nextOutputIndex++ }
        : item.type === 'function_call' && item.name === RETRIEVE_TOOL_NAME
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
          const done = events.findLast((e) => typeOf(e) === 'response.output_item.done') ?? events[0];
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
    return { ...findRetrieveCalls('openai-responses', response), response };
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed || this.closed) return [];
    const out: SseEvent[] = [];
    for (const { call } of this.pending) {
      const index = this.nextOutputIndex++;
      for (const event of call.events) {
        if (ITEM_EVENTS.has(typeOf(event) ?? '')) this.emitted[index] = event.data;
        out.push(this.emit(event, index));
      }
    }
    const closing = this.closings.at(-1) ?? { type: 'response.completed', response: {} };
    const response = isObject(closing.response) ? closing.response : {};
    const usage = sumUsage(this.responses.map((r) => r.usage));
    out.push(this.closingEvent(String(closing.type), { ...closing, response: { ...response, usage } }));
    return out;
  }

  fail(message: string): SseEvent[] {
    this.failed = true;
    // response.failed is how the API itself ends a response it could not finish; SDKs read it as an answer.
    const opening = parseData(this.opening ?? '{}')?.response;
    const response = {
      ...(isObject(opening) ? opening : {}),
      status: 'failed',
      error: { code: 'server_error', message },
      usage: sumUsage(this.responses.map((r) => r.usage)),
    };
    return [this.closingEvent('response.failed', { type: 'response.failed', response })];
  }

  /** A closing event of our own, listing every item the client received. */
  private closingEvent(type: string, data: WireObject): SseEvent {
    const output = this.emitted.map(itemOf).filter(isObject);
    const response = isObject(data.response) ? data.response : {};
    return encode(type, { ...data, response: { ...response, output }, sequence_number: this.sequence++ });
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
    return rewritten(event, { ...changes, sequence_number: sequence });
  }
}
