// The request view of OpenAI Chat Completions: `role: "tool"` messages answering an assistant's
// `tool_calls`. Tool content is a string or an array of text parts; each text part is one output.

import type { FoundOutput } from '../types.js';
import { isObject, stringField, userTypedText } from '../wire.js';

interface Call {
  name: string;
  args: string;
}

export function recognises(messages: readonly unknown[]): boolean {
  return messages.some(
    (m) => isObject(m) && (m.role === 'tool' || (m.role === 'assistant' && Array.isArray(m.tool_calls))),
  );
}

export function toolOutputs(messages: readonly unknown[]): FoundOutput[] {
  const calls = new Map<string, Call>();
  const outputs: FoundOutput[] = [];
  let userText = '';
  messages.forEach((message, m) => {
    if (!isObject(message)) return;
    if (message.role === 'user') {
      userText = userTypedText(message.content, ['text']) || userText;
      return;
    }
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (!isObject(call)) continue;
        const id = stringField(call, 'id');
        const fn = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : undefined;
        if (id && fn) {
          calls.set(id, {
            name: stringField(fn, 'name') ?? '',
            args: stringField(fn, 'arguments') ?? stringField(fn, 'input') ?? '',
          });
        }
      }
      return;
    }
    if (message.role !== 'tool') return;
    const callId = stringField(message, 'tool_call_id');
    const call = callId ? calls.get(callId) : undefined;
    const base = { callId, toolName: call?.name, toolArgs: call?.args ?? '', userText };
    if (typeof message.content === 'string') {
      outputs.push({ ...base, path: [m, 'content'], text: message.content });
    } else if (Array.isArray(message.content)) {
      message.content.forEach((part, p) => {
        if (isObject(part) && part.type === 'text' && typeof part.text === 'string') {
          outputs.push({ ...base, path: [m, 'content', p, 'text'], text: part.text });
        }
      });
    }
  });
  return outputs;
}
