// Anthropic Messages (`POST /v1/messages`, and `/v1/messages/count_tokens`, which takes the same request).

import { defineFormat } from '../define.js';
import type { WireFormat } from '../types.js';
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

export const anthropic: WireFormat = defineFormat({
  name: 'anthropic',
  provider: 'anthropic',
  messagesKey: 'messages',
  servesPath: (path) => path.endsWith('/messages') || isTokenCount(path),
  isTokenCount,
  recognises,
  toolOutputs,
  sideCall: claudeCodeSideCall,
  toolEntry: (tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }),
  ...anthropicCalls,
  continueWith,
  merge,
  createStream: () => new AnthropicRetrieveStream(),
  usageFromResponse,
  usageFromEvent,
  errorBody,
});
