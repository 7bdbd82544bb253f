import { describe, expect, it } from 'vitest';
import { anthropic } from '../src/formats/anthropic/index.js';
import { openaiChat } from '../src/formats/openai-chat/index.js';
import { openaiResponses } from '../src/formats/openai-responses/index.js';
import { replaceAt, valueAt } from '../src/formats/wire.js';

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

describe('replaceAt', () => {
  it('copies only the containers on the path and keeps key order', () => {
    const root = { a: 1, list: [{ x: 'old', y: 2 }, { z: 3 }], b: { c: 4 } };
    const out = replaceAt(root, ['list', 0, 'x'], 'new') as typeof root;
    expect(JSON.stringify(out)).toBe('{"a":1,"list":[{"x":"new","y":2},{"z":3}],"b":{"c":4}}');
    expect(root.list[0]?.x).toBe('old');
    expect(out.b).toBe(root.b);
    expect(out.list[1]).toBe(root.list[1]);
  });
});
