// The request view of Anthropic Messages: tool_result blocks in user turns, resolved to their tool_use
// calls. Content of a tool_result is a string or an array of text/image blocks; each text part is one output.

import type { FoundOutput } from '../types.js';
import { isObject, stringField, userTypedText } from '../wire.js';

interface Call {
  name: string;
  args: string;
}

const CALL_TYPES = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

export function recognises(messages: readonly unknown[]): boolean {
  return messages.some(
    (m) =>
      isObject(m) &&
      Array.isArray(m.content) &&
      m.content.some((b) => isObject(b) && (b.type === 'tool_result' || b.type === 'tool_use')),
  );
}

export function toolOutputs(messages: readonly unknown[]): FoundOutput[] {
  const calls = new Map<string, Call>();
  const outputs: FoundOutput[] = [];
  let userText = '';
  messages.forEach((message, m) => {
    if (!isObject(message) || !Array.isArray(message.content)) {
      if (isObject(message) && message.role === 'user')
        userText = userTypedText(message.content, ['text']) || userText;
      return;
    }
    message.content.forEach((block, b) => {
      if (!isObject(block)) return;
      if (CALL_TYPES.has(String(block.type))) {
        const id = stringField(block, 'id');
        if (id)
          calls.set(id, {
            name: stringField(block, 'name') ?? '',
            args: JSON.stringify(block.input ?? {}),
          });
        return;
      }
      if (message.role === 'user' && block.type === 'text') {
        userText = userTypedText([block], ['text']) || userText;
        return;
      }
      if (block.type !== 'tool_result') return;
      const callId = stringField(block, 'tool_use_id');
      const call = callId ? calls.get(callId) : undefined;
      const base = { callId, toolName: call?.name, toolArgs: call?.args ?? '', userText };
      if (typeof block.content === 'string') {
        outputs.push({ ...base, path: [m, 'content', b, 'content'], text: block.content });
      } else if (Array.isArray(block.content)) {
        block.content.forEach((part, p) => {
          if (isObject(part) && part.type === 'text' && typeof part.text === 'string') {
            outputs.push({ ...base, path: [m, 'content', b, 'content', p, 'text'], text: part.text });
          }
        });
      }
    });
  });
  return outputs;
}
