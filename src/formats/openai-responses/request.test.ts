// What only the Responses request view has to get right, beyond the contract every format passes: custom
// tool outputs beside function outputs, and Codex's envelope re-closed around a shortened output.

import { describe, expect, it } from 'vitest';
import { openaiResponses } from './index.js';

describe('the Responses view', () => {
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
