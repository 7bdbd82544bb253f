// Gemini responses in the retrieve loop: the model's `functionCall` parts in a GenerateContentResponse, the
// model turn and `functionResponse` answers that continue a turn, and the rounds folded into one response.

import { ROUND_TEXT_SEPARATOR } from '../../tools/rounds.js';
import { tokenCount, usageIn } from '../define.js';
import type { CallReader, Rounds, UpstreamUsage, WireFormat } from '../types.js';
import { isObject, objects, parseJson, type WireObject } from '../wire.js';

/** The first candidate, the one every client reads. */
export function geminiCandidate(response: WireObject): WireObject {
  return objects(response.candidates)[0] ?? {};
}

/** The parts of the first candidate's content. */
export function geminiParts(response: WireObject): WireObject[] {
  const content = geminiCandidate(response).content;
  return isObject(content) ? objects(content.parts) : [];
}

/** Calls are parts with a `functionCall`; one without an id (the API gives none unless asked) has id ''. */
export const geminiCalls: CallReader = {
  clientCalls: (response) =>
    geminiParts(response).flatMap((part) => {
      const call = part.functionCall;
      if (!isObject(call)) return [];
      const callId = typeof call.id === 'string' ? call.id : '';
      return [{ item: part, name: String(call.name), callId, args: call.args }];
    }),
  isAnswered: (call, answered) => answered.has(call.name),
  truncated: (response) => geminiCandidate(response).finishReason === 'MAX_TOKENS',
};

const isCall = (part: WireObject) => isObject(part.functionCall);

/**
 * Gemini 3 refuses a step with calls but no thought signature on its first call, and when the model calls
 * several tools at once only the first carries it. When the proxy takes that call out of a step (its own
 * call, or the agent's held for the end of the turn), the first call left must carry the signature: that
 * call and it signed, or undefined when no call needs it.
 */
export function signatureHeir(
  step: readonly WireObject[],
  taken: (part: WireObject) => boolean,
): [WireObject, WireObject] | undefined {
  const signed = step.find(isCall);
  if (signed?.thoughtSignature === undefined || !taken(signed)) return undefined;
  const heir = step.find((part) => isCall(part) && !taken(part));
  if (!heir || heir.thoughtSignature !== undefined) return undefined;
  return [heir, { ...heir, thoughtSignature: signed.thoughtSignature }];
}

/** `body` continued with the model turn (minus the agent's held calls) and a user turn answering each call. */
export const continueWith: WireFormat['continueWith'] = (body, response, held, results) => {
  const step = geminiParts(response);
  const heir = signatureHeir(step, (part) => held.has(part));
  const parts = step.filter((part) => !held.has(part)).map((part) => (part === heir?.[0] ? heir[1] : part));
  const turn = { role: 'model', parts };
  const answers = results.map((r) => ({
    functionResponse: {
      ...(r.callId ? { id: r.callId } : {}),
      name: r.name,
      response: { output: r.content },
    },
  }));
  return { ...body, contents: [...objects(body.contents), turn, { role: 'user', parts: answers }] };
};

/** True for a part that is answer text (not a thought), where a round's text starts. */
export function isAnswerText(part: WireObject): boolean {
  return typeof part.text === 'string' && part.text !== '' && !part.thought;
}

/**
 * One response from a turn's rounds: every part the model wrote in every round (a later round's text set
 * off by a paragraph break), then the agent's calls; no headroom_retrieve.
 */
export function merge({ responses, allCalls: calls, agentCalls, usage }: Rounds): WireObject {
  const separator = ROUND_TEXT_SEPARATOR;
  const first = responses[0] ?? {};
  const last = responses.at(-1) ?? {};
  let wroteText = false;
  // An agent's call whose round's signature was on the proxy's call takes it, as the client sends it back.
  const agents = new Set(agentCalls);
  const heirs = new Map(
    responses.flatMap((response) => {
      const heir = signatureHeir(geminiParts(response), (part) => calls.has(part) && !agents.has(part));
      return heir ? [heir] : [];
    }),
  );
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
    candidates: [
      {
        ...candidate,
        content: { ...content, parts: [...parts, ...agentCalls.map((call) => heirs.get(call) ?? call)] },
      },
    ],
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

/**
 * `usageMetadata`, whose prompt count includes cached content: it moves to `cacheReadTokens`. Thinking is
 * counted apart from the answer (`thoughtsTokenCount`) and billed as output, as the other APIs count it.
 */
export function usageFromResponse(payload: unknown, into: UpstreamUsage): void {
  const usage = usageIn(payload, 'usageMetadata', into);
  if (!usage) return;
  const cached = tokenCount(usage.cachedContentTokenCount) ?? 0;
  const prompt = tokenCount(usage.promptTokenCount);
  if (prompt !== undefined) into.inputTokens = prompt - cached;
  into.cacheReadTokens = cached;
  const answer = tokenCount(usage.candidatesTokenCount);
  const thoughts = tokenCount(usage.thoughtsTokenCount);
  if (answer !== undefined || thoughts !== undefined) into.outputTokens = (answer ?? 0) + (thoughts ?? 0);
}

/** Chunks are unnamed events; each carries the running usage. */
export function usageFromEvent(event: string, data: string, into: UpstreamUsage): void {
  if (event !== '' || !data.includes('"usageMetadata')) return;
  usageFromResponse(parseJson(data), into);
}

// The status names Google gives each HTTP status; any other is UNAVAILABLE.
const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  504: 'DEADLINE_EXCEEDED',
};

export function errorBody(status: number, message: string): string {
  return JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNAVAILABLE' } });
}

/** A Google error body (`{"error":{code, message, status}}`, inside an array from a chunked call). */
export function geminiError(parsed: unknown): WireObject | undefined {
  const body = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : parsed;
  return isObject(body) && isObject(body.error) ? { error: body.error } : undefined;
}
