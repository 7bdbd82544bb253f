// The proxy's retrieve loop as pure functions per wire format: find the model's headroom_retrieve calls in
// a response, build the request that continues the turn with their answers, and fold the rounds into one.
//
// How the proxy drives it (non-streaming; `RetrieveStream` is the streaming counterpart):
//   responses = [await upstream(body)]
//   while (calls = findRetrieveCalls(format, last).calls; calls.length && rounds < retrieveMaxRounds)
//     { results, retrievals } = answerRetrieveCalls(calls, store)      // retrievals -> stats
//     body = continueWithResults(format, body, last, results); responses.push(await upstream(body))
//   reply mergeResponses(format, responses)
//
// When the model calls headroom_retrieve together with the agent's own tools, the agent's calls are held
// back: the turn continues upstream with only our calls answered (an API needs a result for every call in
// a turn, and only the agent can produce those), and the held calls reach the agent in the merged response
// after everything the model wrote, unless a later round repeats the same call.

import { isObject, type WireFormat, type WireObject } from '../providers/types.js';
import type { OriginalStore } from '../store/types.js';
import {
  geminiCalls,
  geminiCandidate,
  geminiContinue,
  geminiMerge,
  geminiModelTurn,
  geminiTruncated,
} from './gemini.js';
import { answerRetrieveCall, type Retrieval } from './retrieve.js';
import { RETRIEVE_TOOL_NAME, type RetrieveToolInput } from './tool.js';

/** One `headroom_retrieve` call the model made. */
export interface RetrieveCall extends RetrieveToolInput {
  /** The call's id on the wire (`tool_use.id` / `tool_calls[].id` / `call_id`). */
  callId: string;
}

export interface FoundRetrieveCalls {
  calls: RetrieveCall[];
  /** The same response also calls tools of the agent's own. */
  otherToolCalls: boolean;
}

/** The answer to one call, as the tool result the model will read. */
export interface RetrieveToolResult {
  callId: string;
  content: string;
}

// Consecutive rounds' text joins with a paragraph break (Chat has a single content string).
export const ROUND_TEXT_SEPARATOR = '\n\n';

// Responses items the client executes; every other output item is content or ran server-side.
export const RESPONSES_CLIENT_CALLS: ReadonlySet<string> = new Set([
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'shell_call',
  'apply_patch_call',
  'computer_call',
]);

function objects(value: unknown): WireObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Normalise a call's arguments; a malformed one gets id '' and is answered "not a headroom id". */
export function retrieveInput(value: unknown): RetrieveToolInput {
  const args = parseArguments(value);
  if (!isObject(args)) return { id: '' };
  const input: RetrieveToolInput = { id: typeof args.id === 'string' ? args.id.trim() : '' };
  if (typeof args.query === 'string' && args.query.trim()) input.query = args.query;
  if (typeof args.offset === 'number' && Number.isFinite(args.offset)) input.offset = args.offset;
  return input;
}

/** A tool call in a response, in whichever shape the format uses. */
interface WireCall {
  /** The block / tool_calls entry / output item itself. */
  item: WireObject;
  name: string;
  callId: string;
  args: unknown;
}

function chatMessage(response: WireObject): WireObject {
  const choice = objects(response.choices)[0];
  return choice && isObject(choice.message) ? choice.message : {};
}

/** Calls a model response asks the client to run (ours and the agent's), in order. */
function clientCalls(format: WireFormat, response: WireObject): WireCall[] {
  switch (format) {
    case 'anthropic':
      return objects(response.content)
        .filter((block) => block.type === 'tool_use')
        .map((block) => ({
          item: block,
          name: String(block.name),
          callId: String(block.id),
          args: block.input,
        }));
    case 'openai-chat':
      return objects(chatMessage(response).tool_calls).map((call) => {
        const fn = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
        return { item: call, name: String(fn.name), callId: String(call.id), args: fn.arguments ?? fn.input };
      });
    case 'openai-responses':
      return objects(response.output)
        .filter((item) => RESPONSES_CLIENT_CALLS.has(String(item.type)))
        .map((item) => ({
          item,
          name: item.type === 'function_call' || item.type === 'custom_tool_call' ? String(item.name) : '',
          callId: String(item.call_id),
          args: item.arguments ?? item.input,
        }));
    case 'gemini':
      return geminiCalls(response);
  }
}

function isRetrieveCall(format: WireFormat, call: WireCall): boolean {
  return (
    call.name === RETRIEVE_TOOL_NAME && (format !== 'openai-responses' || call.item.type === 'function_call')
  );
}

