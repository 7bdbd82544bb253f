// OpenAI Chat Completions (`POST …/chat/completions`), the shape most OpenAI-compatible servers speak.

import { defineFormat } from '../define.js';
import type { WireFormat } from '../types.js';
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

export const openaiChat: WireFormat = defineFormat({
  name: 'openai-chat',
  provider: 'openai',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/chat/completions'),
  recognises,
  toolOutputs,
  toolEntry: (tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }),
  ...chatCalls,
  continueWith,
  merge,
  createStream: () => new ChatRetrieveStream(),
  usageFromResponse,
  usageFromEvent,
  errorBody: openaiErrorBody,
});
