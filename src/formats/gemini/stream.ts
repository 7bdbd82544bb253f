// The answered tools' stream rewriter for Gemini's `streamGenerateContent?alt=sse`: every chunk is a partial
// GenerateContentResponse; rounds are joined into one stream with the proxy's tools invisible and usage summed.
//
// Text and thoughts go out as they arrive. The agent's function calls wait for the end of the turn. A round's
// last chunk (the one with finishReason) is held: it closes the client's stream when no round follows, and
// goes out without its finishReason when one does. Later rounds' chunks carry the usage of the rounds before.

import { eventData, type SseEvent } from '../../sse.js';
import { findAnsweredCalls, ROUND_TEXT_SEPARATOR, sumUsage } from '../../tools/rounds.js';
import { streamError } from '../define.js';
import type { AnsweredTools, RetrieveStream, RoundResult, StreamFailure } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import {
  errorBody,
  geminiCalls,
  geminiCandidate,
  geminiError,
  geminiParts,
  isAnswerText,
  signatureHeir,
} from './response.js';

/** A chunk with its first candidate's parts replaced, and without the finish reason when `open`. */
function withParts(chunk: WireObject, parts: WireObject[], open: boolean): WireObject {
  const { finishReason: _finish, ...rest } = geminiCandidate(chunk);
  const candidate = open ? rest : geminiCandidate(chunk);
  const content = isObject(candidate.content) ? candidate.content : { role: 'model' };
  const [, ...others] = Array.isArray(chunk.candidates) ? chunk.candidates : [];
  return { ...chunk, candidates: [{ ...candidate, content: { ...content, parts } }, ...others] };
}

/** Two parts that stream as pieces of one: plain text of the same kind (answer or thought). */
function continues(previous: WireObject | undefined, part: WireObject): boolean {
  return (
    previous !== undefined &&
    typeof previous.text === 'string' &&
    typeof part.text === 'string' &&
    Boolean(previous.thought) === Boolean(part.thought) &&
    Object.keys(part).every((key) => key === 'text' || key === 'thought' || key === 'thoughtSignature')
  );
}

export class GeminiRetrieveStream implements RetrieveStream {
  failed = false;
  private round = 0;
  private roundOpen = false;
  private wroteText = false;
  private roundStarted = false;
  /** The current round's parts, consecutive text pieces joined, as the continuation sends them back. */
  private parts: WireObject[] = [];
  private usage: WireObject | undefined;
  private closing: WireObject | undefined;
  /** The closing chunk of a round that was continued: its parts go out before the next round's first. */
  private carry: WireObject | undefined;
  private first: WireObject | undefined;
  private responses: WireObject[] = [];
  /** The agent's calls held for the end of the turn, by what they call: a repeat replaces the earlier one. */
  private held = new Map<string, WireObject>();

  constructor(private readonly answered: AnsweredTools) {}

  push(event: SseEvent): SseEvent[] {
    const chunk = eventData(event.data);
    if (!chunk) return [event];
    if (chunk.error !== undefined) {
      this.failed = true;
      return [event];
    }
    this.roundOpen = true;
    this.first ??= chunk;
    if (isObject(chunk.usageMetadata)) this.usage = chunk.usageMetadata;
    const out: SseEvent[] = [];
    if (this.carry) {
      out.push(this.encode(this.carry, false));
      this.carry = undefined;
    }
    const parts = geminiParts(chunk);
    const live = parts.flatMap((part) => this.take(part));
    if (geminiCandidate(chunk).finishReason !== undefined) {
      this.closing = withParts(chunk, live, false);
      return out;
    }
    // A first-round chunk whose parts all go out as they are is the client's as it came, bytes and all.
    const unchanged = live.length === parts.length && live.every((part, i) => part === parts[i]);
    if (this.round === 0 && unchanged && chunk.responseId === this.first.responseId) return [event];
    if (live.length || !parts.length) out.push(this.encode(withParts(chunk, live, true), this.round > 0));
    return out;
  }

