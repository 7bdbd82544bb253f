// OpenAI Responses (`POST …/responses`): what Codex speaks, typed input items and typed stream events.

import { openaiErrorBody } from '../openai-chat/response.js';
import type { WireFormat } from '../types.js';
import { appendTool, isObject, toolChoiceNone } from '../wire.js';
import { recognises, toolOutputs } from './request.js';
import { continueWith, merge, responsesCalls, usageFromEvent, usageFromResponse } from './response.js';
import { ResponsesRetrieveStream } from './stream.js';

export const openaiResponses: WireFormat = {
  name: 'openai-responses',
  provider: 'openai',
  messagesKey: 'input',
  servesPath: (path) => path.endsWith('/responses'),
  isTokenCount: () => false,
  recognises,
  toolOutputs,
  // Optional arguments are incompatible with strict mode, so say so instead of letting the API guess.
  toolEntry: (tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema,
    strict: false,
  }),
  withTool: (body, tool) => appendTool(body, openaiResponses.toolEntry(tool)),
  toolCallsAllowed: (body) => !toolChoiceNone(body.tool_choice),
  ...responsesCalls,
  responseOf: (parsed) => (isObject(parsed) ? parsed : undefined),
  usageOf: (response) => response.usage,
  continueWith,
  merge,
  createStream: () => new ResponsesRetrieveStream(),
  usageFromResponse,
  usageFromEvent,
  errorBody: openaiErrorBody,
};
