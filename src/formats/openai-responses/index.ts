// OpenAI Responses (`POST …/responses`): what Codex speaks, typed input items and typed stream events.

import { defineFormat } from '../define.js';
import { modelTextsOf, openingMessages } from '../history.js';
import { openaiCacheLifetimeMs } from '../openai-chat/index.js';
import { openaiErrorBody } from '../openai-chat/response.js';
import type { WireFormat } from '../types.js';
import type { WireObject } from '../wire.js';
import { responsesOutput } from './output.js';
import { recognises, toolOutputs } from './request.js';
import { continueWith, merge, responsesCalls, usageFromEvent, usageFromResponse } from './response.js';
import { ResponsesRetrieveStream } from './stream.js';

// The model's items: its messages, and the calls it made (function and custom tool calls).
const byModel = (item: WireObject) =>
  item.role === 'assistant' || item.type === 'function_call' || item.type === 'custom_tool_call';

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
  // Optional arguments are incompatible with strict mode, so say so instead of letting the API guess.
  toolEntry: (tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema,
    strict: false,
  }),
  ...responsesCalls,
  continueWith,
  merge,
  createStream: (answered) => new ResponsesRetrieveStream(answered),
  usageFromResponse,
  usageFromEvent,
  ...responsesOutput,
  errorBody: openaiErrorBody,
});
