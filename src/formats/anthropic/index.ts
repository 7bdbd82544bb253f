// Anthropic Messages (`POST /v1/messages`, and `/v1/messages/count_tokens`, which takes the same request).

import { defineFormat } from '../define.js';
import { MINUTE_MS, modelTextsOf, openingMessages } from '../history.js';
import type { WireFormat } from '../types.js';
import { isObject, type WireObject } from '../wire.js';
import { anthropicOutput } from './output.js';
import { recognises, toolOutputs } from './request.js';
import {
  anthropicCalls,
  continueWith,
  errorBody,
  merge,
  usageFromEvent,
  usageFromResponse,
} from './response.js';
import { claudeCodeSideCall } from './side-calls.js';
import { AnthropicRetrieveStream } from './stream.js';

const isTokenCount = (path: string) => path.endsWith('/messages/count_tokens');

const byModel = (message: WireObject) => message.role === 'assistant';

/** True when a cache_control breakpoint anywhere in `value` asks for an hour (`ttl: "1h"`). */
function asksForAnHour(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(asksForAnHour);
  if (!isObject(value)) return false;
  const control = value.cache_control;
  if (isObject(control) && control.ttl === '1h') return true;
  return Object.values(value).some((v) => typeof v === 'object' && v !== null && asksForAnHour(v));
}

export const anthropic: WireFormat = defineFormat({
  name: 'anthropic',
  provider: 'anthropic',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/messages') || isTokenCount(path),
  isTokenCount,
  recognises,
  toolOutputs,
  turns: {
    isUser: (message) => message.role === 'user',
    contentKey: 'content',
    partText: (part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : undefined),
    isToolPart: (part) => part.type === 'tool_result',
    textPart: (text) => ({ type: 'text', text }),
  },
  sideCall: claudeCodeSideCall,
  modelTexts: (messages) => modelTextsOf(messages, byModel),
  conversationOpening: (body) => [body.system, body.tools, openingMessages(body.messages, byModel)],
  // A breakpoint keeps its prefix 5 minutes, refreshed on every hit, or an hour with `ttl: "1h"`.
  cacheLifetimeMs: (body) =>
    asksForAnHour([body.system, body.tools, body.messages]) ? 60 * MINUTE_MS : 5 * MINUTE_MS,
  toolEntry: (tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }),
  ...anthropicCalls,
  continueWith,
  merge,
  createStream: (answered) => new AnthropicRetrieveStream(answered),
  usageFromResponse,
  usageFromEvent,
  ...anthropicOutput,
  errorBody,
});