/** True when the response was cut short (token limit), so a call in it may be incomplete. */
function truncated(format: WireFormat, response: WireObject): boolean {
  switch (format) {
    case 'anthropic':
      return response.stop_reason === 'max_tokens';
    case 'openai-chat':
      return objects(response.choices)[0]?.finish_reason === 'length';
    case 'openai-responses':
      return response.status !== undefined && response.status !== 'completed';
    case 'gemini':
      return geminiTruncated(response);
  }
}

/**
 * The headroom_retrieve calls in one upstream response (JSON, or as assembled by `RetrieveStream`).
 * A response cut short by the token limit yields none: its calls may be incomplete.
 */
export function findRetrieveCalls(format: WireFormat, response: WireObject): FoundRetrieveCalls {
  const all = clientCalls(format, response);
  const ours = all.filter((call) => isRetrieveCall(format, call));
  const calls = truncated(format, response)
    ? []
    : ours.map((call) => ({ callId: call.callId, ...retrieveInput(call.args) }));
  return { calls, otherToolCalls: ours.length < all.length };
}

/** Answer the calls from the store; `retrievals` are the figures for stats (`retrievals`, `retrieved_bytes`). */
export async function answerRetrieveCalls(
  calls: readonly RetrieveCall[],
  store: OriginalStore,
): Promise<{ results: RetrieveToolResult[]; retrievals: Retrieval[] }> {
  const results: RetrieveToolResult[] = [];
  const retrievals: Retrieval[] = [];
  for (const { callId, ...input } of calls) {
    const { content, retrieval } = await answerRetrieveCall(input, store);
    results.push({ callId, content });
    retrievals.push(retrieval);
  }
  return { results, retrievals };
}

/** The assistant turn to send back upstream: as the model wrote it, minus the agent's held calls. */
function assistantTurnWithoutAgentCalls(format: WireFormat, response: WireObject): WireObject[] {
  const agentCalls = new Set(
    clientCalls(format, response)
      .filter((call) => !isRetrieveCall(format, call))
      .map((call) => call.item),
  );
  switch (format) {
    case 'anthropic':
      return [{ role: 'assistant', content: objects(response.content).filter((b) => !agentCalls.has(b)) }];
    case 'openai-chat': {
      const message = chatMessage(response);
      const turn: WireObject = {
        role: 'assistant',
        content: message.content ?? null,
        tool_calls: objects(message.tool_calls).filter((c) => !agentCalls.has(c)),
      };
      // Compatible servers that think aloud (e.g. DeepSeek) need their reasoning back within a tool loop.
      if (message.reasoning_content !== undefined) turn.reasoning_content = message.reasoning_content;
      return [turn];
    }
    case 'openai-responses':
      return objects(response.output).filter((item) => !agentCalls.has(item));
    case 'gemini':
      return geminiModelTurn(response, agentCalls);
  }
}

/**
 * Output items to send back as input. When the client does not store responses, a reasoning item can only
 * go back by value (with `encrypted_content`); one without it is dropped, and the other items then lose
 * their ids, since an id ties them to the reasoning item the API would look for.
 */
function replayableOutput(items: WireObject[], body: WireObject): WireObject[] {
  if (body.store !== false) return items;
  const kept = items.filter((item) => item.type !== 'reasoning' || item.encrypted_content);
  if (kept.length === items.length) return items;
  return kept.map(({ id: _id, ...item }) => item);
}

/**
 * The next request of the turn: `body` plus the assistant turn the model produced (without the agent's
 * own calls) and a tool result per answered headroom_retrieve call. Everything else in `body` is kept.
 * A Responses request that continues a stored conversation (`previous_response_id`) continues from the
 * round's response instead, with only the tool results as input.
 */
export function continueWithResults(
  format: WireFormat,
  body: WireObject,
  response: WireObject,
  results: readonly RetrieveToolResult[],
): WireObject {
  const turn = assistantTurnWithoutAgentCalls(format, response);
  switch (format) {
    case 'anthropic':
      return {
        ...body,
        messages: [
          ...objects(body.messages),
          ...turn,
          {
            role: 'user',
            content: results.map((r) => ({ type: 'tool_result', tool_use_id: r.callId, content: r.content })),
          },
        ],
      };
    case 'openai-chat':
      return {
        ...body,
        messages: [
          ...objects(body.messages),
          ...turn,
          ...results.map((r) => ({ role: 'tool', tool_call_id: r.callId, content: r.content })),
        ],
      };
    case 'openai-responses': {
      const outputs = results.map((r) => ({
        type: 'function_call_output',
        call_id: r.callId,
        output: r.content,
      }));
      // A conversation kept server-side goes on from the round's own response: only the answers are new.
      if (typeof body.previous_response_id === 'string' && typeof response.id === 'string')
        return { ...body, previous_response_id: response.id, input: outputs };
      const input =
        typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : objects(body.input);
      return { ...body, input: [...input, ...replayableOutput(turn, body), ...outputs] };
    }
    case 'gemini':
      return geminiContinue(body, turn, results);
  }
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
      else if (value !== null || current === undefined) sum[key] = value;
    }
  }
  return sum;
}

