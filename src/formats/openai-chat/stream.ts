// Chat Completions chunks through the loop of answered tools: content keeps flowing (a later round's text set off by
// a paragraph break), tool call deltas are gathered and the agent's go out after the last round, then one
// finish chunk, one usage chunk (when the client asked for usage) and `[DONE]` (when the upstream sent one).

import { eventData, jsonEvent, type SseEvent } from '../../sse.js';
import {
  callKey,
  type HeldCall,
  lazyRound,
  queueHeld,
  ROUND_TEXT_SEPARATOR,
  sumUsage,
} from '../../tools/rounds.js';
import { streamError } from '../define.js';
import type { AnsweredTools, RetrieveStream, RoundResult, StreamFailure } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import { chatCalls, finalStopReason, openaiError, openaiErrorBody } from './response.js';

interface ChatCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

// A chunk that only streams content (no tool call, usage, finish reason or error), told from its text.
const CHAT_NOT_PLAIN = /"(?:tool_calls|error)"|"usage":\s*\{|"finish_reason":\s*"/;
const CHAT_TEXT = /"content":\s*"(?!")/;

export class ChatRetrieveStream implements RetrieveStream {
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

  constructor(private readonly answered: AnsweredTools) {}
  /** The upstream's own closing chunks went out: an answer of one round without any tool call. */
  private closed = false;
  /** The round's [DONE] came; the last round's decides whether the client's stream ends with one. */
  private done = false;
  private lastDone = false;
  /** The round's finish reason came (the closing chunks may still have been cut off). */
  private finished = false;

  push(event: SseEvent): SseEvent[] {
    const text = event.data;
    const done = text === '[DONE]' || text.trim() === '[DONE]';
    if (done) this.done = true;
    if (this.closed) return [event];
    if (done) return this.endsUnread() ? [event] : [];
    // The first round's content chunks are the client's as they are.
    const plain = this.round === 0 && !CHAT_NOT_PLAIN.test(text);
    if (plain && this.base) return this.passContent(event);
    const data = eventData(text);
    if (!data) {
      this.endsUnread();
      return [event];
    }
    this.roundOpen = true;
    if (data.error !== undefined) {
      this.failed = true;
      return [event];
    }
    this.base ??= chunkBase(data);
    if (plain) return this.passContent(event);
    const [choice, ...others] = Array.isArray(data.choices) ? data.choices : [];
    if (!isObject(choice) && (!isObject(data.usage) || this.endsUnread())) return [event];
    this.chunks.push(text);
    if (isObject(data.usage)) this.usage = data.usage;
    if (!isObject(choice)) return [];
    const delta: WireObject = isObject(choice.delta) ? { ...choice.delta } : {};
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
      this.finishReason = choice.finish_reason;
      this.finished = true;
    }
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
    return [jsonEvent(event.event, chunk)];
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
      .filter((call) => !this.answered.has(call.function.name))
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
    const complete = this.finished || this.done;
    this.lastDone = this.done;
    this.finished = false;
    this.done = false;
    const ours = held.length < calls.length;
    return lazyRound(chatCalls, this.answered, { ours, others: held.length > 0, complete }, () => {
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
        jsonEvent('', {
          ...base,
          choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }],
        }),
      );
    }
    const last = this.rounds.at(-1) ?? {};
    const finish = finalStopReason(last, this.pending.length > 0);
    out.push(jsonEvent('', { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] }));
    const usage = sumUsage(this.rounds.map((r) => r.usage));
    if (usage) out.push(jsonEvent('', { ...base, choices: [], usage }));
    if (this.lastDone) out.push({ event: '', data: '[DONE]' });
    return out;
  }

  fail(failure: StreamFailure): SseEvent[] {
    this.failed = true;
    // The API ends a stream it cannot finish with a chunk carrying only `error`, and no [DONE] after it;
    // the SDKs raise that error as an API error.
    return [jsonEvent('', { error: streamError(failure, openaiError, openaiErrorBody) })];
  }

  /**
   * True (and from now on every chunk passes as it comes) when the first round reaches a chunk that only
   * follows an answer's finish chunk (usage, `[DONE]`), or one nobody can read, before any tool call or
   * usage was held back: the finish chunk was one the proxy could not read, and the answer is the
   * upstream's own, not one with a finish made up for it.
   */
  private endsUnread(): boolean {
    if (this.round === 0 && this.calls.size === 0 && !this.usage) this.closed = true;
    return this.closed;
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
    const choices = eventData(chunk)?.choices;
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
