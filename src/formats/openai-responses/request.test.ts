// What only the Responses request view has to get right, beyond the contract every format passes: custom
// tool outputs beside function outputs, and Codex's header or envelope re-closed around a shortened output.

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

  it('opens the text header of Codex’s exec_command results, truncation notice included', () => {
    const header =
      'Chunk ID: 3f9a1c\nWall time: 0.2140 seconds\nProcess exited with code 2\nOriginal token count: 18000\nOutput:\n';
    const notice = 'Warning: truncated output (original token count: 18000)\nTotal output lines: 2000\n\n';
    const running = 'Wall time: 10.0 seconds\nProcess running with session ID 7\nOutput:\n';
    const input = [
      { role: 'user', content: 'why does the build fail?' },
      { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"make"}' },
      {
        type: 'function_call_output',
        call_id: 'c1',
        output: `${header}${notice}error: x\n…9 tokens truncated…`,
      },
      { type: 'function_call', call_id: 'c2', name: 'exec_command', arguments: '{"cmd":"npm run dev"}' },
      { type: 'function_call_output', call_id: 'c2', output: `${running}ready on :3000\n` },
      { type: 'function_call', call_id: 'c3', name: 'exec_command', arguments: '{"cmd":"echo"}' },
      { type: 'function_call_output', call_id: 'c3', output: 'Wall time: soon\nno header after all' },
    ];
    const outputs = openaiResponses.toolOutputs(input);
    expect(outputs.map((o) => o.text)).toEqual([
      'error: x\n…9 tokens truncated…',
      'ready on :3000\n',
      'Wall time: soon\nno header after all',
    ]);
    expect(outputs[0]?.encode?.('short')).toBe(`${header}${notice}short`);
    expect(outputs[1]?.encode?.('short')).toBe(`${running}short`);
    expect(outputs[2]?.encode).toBeUndefined();
  });
});
