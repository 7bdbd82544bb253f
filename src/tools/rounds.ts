// What every format's loop of answered tools shares: finding the model's calls of the tools the proxy
// answers in a round, holding the agent's own calls back until the last round (a call a later round repeats
// goes out once), and adding the rounds' usage up.

import type { AnsweredTools, CallReader, FoundCalls, RoundResult, WireCall } from '../formats/types.js';
import { isObject, parseJson, type WireObject } from '../formats/wire.js';
import type { SseEvent } from '../sse.js';

// Consecutive rounds' text joins with a paragraph break (Chat has a single content string).
export const ROUND_TEXT_SEPARATOR = '\n\n';

/**
 * The calls of the `answered` tools in one upstream response, their arguments parsed. A response cut short by
 * the token limit yields none: its calls may be incomplete.
 */
export function findAnsweredCalls(
  reader: CallReader,
  response: WireObject,
  answered: AnsweredTools,
): FoundCalls {
  const all = reader.clientCalls(response);
  const ours = all.filter((call) => reader.isAnswered(call, answered));
  const calls = reader.truncated(response)
    ? []
    : ours.map((call) => ({ callId: call.callId, name: call.name, args: parsedArguments(call.args) }));
  return { calls, otherToolCalls: ours.length < all.length };
}

/** The agent's own calls in a response (every client call but those of the `answered` tools). */
export function agentCalls(reader: CallReader, response: WireObject, answered: AnsweredTools): WireCall[] {
  return reader.clientCalls(response).filter((call) => !reader.isAnswered(call, answered));
}

/** Sum every numeric field (nested ones too) of the rounds' usage objects; other fields come from the last. */
export function sumUsage(usages: readonly unknown[]): WireObject | null {
  const present = usages.filter(isObject);
  if (present.length === 0) return null;
  const sum: WireObject = {};
  for (const usage of present) {
    for (const [key, value] of Object.entries(usage)) {
      const current = sum[key];
      if (typeof value === 'number') sum[key] = (typeof current === 'number' ? current : 0) + value;
      else if (isObject(value)) sum[key] = sumUsage([current, value].filter(isObject));
      else if (Array.isArray(value) && value.every(isObject))
        sum[key] = sumEntries(Array.isArray(current) ? current : [], value);
      else if (value !== null || current === undefined) sum[key] = value;
    }
  }
  return sum;
}

/**
 * Lists of counts (Gemini's `promptTokensDetails: [{ modality: 'TEXT', tokenCount }]`) summed entry by entry,
 * an entry being the one with the same fields that are not numbers; new entries go last.
 */
function sumEntries(sum: readonly unknown[], entries: readonly WireObject[]): WireObject[] {
  const identity = (entry: WireObject) =>
    JSON.stringify(Object.entries(entry).filter(([, value]) => typeof value !== 'number'));
  const out = sum.filter(isObject);
  for (const entry of entries) {
    const at = out.findIndex((known) => identity(known) === identity(entry));
    if (at < 0) out.push(entry);
    else out[at] = sumUsage([out[at], entry]) ?? entry;
  }
  return out;
}

/** Arguments as an object when they came as JSON text (Chat, Responses); unparseable text is undefined. */
function parsedArguments(value: unknown): unknown {
  return typeof value === 'string' ? parseJson(value) : value;
}

/** Identity of a call for spotting a later round repeating it: everything but its ids. */
export function callKey(call: WireObject): string {
  const { id: _id, call_id: _callId, status: _status, ...rest } = call;
  if (isObject(rest.function)) {
    const { arguments: args, ...fn } = rest.function;
    return JSON.stringify({ ...rest, function: { ...fn, arguments: parsedArguments(args) ?? args } });
  }
  if (typeof rest.arguments === 'string')
    return JSON.stringify({ ...rest, arguments: parsedArguments(rest.arguments) });
  return JSON.stringify(rest);
}

/**
 * The agent's calls of all rounds in the order they reach the client: a call a later round repeats is
 * dropped from the earlier round, so the agent runs it once.
 */
export function agentCallsOfRounds(
  reader: CallReader,
  responses: readonly WireObject[],
  answered: AnsweredTools,
): WireObject[] {
  const calls = responses.flatMap((response) =>
    agentCalls(reader, response, answered).map((call) => call.item),
  );
  const lastIndexOf = new Map(calls.map((call, i) => [callKey(call), i]));
  return calls.filter((call, i) => lastIndexOf.get(callKey(call)) === i);
}

/** An agent call held back until the last round: what it calls (to spot a repeat) and how it streams. */
export interface HeldCall<T> {
  readonly key: string;
  call: T;
}

/**
 * Where a streamed block or item goes: to the client as it comes (at the client's own index), held with
 * its events until the last round (an agent's call), or nowhere (a call the proxy answers).
 */
export type StreamRoute =
  | { kind: 'live'; index: number }
  | { kind: 'held'; events: SseEvent[] }
  | { kind: 'ours' };

/** A held call's events with the upstream index they came with. */
export interface IndexedEvents {
  index: number;
  events: SseEvent[];
}

/** Queue a round's held calls after the earlier ones, dropping an earlier call the round repeats. */
export function queueHeld<T>(pending: HeldCall<T>[], round: HeldCall<T>[]): HeldCall<T>[] {
  if (!pending.length || !round.length) return [...pending, ...round];
  const repeated = new Set(round.map((call) => call.key));
  return [...pending.filter((call) => !repeated.has(call.key)), ...round];
}

/**
 * A round's result whose response is assembled from its events only when read: a round without a call the
 * proxy answers is not continued, so nobody needs it.
 */
export function lazyRound(
  reader: CallReader,
  answered: AnsweredTools,
  round: { ours: boolean; others: boolean; complete: boolean },
  assemble: () => WireObject,
): RoundResult {
  let response: WireObject | undefined;
  const read = () => {
    response ??= assemble();
    return response;
  };
  const found = round.ours
    ? findAnsweredCalls(reader, read(), answered)
    : { calls: [], otherToolCalls: round.others };
  return {
    ...found,
    complete: round.complete,
    get response() {
      return read();
    },
  };
}
