// The Anthropic request view: every tool_result text found with its call, its arguments and the user's
// question, and written back in place.

import { describe, expect, it } from 'vitest';
import { openaiChat } from '../openai-chat/index.js';
import { valueAt } from '../wire.js';
import { anthropic } from './index.js';

describe('anthropic view', () => {
  const messages = [
    { role: 'user', content: 'why does the build fail?' },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'npm run build' } }],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [
            { type: 'text', text: 'tsc output' },
            { type: 'image', source: {} },
          ],
        },
        { type: 'text', text: '<system-reminder>be brief</system-reminder>' },
      ],
    },
    { role: 'user', content: [{ type: 'text', text: 'and the tests?' }] },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_2', name: 'Grep', input: { pattern: 'it(' } }],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'grep output' }] },
  ];

  it('finds each tool output with its tool, arguments and the user text before it', () => {
    const outputs = anthropic.toolOutputs(messages);
    expect(outputs.map(({ encode: _, ...o }) => o)).toEqual([
      {
        path: [2, 'content', 0, 'content', 0, 'text'],
        callId: 'toolu_1',
        toolName: 'Bash',
        toolArgs: '{"command":"npm run build"}',
        text: 'tsc output',
        userText: 'why does the build fail?',
      },
      {
        path: [5, 'content', 0, 'content'],
        callId: 'toolu_2',
        toolName: 'Grep',
        toolArgs: '{"pattern":"it("}',
        text: 'grep output',
        userText: 'and the tests?',
      },
    ]);
    expect(valueAt(messages, outputs[0]!.path)).toBe('tsc output');
  });

  it('recognises its own shape and not the OpenAI ones', () => {
    expect(anthropic.recognises(messages)).toBe(true);
    expect(openaiChat.recognises(messages)).toBe(false);
  });
});
