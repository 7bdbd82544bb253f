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
  /** Feed one upstream event of the current round; returns the events to send the client now. */
  push(event: SseEvent): SseEvent[];
  /** The current round's upstream stream ended: its calls, and the response to pass to `continueWithResults`. */
  endRound(): RoundResult;
  /** No more rounds: the events that close the client's stream (held tool calls, stop reason, usage). */
  finish(): SseEvent[];
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
  const data = event.data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n');
  return `${event.event ? `event: ${event.event}\n` : ''}${data}\n\n`;
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

/** An agent call held back until the last round, with the events that carry it. */
interface HeldCall {
  key: string;
  events: WireObject[];
}

/** Queue a round's held calls after the earlier ones, dropping an earlier call the round repeats. */
function queueHeld(pending: HeldCall[], round: HeldCall[]): HeldCall[] {
  const repeated = new Set(round.map((call) => call.key));
  return [...pending.filter((call) => !repeated.has(call.key)), ...round];
}

type AnthropicRoute =
  | { kind: 'live'; index: number }
  | { kind: 'held'; events: WireObject[] }
  | { kind: 'ours' };

class AnthropicRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private nextIndex = 0;
  private roundOpen = false;
  private routes = new Map<number, AnthropicRoute>();
  private blocks = new Map<number, WireObject>();
  private partialJson = new Map<number, string>();
  private message: WireObject = {};
  private messageDelta: WireObject = {};
  private lastMessageDelta: WireObject = {};
  private responses: WireObject[] = [];
  private pending: HeldCall[] = [];

  push(event: SseEvent): SseEvent[] {
    const data = parseData(event.data);
    if (!data) return [event];
    this.roundOpen = true;
    const index = typeof data.index === 'number' ? data.index : -1;
    switch (data.type) {
      case 'message_start':
        this.message = isObject(data.message) ? structuredClone(data.message) : {};
        return this.round === 0 ? [event] : [];
      case 'content_block_start': {
        const block = isObject(data.content_block) ? structuredClone(data.content_block) : {};
        this.blocks.set(index, block);
        if (block.type === 'tool_use') {
          const route: AnthropicRoute =
            block.name === RETRIEVE_TOOL_NAME ? { kind: 'ours' } : { kind: 'held', events: [] };
          this.routes.set(index, route);
          return this.route(route, event, data);
        }
        const route: AnthropicRoute = { kind: 'live', index: this.nextIndex++ };
        this.routes.set(index, route);
        return this.route(route, event, data);
      }
      case 'content_block_delta':
        this.applyDelta(index, isObject(data.delta) ? data.delta : {});
        return this.route(this.routes.get(index), event, data);
      case 'content_block_stop': {
        const json = this.partialJson.get(index);
        const block = this.blocks.get(index);
        if (json !== undefined && block) block.input = parseInput(json);
        return this.route(this.routes.get(index), event, data);
      }
      case 'message_delta':
        this.messageDelta = data;
        return [];
      case 'message_stop':
        return [];
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
    const response: WireObject = {
      ...this.message,
      content: [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block),
      stop_reason: delta.stop_reason ?? null,
      stop_sequence: delta.stop_sequence ?? null,
      usage: { ...usage, ...withoutNulls(deltaUsage) },
    };
    const held: HeldCall[] = [];
    for (const [index, route] of this.routes) {
      if (route.kind === 'held')
        held.push({ key: callKey(this.blocks.get(index) ?? {}), events: route.events });
    }
    this.pending = queueHeld(this.pending, held);
    this.responses.push(response);
    this.lastMessageDelta = this.messageDelta;
    this.messageDelta = {};
    this.round += 1;
    this.roundOpen = false;
    this.routes = new Map();
    this.blocks = new Map();
    this.partialJson = new Map();
    return { ...findRetrieveCalls('anthropic', response), response };
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed) return [];
    const out: SseEvent[] = [];
    for (const call of this.pending) {
      const index = this.nextIndex++;
      for (const data of call.events) out.push(encode(String(data.type), { ...data, index }));
    }
    const last = this.responses.at(-1) ?? {};
    const closing = this.lastMessageDelta;
    const delta = isObject(closing.delta) ? closing.delta : {};
    const stopReason = finalStopReason('anthropic', last, this.pending.length > 0);
    const usage = sumUsage(this.responses.map((r) => r.usage));
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

  private route(route: AnthropicRoute | undefined, event: SseEvent, data: WireObject): SseEvent[] {
    if (!route) return [event];
    if (route.kind === 'ours') return [];
    if (route.kind === 'held') {
      route.events.push(data);
      return [];
    }
    return [encode(event.event, { ...data, index: route.index })];
  }

  private applyDelta(index: number, delta: WireObject): void {
    const block = this.blocks.get(index);
    if (!block) return;
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
      case 'input_json_delta':
        this.partialJson.set(
          index,
          (this.partialJson.get(index) ?? '') +
            (typeof delta.partial_json === 'string' ? delta.partial_json : ''),
        );
        break;
    }
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

class ChatRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private base: WireObject | undefined;
  private nextToolIndex = 0;
  private emittedText = false;
  private calls = new Map<number, ChatCall>();
  private text = '';
  private reasoning: string | undefined;
  private finishReason: unknown = null;
  private usage: WireObject | undefined;
  private responses: WireObject[] = [];
  private pending: HeldCall[] = [];

  push(event: SseEvent): SseEvent[] {
    if (event.data.trim() === '[DONE]') return [];
    const data = parseData(event.data);
    if (!data) return [event];
    this.roundOpen = true;
    if (data.error !== undefined) {
      this.failed = true;
      return [event];
    }
    this.base ??= chunkBase(data);
    if (isObject(data.usage)) this.usage = data.usage;
    const [choice, ...others] = Array.isArray(data.choices) ? data.choices : [];
    if (!isObject(choice)) return isObject(data.usage) ? [] : [event];
    const delta: WireObject = isObject(choice.delta) ? { ...choice.delta } : {};
    if (choice.finish_reason !== null && choice.finish_reason !== undefined)
      this.finishReason = choice.finish_reason;
    if (Array.isArray(delta.tool_calls)) this.collectToolCalls(delta.tool_calls);
    delete delta.tool_calls;
    if (this.round > 0) delete delta.role;
    if (typeof delta.reasoning_content === 'string')
      this.reasoning = (this.reasoning ?? '') + delta.reasoning_content;
    const piece = delta.content;
    if (typeof piece === 'string' && piece !== '') {
      if (this.text === '' && this.emittedText) delta.content = ROUND_TEXT_SEPARATOR + piece;
      this.text += piece;
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
    const message: WireObject = { role: 'assistant', content: this.text === '' ? null : this.text };
    if (this.reasoning !== undefined) message.reasoning_content = this.reasoning;
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    if (calls.length) message.tool_calls = calls;
    const response: WireObject = {
      ...this.base,
      object: 'chat.completion',
      choices: [{ index: 0, message, finish_reason: this.finishReason }],
      ...(this.usage ? { usage: this.usage } : {}),
    };
    const held = calls
      .filter((call) => call.function.name !== RETRIEVE_TOOL_NAME)
      .map((call) => ({ key: callKey({ ...call }), events: [{ ...call }] }));
    this.pending = queueHeld(this.pending, held);
    this.responses.push(response);
    this.round += 1;
    this.roundOpen = false;
    this.calls = new Map();
    this.text = '';
    this.reasoning = undefined;
    this.finishReason = null;
    this.usage = undefined;
    return { ...findRetrieveCalls('openai-chat', response), response };
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed) return [];
    const base = { ...this.base, object: 'chat.completion.chunk' };
    const out: SseEvent[] = [];
    if (this.pending.length) {
      const toolCalls = this.pending
        .flatMap((call) => call.events)
        .map((call) => ({ index: this.nextToolIndex++, ...call }));
      out.push(
        encode('', {
          ...base,
          choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }],
        }),
      );
    }
    const last = this.responses.at(-1) ?? {};
    const finish = finalStopReason('openai-chat', last, this.pending.length > 0);
    out.push(encode('', { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] }));
    const usage = sumUsage(this.responses.map((r) => r.usage));
    if (usage) out.push(encode('', { ...base, choices: [], usage }));
    out.push({ event: '', data: '[DONE]' });
    return out;
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

