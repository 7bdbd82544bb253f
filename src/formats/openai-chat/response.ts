// OpenAI Chat Completions responses in the retrieve loop: the `tool_calls` the client must run, the request
// that continues a turn with `role: "tool"` answers, and the rounds of a turn folded into one completion.

import { ROUND_TEXT_SEPARATOR } from '../../tools/rounds.js';
import { tokenCount, usageIn } from '../define.js';
import type { CallReader, Rounds, UpstreamUsage, WireFormat } from '../types.js';
import { isObject, objects, parseJson, type WireObject } from '../wire.js';

/** The first choice's message, the one every client reads. */
export function chatMessage(response: WireObject): WireObject {
  const choice = objects(response.choices)[0];
  return choice && isObject(choice.message) ? choice.message : {};
}

export const chatCalls: CallReader = {
  clientCalls: (response) =>
    objects(chatMessage(response).tool_calls).map((call) => {
      const fn = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
      return { item: call, name: String(fn.name), callId: String(call.id), args: fn.arguments ?? fn.input };
    }),
  isAnswered: (call, answered) => answered.has(call.name),
  truncated: (response) => objects(response.choices)[0]?.finish_reason === 'length',
};

export const continueWith: WireFormat['continueWith'] = (body, response, held, results) => {
  const message = chatMessage(response);
  const turn: WireObject = {
    role: 'assistant',
    content: message.content ?? null,
    tool_calls: objects(message.tool_calls).filter((c) => !held.has(c)),
  };
  // Compatible servers that think aloud (e.g. DeepSeek) need their reasoning back within a tool loop.
  if (message.reasoning_content !== undefined) turn.reasoning_content = message.reasoning_content;
  const answers = results.map((r) => ({ role: 'tool', tool_call_id: r.callId, content: r.content }));
  return { ...body, messages: [...objects(body.messages), turn, ...answers] };
};

/** The finish reason the client sees: "tool_calls" when agent calls remain, else the last round's own. */
export function finalStopReason(last: WireObject, hasAgentCalls: boolean): unknown {
  const reason = objects(last.choices)[0]?.finish_reason;
  if (hasAgentCalls) return 'tool_calls';
  return reason === 'tool_calls' ? 'stop' : reason;
}

/** The rounds as one completion: the rounds' texts joined, then the agent's calls; the first id. */
export function merge({ responses, agentCalls, usage }: Rounds): WireObject {
  const first = responses[0] ?? {};
  const last = responses.at(-1) ?? {};
  const texts = responses
    .map((r) => chatMessage(r).content)
    .filter((text): text is string => typeof text === 'string' && text !== '');
  const { tool_calls: _calls, ...message } = chatMessage(last);
  const merged: WireObject = { ...message, content: texts.length ? texts.join(ROUND_TEXT_SEPARATOR) : null };
  if (agentCalls.length) merged.tool_calls = agentCalls;
  const [choice, ...others] = objects(last.choices);
  const finish = finalStopReason(last, agentCalls.length > 0);
  return {
    ...last,
    id: first.id,
    choices: [{ ...choice, message: merged, finish_reason: finish }, ...others],
    ...(usage ? { usage } : {}),
  };
}

/** Usage with `prompt_tokens`, which counts cached tokens too: they move to `cacheReadTokens`. */
export function usageFromResponse(payload: unknown, into: UpstreamUsage): void {
  const usage = usageIn(payload, 'usage', into);
  if (!usage || (usage.prompt_tokens === undefined && usage.completion_tokens === undefined)) return;
  const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = tokenCount(details.cached_tokens) ?? 0;
  const prompt = tokenCount(usage.prompt_tokens);
  if (prompt !== undefined) into.inputTokens = prompt - cached;
  into.cacheReadTokens = cached;
  into.outputTokens = tokenCount(usage.completion_tokens) ?? into.outputTokens;
}

/** The usage chunk (`stream_options.include_usage`) is the only one whose usage is not null. */
export function usageFromEvent(event: string, data: string, into: UpstreamUsage): void {
  if (event !== '' || !data.includes('"usage') || data.includes('"usage":null')) return;
  usageFromResponse(parseJson(data), into);
}

/** OpenAI's error shape, which the Chat and Responses APIs share. */
export function openaiErrorBody(status: number, message: string): string {
  const type = status === 401 ? 'invalid_request_error' : 'upstream_error';
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}

/** The error object of an OpenAI error body (`{"error":{message, type, param, code}}`). */
export function openaiError(parsed: unknown): WireObject | undefined {
  return isObject(parsed) && isObject(parsed.error) ? parsed.error : undefined;
}
