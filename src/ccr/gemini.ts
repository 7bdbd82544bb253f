// The retrieve loop's Gemini shapes: the model's `functionCall` parts in a GenerateContentResponse, the model
// turn and `functionResponse` answers that continue a turn, and the rounds folded into one response.

import { isObject, type WireObject } from '../providers/types.js';
import { RETRIEVE_TOOL_NAME } from './tool.js';

/** A call the model asks the client to run: the part that carries it, its name, id ('' when none) and args. */
export interface GeminiCall {
  item: WireObject;
  name: string;
  callId: string;
  args: unknown;
}

/** The answer of one headroom_retrieve call. */
export interface GeminiResult {
  callId: string;
  content: string;
}

function objects(value: unknown): WireObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The first candidate, the one every client reads. */
export function geminiCandidate(response: WireObject): WireObject {
  return objects(response.candidates)[0] ?? {};
}

/** The parts of the first candidate's content. */
export function geminiParts(response: WireObject): WireObject[] {
  const content = geminiCandidate(response).content;
  return isObject(content) ? objects(content.parts) : [];
}

export function geminiCalls(response: WireObject): GeminiCall[] {
  return geminiParts(response).flatMap((part) => {
    const call = part.functionCall;
    if (!isObject(call)) return [];
    const callId = typeof call.id === 'string' ? call.id : '';
    return [{ item: part, name: String(call.name), callId, args: call.args }];
  });
}

/** Cut short by the token limit: a call in it may be incomplete. */
export function geminiTruncated(response: WireObject): boolean {
  return geminiCandidate(response).finishReason === 'MAX_TOKENS';
}

/** The model turn to send back upstream: the parts as the model wrote them, minus `dropped` ones. */
export function geminiModelTurn(response: WireObject, dropped: ReadonlySet<WireObject>): WireObject[] {
  return [{ role: 'model', parts: geminiParts(response).filter((part) => !dropped.has(part)) }];
}

/** `body` continued with the model turn and a user turn answering each headroom_retrieve call. */
export function geminiContinue(
  body: WireObject,
  turn: readonly WireObject[],
  results: readonly GeminiResult[],
): WireObject {
  const answers = results.map((r) => ({
    functionResponse: {
      ...(r.callId ? { id: r.callId } : {}),
      name: RETRIEVE_TOOL_NAME,
      response: { output: r.content },
    },
  }));
  return { ...body, contents: [...objects(body.contents), ...turn, { role: 'user', parts: answers }] };
}

/** True for a part that is answer text (not a thought), where a round's text starts. */
export function isAnswerText(part: WireObject): boolean {
  return typeof part.text === 'string' && part.text !== '' && !part.thought;
}

/**
 * One response from a turn's rounds: every part the model wrote in every round (a later round's text set
 * off by `separator`), then the agent's calls; no headroom_retrieve; usage summed by the caller.
 */
export function geminiMerge(
  responses: readonly WireObject[],
  calls: ReadonlySet<WireObject>,
  agentCalls: readonly WireObject[],
  usage: WireObject | null,
  separator: string,
): WireObject {
  const first = responses[0] ?? {};
  const last = responses.at(-1) ?? {};
  let wroteText = false;
  const parts = responses.flatMap((response) => {
    let startsRound = true;
    return geminiParts(response)
      .filter((part) => !calls.has(part))
      .map((part) => {
        if (!isAnswerText(part)) return part;
        const joined = startsRound && wroteText ? { ...part, text: `${separator}${part.text}` } : part;
        startsRound = false;
        wroteText = true;
        return joined;
      });
  });
  const candidate = geminiCandidate(last);
  const content = isObject(candidate.content) ? candidate.content : { role: 'model' };
  const merged: WireObject = {
    ...last,
    candidates: [{ ...candidate, content: { ...content, parts: [...parts, ...agentCalls] } }],
  };
  if (usage) merged.usageMetadata = usage;
  if (first.responseId !== undefined) merged.responseId = first.responseId;
  return merged;
}

/**
 * The chunks of `streamGenerateContent` without `alt=sse` (one JSON array) as the one response they add up
 * to: the parts of every chunk in order, the last chunk's finish reason and usage (a running total).
 */
export function joinGeminiChunks(chunks: readonly unknown[]): WireObject | undefined {
  const all = chunks.filter(isObject);
  const last = all.at(-1);
  if (!last) return undefined;
  const candidate = geminiCandidate(last);
  const content = isObject(candidate.content) ? candidate.content : { role: 'model' };
  const parts = all.flatMap(geminiParts);
  const usage = all.findLast((chunk) => isObject(chunk.usageMetadata))?.usageMetadata;
  return {
    ...last,
    candidates: [{ ...candidate, content: { ...content, parts } }],
    ...(usage ? { usageMetadata: usage } : {}),
  };
}
