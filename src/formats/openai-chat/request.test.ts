// The OpenAI request views (Chat `role: "tool"` messages and Responses output items, Codex's envelope
// included): every tool output found with its call, and written back in place.

import { describe, expect, it } from 'vitest';
import { openaiResponses } from '../openai-responses/index.js';
import { openaiChat } from './index.js';

describe('openai views', () => {
  it('resolves Chat tool messages to their tool_calls', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'list the files' }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{"path":"."}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'a.txt\nb.txt' },
    ];
    const [output] = openaiChat.toolOutputs(messages);
    expect(output).toMatchObject({
      path: [2, 'content'],
      toolName: 'ls',
      toolArgs: '{"path":"."}',
      userText: 'list the files',
    });
  });

  it('resolves Responses outputs (function and custom tools) and opens Codex envelopes', () => {
    const input = [
      { role: 'user', content: 'fix the test' },
      {
        type: 'function_call',
        call_id: 'c1',
        name: 'shell',
        arguments: '{"command":["bash","-lc","npm test"]}',
      },
      {
        type: 'function_call_output',
        call_id: 'c1',
        output: '{"output":"FAIL x","metadata":{"exit_code":1}}',
      },
      { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'custom_tool_call_output', call_id: 'c2', output: 'Done!' },
    ];
    const outputs = openaiResponses.toolOutputs(input);
    expect(outputs.map((o) => [o.toolName, o.text, o.userText])).toEqual([
      ['shell', 'FAIL x', 'fix the test'],
      ['apply_patch', 'Done!', 'fix the test'],
    ]);
    expect(outputs[0]?.encode?.('short')).toBe('{"output":"short","metadata":{"exit_code":1}}');
  });
});
