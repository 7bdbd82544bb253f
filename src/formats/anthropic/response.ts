// Anthropic Messages responses in the loop of tools the proxy answers: the tool_use blocks the client must run, the request
// that continues a turn with tool results, and the rounds of a turn folded into one message.

import { tokenCount, usageIn } from '../define.js';
import type { CallReader, Rounds, UpstreamUsage, WireFormat } from '../types.js';
import { isObject, objects, parseJson, type WireObject } from '../wire.js';

export const anthropicCalls: CallReader = {
  clientCalls: (response) =>
    objects(response.content)
      .filter((block) => block.type === 'tool_use')
      .map((block) => ({
        item: block,
        name: String(block.name),
        callId: String(block.id),
        args: block.input,
      })),
  isAnswered: (call, answered) => answered.has(call.name),
  truncated: (response) => response.stop_reason === 'max_tokens',
};

export const continueWith: WireFormat['continueWith'] = (body, response, held, results) => {
  const turn = { role: 'assistant', content: objects(response.content).filter((b) => !held.has(b)) };
  const answers = {
    role: 'user',
    content: results.map((r) => ({ type: 'tool_result', tool_use_id: r.callId, content: r.content })),
  };
  return { ...body, messages: [...objects(body.messages), turn, answers] };
};

/** The stop reason the client sees: "tool use" when agent calls remain, else the last round's own. */
export function finalStopReason(last: WireObject, hasAgentCalls: boolean): unknown {
  if (hasAgentCalls) return 'tool_use';
  return last.stop_reason === 'tool_use' ? 'end_turn' : last.stop_reason;
}

/** The rounds as one message: every round's content but the calls, then the agent's calls; the first id. */
export function merge({ responses, agentCalls, allCalls, usage }: Rounds): WireObject {
  const first = responses[0] ?? {};
  const last = responses.at(-1) ?? {};
  const content = responses.flatMap((r) => objects(r.content).filter((block) => !allCalls.has(block)));
  return {
    ...last,
    id: first.id,
    content: [...content, ...agentCalls],
    stop_reason: finalStopReason(last, agentCalls.length > 0),
    usage,
  };
}

/** Usage of a message (or of `message_delta`, which repeats only what changed: the rest keeps its value). */
export function usageFromResponse(payload: unknown, into: UpstreamUsage): void {
  const usage = usageIn(payload, 'usage', into);
  if (!usage) return;
  into.inputTokens = tokenCount(usage.input_tokens) ?? into.inputTokens;
  into.outputTokens = tokenCount(usage.output_tokens) ?? into.outputTokens;
  into.cacheReadTokens = tokenCount(usage.cache_read_input_tokens) ?? into.cacheReadTokens;
  into.cacheWriteTokens = tokenCount(usage.cache_creation_input_tokens) ?? into.cacheWriteTokens;
}

export function usageFromEvent(event: string, data: string, into: UpstreamUsage): void {
  if (event !== 'message_start' && event !== 'message_delta') return;
  const payload = parseJson(data);
  usageFromResponse(isObject(payload) && isObject(payload.message) ? payload.message : payload, into);
}

// The error types the API gives each status; any other is an api_error.
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export function errorBody(status: number, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } });
}

/** An error body of the API's (`{"type":"error","error":{…}}`), which is also what its `error` event carries. */
export function anthropicError(parsed: unknown): WireObject | undefined {
  return isObject(parsed) && parsed.type === 'error' && isObject(parsed.error) ? parsed : undefined;
}
