// Anthropic Messages (`POST /v1/messages`, and `/v1/messages/count_tokens`, which takes the same request).

import type { WireFormat } from '../types.js';
import { appendTool, isObject, toolChoiceNone } from '../wire.js';
import { recognises, toolOutputs } from './request.js';
import {
  anthropicCalls,
  continueWith,
  errorBody,
  merge,
  usageFromEvent,
  usageFromResponse,
} from './response.js';
import { AnthropicRetrieveStream } from './stream.js';

const isTokenCount = (path: string) => path.endsWith('/messages/count_tokens');

export const anthropic: WireFormat = {
  name: 'anthropic',
  provider: 'anthropic',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/messages') || isTokenCount(path),
  isTokenCount,
  recognises,
  toolOutputs,
  toolEntry: (tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }),
  withTool: (body, tool) => appendTool(body, anthropic.toolEntry(tool)),
  toolCallsAllowed: (body) => !toolChoiceNone(body.tool_choice),
  ...anthropicCalls,
  responseOf: (parsed) => (isObject(parsed) ? parsed : undefined),
  usageOf: (response) => response.usage,
  continueWith,
  merge,
  createStream: () => new AnthropicRetrieveStream(),
  usageFromResponse,
  usageFromEvent,
  errorBody,
};
