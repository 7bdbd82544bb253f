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

  it('opens the shell result a code-mode exec script prints, cut in the middle or whole, and closes it again', () => {
    const lines = Array.from(
      { length: 400 },
      (_, k) => `2026-12-01T10:00:00Z INFO GET /api/items/${k} 200 "ok" \\ é`,
    );
    const escaped = JSON.stringify(lines.join('\n')).slice(1, -1);
    const head =
      '{"chunk_id":"ee513d","wall_time_seconds":0.268,"exit_code":0,"original_token_count":57474,"output":"';
    // Codex's cut falls anywhere, here inside the escape of a backslash, and keeps both ends.
    const cutAt = escaped.indexOf('\\\\', 3000) + 1;
    const warning = 'Warning: truncated output (original token count: 58251)\nTotal output lines: 1\n\n';
    const cut = `${warning}${head}${escaped.slice(0, cutAt)}…48251 tokens truncated…${escaped.slice(-2000)}"}`;
    const script = 'const r = await tools.exec_command({cmd: "cat logs/app.log"});\ntext(r);';
    const input = [
      { role: 'user', content: 'why do requests fail?' },
      { type: 'custom_tool_call', call_id: 'c1', name: 'exec', input: script },
      {
        type: 'custom_tool_call_output',
        call_id: 'c1',
        output: [
          { type: 'input_text', text: 'Script completed\nWall time 0.5 seconds\nOutput:\n' },
          { type: 'input_text', text: cut },
          { type: 'input_text', text: `${head}${escaped}"}` },
        ],
      },
    ];
    const [status, shortened, whole] = openaiResponses.toolOutputs(input);
    // The script's one shell command stands for the call, as exec_command's arguments would.
    expect(JSON.parse(shortened!.toolArgs)).toEqual({ cmd: 'cat logs/app.log' });
    expect(status!.encode).toBeUndefined();
    expect(whole!.text).toBe(lines.join('\n'));
    expect(JSON.parse(whole!.encode!('kept\n"lines"'))).toMatchObject({
      exit_code: 0,
      output: 'kept\n"lines"',
    });
    expect(shortened!.text.startsWith(lines.slice(0, 3).join('\n'))).toBe(true);
    expect(shortened!.text).toContain('…48251 tokens truncated…');
    expect(shortened!.text.endsWith(lines.at(-1)!)).toBe(true);
    const closed = shortened!.encode!('a "short" one');
    expect(closed.startsWith(warning)).toBe(true);
    expect(JSON.parse(closed.slice(warning.length))).toMatchObject({
      chunk_id: 'ee513d',
      output: 'a "short" one',
    });
    // Text that only looks like a result is left as it came.
    expect(
      openaiResponses.toolOutputs([
        {
          type: 'custom_tool_call_output',
          call_id: 'x',
          output: [{ type: 'input_text', text: '{"output":"a' }],
        },
      ])[0]!.encode,
    ).toBeUndefined();
  });

  it('reads the shell command of a code-mode script that runs one, in any quoting', () => {
    const args = (script: string) => {
      const [out] = openaiResponses.toolOutputs([
        { type: 'custom_tool_call', call_id: 'c', name: 'exec', input: script },
        { type: 'custom_tool_call_output', call_id: 'c', output: 'x' },
      ]);
      return out!.toolArgs;
    };
    expect(
      JSON.parse(args(`text(await tools.exec_command({ cmd: 'sed -n \\'1,80p\\' src/app.ts' }))`)),
    ).toEqual({
      cmd: "sed -n '1,80p' src/app.ts",
    });
    expect(JSON.parse(args('text(await tools.exec_command(`nl -ba main.go`))'))).toEqual({
      cmd: 'nl -ba main.go',
    });
    expect(JSON.parse(args('text(await tools.exec_command({"cmd": "cat \\"a b.txt\\""}))'))).toEqual({
      cmd: 'cat "a b.txt"',
    });
    // Two commands, or one built at run time, name no single command: the script stands as written.
    const two = 'await tools.exec_command({cmd: "ls"}); await tools.exec_command({cmd: "pwd"});';
    expect(args(two)).toBe(two);
    const built = ['await tools.exec_command({cmd: `cat $', '{f}`})'].join('');
    expect(args(built)).toBe(built);
  });
});
