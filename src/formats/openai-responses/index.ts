// OpenAI Responses (`POST …/responses`): what Codex speaks, typed input items and typed stream events.

import { defineFormat } from '../define.js';
import { modelTextsOf, openingMessages } from '../history.js';
import { openaiCacheLifetimeMs } from '../openai-chat/index.js';
import { openaiErrorBody } from '../openai-chat/response.js';
import type { ToolDefinition, WireFormat } from '../types.js';
import { appendTool, isObject, type WireObject } from '../wire.js';
import { responsesOutput } from './output.js';
import { recognises, toolOutputs } from './request.js';
import { continueWith, merge, responsesCalls, usageFromEvent, usageFromResponse } from './response.js';
import { ResponsesRetrieveStream } from './stream.js';

/**
 * `body` with one more tool where the request lists its tools: appended to its `additional_tools` input item
 * when it declares them there and has no `tools`, or an empty list (as Codex 0.169 does with its default
 * model), else to `tools`. The item is the input's first and the same on every turn, so the addition is too
 * and the cached prefix holds.
 */
function withTool(body: WireObject, entry: WireObject): WireObject {
  const noTools = body.tools === undefined || (Array.isArray(body.tools) && body.tools.length === 0);
  if (noTools && Array.isArray(body.input)) {
    const at = body.input.findIndex(
      (item) => isObject(item) && item.type === 'additional_tools' && Array.isArray(item.tools),
    );
    if (at >= 0) {
      const item = body.input[at] as WireObject;
      const input = [...body.input];
      input[at] = { ...item, tools: [...(item.tools as unknown[]), entry] };
      return { ...body, input };
    }
  }
  return appendTool(body, entry);
}

// The model's items: its messages, and the calls it made (function and custom tool calls).
const byModel = (item: WireObject) =>
  item.role === 'assistant' || item.type === 'function_call' || item.type === 'custom_tool_call';

// Optional arguments are incompatible with strict mode, so say so instead of letting the API guess.
const toolEntry = (tool: ToolDefinition): WireObject => ({
  type: 'function',
  name: tool.name,
  description: tool.description,
  parameters: tool.inputSchema,
  strict: false,
});

export const openaiResponses: WireFormat = defineFormat({
  name: 'openai-responses',
  provider: 'openai',
  messagesKey: 'input',
  servesPath: (path) => path.endsWith('/responses'),
  recognises,
  toolOutputs,
  turns: {
    isUser: (item) => item.role === 'user' && (item.type === undefined || item.type === 'message'),
    contentKey: 'content',
    partText: (part) => (part.type === 'input_text' && typeof part.text === 'string' ? part.text : undefined),
    isToolPart: () => false,
    textPart: (text) => ({ type: 'input_text', text }),
  },
  modelTexts: (items) => modelTextsOf(items, byModel),
  conversationOpening: (body) => [body.instructions, body.tools, openingMessages(body.input, byModel)],
  cacheLifetimeMs: openaiCacheLifetimeMs,
  toolEntry,
  withTool: (body, tool) => withTool(body, toolEntry(tool)),
  ...responsesCalls,
  continueWith,
  merge,
  createStream: (answered) => new ResponsesRetrieveStream(answered),
  usageFromResponse,
  usageFromEvent,
  ...responsesOutput,
  errorBody: openaiErrorBody,
});