  endRound(): RoundResult {
    const complete = this.closing !== undefined;
    // A held call whose round's signature was on the proxy's call takes it, as the client sends it back.
    const heir = signatureHeir(
      this.parts,
      (part) => isObject(part.functionCall) && this.answered.has(String(part.functionCall.name)),
    );
    if (heir) for (const [key, part] of this.held) if (part === heir[0]) this.held.set(key, heir[1]);
    const candidate = geminiCandidate(this.closing ?? {});
    const response: WireObject = {
      candidates: [
        {
          content: { role: 'model', parts: this.parts },
          ...(candidate.finishReason !== undefined ? { finishReason: candidate.finishReason } : {}),
          index: 0,
        },
      ],
      ...(this.usage ? { usageMetadata: this.usage } : {}),
      modelVersion: this.closing?.modelVersion ?? this.first?.modelVersion,
      responseId: this.first?.responseId,
    };
    this.responses.push(response);
    if (this.closing) {
      // The round's usage is in `responses` now; the chunk goes on as an intermediate one.
      const { usageMetadata: _usage, ...closing } = withParts(this.closing, geminiParts(this.closing), true);
      this.carry = closing;
    }
    this.closing = undefined;
    this.round += 1;
    this.roundOpen = false;
    this.roundStarted = false;
    this.parts = [];
    this.usage = undefined;
    return { ...findAnsweredCalls(geminiCalls, response, this.answered), response, complete };
  }

  finish(): SseEvent[] {
    if (this.roundOpen) this.endRound();
    if (this.failed) return [];
    const last = this.carry ?? withParts(this.first ?? {}, [], true);
    this.carry = undefined;
    const finishReason = geminiCandidate(this.responses.at(-1) ?? {}).finishReason;
    const closing = withParts(last, [...geminiParts(last), ...this.held.values()], true);
    const candidate = geminiCandidate(closing);
    if (finishReason !== undefined) candidate.finishReason = finishReason;
    const usage = sumUsage(this.responses.map((r) => r.usageMetadata));
    if (usage) closing.usageMetadata = usage;
    return [this.encode(closing, false)];
  }

  fail(failure: StreamFailure): SseEvent[] {
    this.failed = true;
    // Google's SDK raises an ApiError for a chunk carrying an `error` object with an HTTP status code.
    return [{ event: '', data: JSON.stringify(streamError(failure, geminiError, errorBody)) }];
  }

  /** Record one part of the current round; the parts to send the client now. */
  private take(part: WireObject): WireObject[] {
    const previous = this.parts.at(-1);
    if (continues(previous, part) && previous) {
      previous.text = `${previous.text}${part.text}`;
      if (part.thoughtSignature !== undefined) previous.thoughtSignature = part.thoughtSignature;
    } else {
      this.parts.push({ ...part });
    }
    const call = part.functionCall;
    if (isObject(call)) {
      if (!this.answered.has(String(call.name))) {
        const key = JSON.stringify([call.name, call.args ?? {}]);
        this.held.delete(key);
        // The round's own copy, so `endRound` can find it to sign.
        this.held.set(key, this.parts.at(-1) ?? part);
      }
      return [];
    }
    if (!isAnswerText(part)) return [part];
    const startsRound = !this.roundStarted;
    this.roundStarted = true;
    const joined =
      startsRound && this.wroteText ? { ...part, text: `${ROUND_TEXT_SEPARATOR}${part.text}` } : part;
    this.wroteText = true;
    return [joined];
  }

  /** A chunk as the client gets it: the first round's id, and with `addEarlier`, the earlier rounds' usage. */
  private encode(chunk: WireObject, addEarlier: boolean): SseEvent {
    const out: WireObject = { ...chunk };
    if (this.first?.responseId !== undefined) out.responseId = this.first.responseId;
    if (addEarlier && isObject(chunk.usageMetadata)) {
      out.usageMetadata = sumUsage([...this.responses.map((r) => r.usageMetadata), chunk.usageMetadata]);
    }
    return { event: '', data: JSON.stringify(out) };
  }
}
