// OpenAI Chat Completions (`POST …/chat/completions`), the shape most OpenAI-compatible servers speak.

import { defineFormat } from '../define.js';
import { MINUTE_MS, modelTextsOf, openingMessages } from '../history.js';
import type { WireFormat } from '../types.js';
import type { WireObject } from '../wire.js';
import { chatOutput } from './output.js';
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

const byModel = (message: WireObject) => message.role === 'assistant';

/**
 * OpenAI keeps cached prefixes for 5 to 10 minutes of inactivity (up to an hour off-peak), or 24 hours with
 * `prompt_cache_retention: "24h"`: the longer bound, so a cache that may still be warm is not taken for cold.
 */
export function openaiCacheLifetimeMs(body: { prompt_cache_retention?: unknown }): number {
  return body.prompt_cache_retention === '24h' ? 24 * 60 * MINUTE_MS : 10 * MINUTE_MS;
}

export const openaiChat: WireFormat = defineFormat({
  name: 'openai-chat',
  provider: 'openai',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/chat/completions'),
  recognises,
  toolOutputs,
  turns: {
    isUser: (message) => message.role === 'user',
    contentKey: 'content',
    partText: (part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : undefined),
    isToolPart: () => false,
    textPart: (text) => ({ type: 'text', text }),
  },
  modelTexts: (messages) => modelTextsOf(messages, byModel),
  conversationOpening: (body) => [body.tools, openingMessages(body.messages, byModel)],
  cacheLifetimeMs: openaiCacheLifetimeMs,
  toolEntry: (tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }),
  ...chatCalls,
  continueWith,
  merge,
  createStream: (answered) => new ChatRetrieveStream(answered),
  usageFromResponse,
  usageFromEvent,
  ...chatOutput,
  errorBody: openaiErrorBody,
});