/** Identity of a call for spotting a later round repeating it: everything but its ids. */
export function callKey(call: WireObject): string {
  const { id: _id, call_id: _callId, status: _status, ...rest } = call;
  if (isObject(rest.function)) {
    const { arguments: args, ...fn } = rest.function;
    return JSON.stringify({ ...rest, function: { ...fn, arguments: parseArguments(args) ?? args } });
  }
  if (typeof rest.arguments === 'string')
    return JSON.stringify({ ...rest, arguments: parseArguments(rest.arguments) });
  return JSON.stringify(rest);
}

/**
 * The agent's calls of all rounds in the order they reach the client: a call a later round repeats is
 * dropped from the earlier round, so the agent runs it once.
 */
export function agentCallsOfRounds(format: WireFormat, responses: readonly WireObject[]): WireObject[] {
  const calls = responses.flatMap((response) =>
    clientCalls(format, response)
      .filter((call) => !isRetrieveCall(format, call))
      .map((call) => call.item),
  );
  const lastIndexOf = new Map(calls.map((call, i) => [callKey(call), i]));
  return calls.filter((call, i) => lastIndexOf.get(callKey(call)) === i);
}

/** The stop reason the client sees: "tool use" when agent calls remain, else the last round's own. */
export function finalStopReason(format: WireFormat, last: WireObject, hasAgentCalls: boolean): unknown {
  switch (format) {
    case 'anthropic':
      if (hasAgentCalls) return 'tool_use';
      return last.stop_reason === 'tool_use' ? 'end_turn' : last.stop_reason;
    case 'openai-chat': {
      const reason = objects(last.choices)[0]?.finish_reason;
      if (hasAgentCalls) return 'tool_calls';
      return reason === 'tool_calls' ? 'stop' : reason;
    }
    case 'openai-responses':
      return last.status;
    case 'gemini':
      return geminiCandidate(last).finishReason;
  }
}

/**
 * One response for the client from the rounds of a turn: everything the model wrote in every round, then
 * the agent's calls; no trace of headroom_retrieve; usage summed over the rounds. The id is the first
 * round's, except for the Responses API where the last round's id is the one a client can continue from
 * (`previous_response_id`).
 */
export function mergeResponses(format: WireFormat, responses: readonly WireObject[]): WireObject {
  const first = responses[0];
  const last = responses.at(-1);
  if (!first || !last) throw new TypeError('mergeResponses needs at least one response');
  const agentCalls = agentCallsOfRounds(format, responses);
  const allCalls = new Set(responses.flatMap((r) => clientCalls(format, r).map((call) => call.item)));
  const usage = sumUsage(responses.map((r) => (format === 'gemini' ? r.usageMetadata : r.usage)));
  switch (format) {
    case 'anthropic': {
      const content = responses.flatMap((r) => objects(r.content).filter((block) => !allCalls.has(block)));
      return {
        ...last,
        id: first.id,
        content: [...content, ...agentCalls],
        stop_reason: finalStopReason(format, last, agentCalls.length > 0),
        usage,
      };
    }
    case 'openai-chat': {
      const texts = responses
        .map((r) => chatMessage(r).content)
        .filter((text): text is string => typeof text === 'string' && text !== '');
      const { tool_calls: _calls, ...message } = chatMessage(last);
      const merged: WireObject = {
        ...message,
        content: texts.length ? texts.join(ROUND_TEXT_SEPARATOR) : null,
      };
      if (agentCalls.length) merged.tool_calls = agentCalls;
      const [choice, ...others] = objects(last.choices);
      const finish = finalStopReason(format, last, agentCalls.length > 0);
      return {
        ...last,
        id: first.id,
        choices: [{ ...choice, message: merged, finish_reason: finish }, ...others],
        ...(usage ? { usage } : {}),
      };
    }
    case 'openai-responses': {
      const output = responses.flatMap((r) => objects(r.output).filter((item) => !allCalls.has(item)));
      return { ...last, output: [...output, ...agentCalls], usage };
    }
    case 'gemini':
      return geminiMerge(responses, allCalls, agentCalls, usage, ROUND_TEXT_SEPARATOR);
  }
}
