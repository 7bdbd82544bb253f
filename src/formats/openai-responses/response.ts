// OpenAI Responses in the loop of answered tools: the output items the client executes, the request that continues a
// turn with `function_call_output` items (or from the round's stored response), and the rounds as one response.

import { tokenCount, usageIn } from '../define.js';
import type { CallReader, Rounds, UpstreamUsage, WireFormat } from '../types.js';
import { isObject, objects, parseJson, type WireObject } from '../wire.js';

/** Output items the client executes; every other output item is content or ran server-side. */
export const CLIENT_CALL_TYPES: ReadonlySet<string> = new Set([
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'shell_call',
  'apply_patch_call',
  'computer_call',
]);

const NAMED_CALL_TYPES = new Set(['function_call', 'custom_tool_call']);

export const responsesCalls: CallReader = {
  clientCalls: (response) =>
    objects(response.output)
      .filter((item) => CLIENT_CALL_TYPES.has(String(item.type)))
      .map((item) => ({
        item,
        name: NAMED_CALL_TYPES.has(String(item.type)) ? String(item.name) : '',
        callId: String(item.call_id),
        args: item.arguments ?? item.input,
      })),
  isAnswered: (call, answered) => answered.has(call.name) && call.item.type === 'function_call',
  truncated: (response) => response.status !== undefined && response.status !== 'completed',
};

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
 * The next request of the turn. A Responses request that continues a stored conversation
 * (`previous_response_id`) continues from the round's response instead, with only the tool results as input.
 */
export const continueWith: WireFormat['continueWith'] = (body, response, held, results) => {
  const outputs = results.map((r) => ({
    type: 'function_call_output',
    call_id: r.callId,
    output: r.content,
  }));
  if (typeof body.previous_response_id === 'string' && typeof response.id === 'string')
    return { ...body, previous_response_id: response.id, input: outputs };
  const turn = objects(response.output).filter((item) => !held.has(item));
  const input =
    typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : objects(body.input);
  return { ...body, input: [...input, ...replayableOutput(turn, body), ...outputs] };
};

/** The rounds as one response; its id is the last round's, the one a client can continue from. */
export function merge({ responses, agentCalls, allCalls, usage }: Rounds): WireObject {
  const last = responses.at(-1) ?? {};
  const output = responses.flatMap((r) => objects(r.output).filter((item) => !allCalls.has(item)));
  return { ...last, output: [...output, ...agentCalls], usage };
}

/** Usage with `input_tokens`, which counts cached tokens too: they move to `cacheReadTokens`. */
export function usageFromResponse(payload: unknown, into: UpstreamUsage): void {
  const usage = usageIn(payload, 'usage', into);
  if (!usage) return;
  const input = tokenCount(usage.input_tokens);
  into.outputTokens = tokenCount(usage.output_tokens) ?? into.outputTokens;
  // Compatible servers may leave the details out: then nothing is known of the cache.
  if (!isObject(usage.input_tokens_details)) {
    into.inputTokens = input ?? into.inputTokens;
    return;
  }
  const cached = tokenCount(usage.input_tokens_details.cached_tokens) ?? 0;
  if (input !== undefined) into.inputTokens = input - cached;
  into.cacheReadTokens = cached;
}

const CLOSING_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Only the closing event carries usage: the response it closes. */
export function usageFromEvent(event: string, data: string, into: UpstreamUsage): void {
  if (!CLOSING_EVENTS.has(event)) return;
  const payload = parseJson(data);
  if (isObject(payload)) usageFromResponse(payload.response, into);
}