/** The fields every chunk repeats (id, created, model...), from the first chunk of the turn. */
function chunkBase(chunk: WireObject): WireObject {
  const { choices: _choices, usage: _usage, obfuscation: _obfuscation, ...base } = chunk;
  return base;
}

type ResponsesRoute =
  | { kind: 'live'; index: number }
  | { kind: 'held'; events: WireObject[] }
  | { kind: 'ours' };

const CLIENT_CALL_ITEMS = new Set([
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'shell_call',
  'apply_patch_call',
  'computer_call',
]);
const OPENING_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);
const CLOSING_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

class ResponsesRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private sequence = 0;
  private nextOutputIndex = 0;
  private routes = new Map<number, ResponsesRoute>();
  /** Items as the client received them, by client output index, for the closing event. */
  private emitted: WireObject[] = [];
  private closing: WireObject | undefined;
  private responses: WireObject[] = [];
  private closings: WireObject[] = [];
  private pending: HeldCall[] = [];

  push(event: SseEvent): SseEvent[] {
    const data = parseData(event.data);
    if (!data) return [event];
    this.roundOpen = true;
    const type = String(data.type);
    if (type === 'error') {
      this.failed = true;
      return [this.emit(event.event, data)];
    }
    if (OPENING_EVENTS.has(type)) return this.round === 0 ? [this.emit(event.event, data)] : [];
    if (CLOSING_EVENTS.has(type)) {
      this.closing = data;
      return [];
    }
    if (typeof data.output_index !== 'number') return [this.emit(event.event, data)];
    const index = data.output_index;
    if (type === 'response.output_item.added') {
      const item = isObject(data.item) ? data.item : {};
      const route: ResponsesRoute = !CLIENT_CALL_ITEMS.has(String(item.type))
        ? { kind: 'live', index: this.nextOutputIndex++ }
        : item.type === 'function_call' && item.name === RETRIEVE_TOOL_NAME
          ? { kind: 'ours' }
          : { kind: 'held', events: [] };
      this.routes.set(index, route);
    }
    const route = this.routes.get(index);
    if (!route) return [this.emit(event.event, data)];
    if (route.kind === 'ours') return [];
    if (route.kind === 'held') {
      route.events.push(data);
      return [];
    }
    if (
      (type === 'response.output_item.added' || type === 'response.output_item.done') &&
      isObject(data.item)
    ) {
      this.emitted[route.index] = data.item;
    }
    return [this.emit(event.event, { ...data, output_index: route.index })];
  }

  endRound(): RoundResult {
    const closing = this.closing ?? {
      type: 'response.incomplete',
      response: { status: 'incomplete', output: [] },
    };
    const response = isObject(closing.response) ? closing.response : {};
    const held: HeldCall[] = [];
    for (const route of this.routes.values()) {
      if (route.kind !== 'held') continue;
      const done = route.events.findLast((e) => e.type === 'response.output_item.done') ?? route.events[0];
      held.push({ key: callKey(isObject(done?.item) ? done.item : {}), events: route.events });
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
    if (this.failed) return [];
    const out: SseEvent[] = [];
    for (const call of this.pending) {
      const index = this.nextOutputIndex++;
      for (const data of call.events) {
        if (isObject(data.item)) this.emitted[index] = data.item;
        out.push(this.emit(String(data.type), { ...data, output_index: index }));
      }
    }
    const closing = this.closings.at(-1) ?? { type: 'response.completed', response: {} };
    const response = isObject(closing.response) ? closing.response : {};
    const usage = sumUsage(this.responses.map((r) => r.usage));
    const output = this.emitted.filter(isObject);
    out.push(this.emit(String(closing.type), { ...closing, response: { ...response, output, usage } }));
    return out;
  }

  private emit(event: string, data: WireObject): SseEvent {
    return encode(event, { ...data, sequence_number: this.sequence++ });
  }
}
