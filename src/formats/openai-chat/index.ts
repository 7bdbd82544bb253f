// OpenAI Chat Completions (`POST …/chat/completions`), the shape most OpenAI-compatible servers speak.

import type { WireFormat } from '../types.js';
import { appendTool, isObject, toolChoiceNone } from '../wire.js';
import { recognises, toolOutputs } from './request.js';
import {
  chatCalls,
  continueWith,
  merge,
  openaiErrorBody,
  usageFromEvent,
  usageFromResponse,
} from './response.js';
import { ChatRetrieveStream } from './stream.js';

export const openaiChat: WireFormat = {
  name: 'openai-chat',
  provider: 'openai',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/chat/completions'),
  isTokenCount: () => false,
  recognises,
  toolOutputs,
  toolEntry: (tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }),
  withTool: (body, tool) => appendTool(body, openaiChat.toolEntry(tool)),
  toolCallsAllowed: (body) => !toolChoiceNone(body.tool_choice),
  ...chatCalls,
  responseOf: (parsed) => (isObject(parsed) ? parsed : undefined),
  usageOf: (response) => response.usage,
  continueWith,
  merge,
  createStream: () => new ChatRetrieveStream(),
  usageFromResponse,
  usageFromEvent,
  errorBody: openaiErrorBody,
};
