import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogWarning, ToolCall } from '../types.js';
import { claudeReader } from './claude.js';
import { codexReader } from './codex.js';
import type { LogReader } from './reader.js';

async function callsIn(
  reader: LogReader,
  lines: unknown[],
): Promise<{ calls: ToolCall[]; warnings: LogWarning[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'headroom-reader-')), 'rollout-x.jsonl');
  writeFileSync(
    file,
    `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`,
  );
  const warnings: LogWarning[] = [];
  const calls: ToolCall[] = [];
  for await (const call of reader.read(file, { warn: (w) => warnings.push(w) })) calls.push(call);
  return { calls, warnings };
}

describe('the Codex reader', () => {
  it('reads older rollouts: the shell tool with an argument list and the exit code in JSON metadata', async () => {
    const { calls } = await callsIn(codexReader, [
      { type: 'session_meta', payload: { id: 'old', cwd: '/app' } },
      {
        type: 'response_item',
        payload: {
          type: 'function_call',
          name: 'shell',
          arguments: '{"command":["bash","-lc","pytest -q"]}',
          call_id: 'c1',
        },
      },
      {
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: 'c1',
          output: '{"output":"1 failed, 3 passed","metadata":{"exit_code":1,"duration_seconds":0.4}}',
        },
      },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      session: 'old',
      project: '/app',
      action: 'command',
      target: 'pytest -q',
      ok: false,
      exitCode: 1,
      text: '1 failed, 3 passed',
    });
  });

  it("reads code mode: a script's one shell command, and the exit code and output of the result it printed", async () => {
    const result = JSON.stringify({
      chunk_id: '7fdd94',
      wall_time_seconds: 0.07,
      exit_code: 1,
      original_token_count: 12,
      output: 'cat: missing.log: No such file or directory\n',
    });
    const { calls } = await callsIn(codexReader, [
      { type: 'session_meta', payload: { id: 'code', cwd: '/app' } },
      {
        type: 'response_item',
        payload: {
          type: 'custom_tool_call',
          name: 'exec',
          input: 'const r = await tools.exec_command({cmd: "cat missing.log"});\ntext(r);',
          call_id: 'c1',
        },
      },
      {
        type: 'response_item',
        payload: {
          type: 'custom_tool_call_output',
          call_id: 'c1',
          output: [
            { type: 'input_text', text: 'Script completed\nWall time 0.3 seconds\nOutput:\n' },
            { type: 'input_text', text: result },
          ],
        },
      },
      {
        type: 'response_item',
        payload: { type: 'custom_tool_call', name: 'exec', input: 'text(ALL_TOOLS.length)', call_id: 'c2' },
      },
      {
        type: 'response_item',
        payload: {
          type: 'custom_tool_call_output',
          call_id: 'c2',
          output: [{ type: 'input_text', text: 'Script completed\nOutput:\n12' }],
        },
      },
    ]);
    expect(calls[0]).toMatchObject({
      action: 'command',
      target: 'cat missing.log',
      ok: false,
      exitCode: 1,
      text: 'cat: missing.log: No such file or directory\n',
    });
    // A script that runs no single command is the exec tool itself.
    expect(calls[1]).toMatchObject({ tool: 'exec', ok: true });
  });

  it('ignores an output whose call it never saw', async () => {
    const { calls } = await callsIn(codexReader, [
      { type: 'response_item', payload: { type: 'function_call_output', call_id: 'nope', output: 'x' } },
    ]);
    expect(calls).toEqual([]);
  });
});

describe('the Claude Code reader', () => {
  it('reads a sub-agent transcript as a session of its own, and a refused call as stopped by the user', async () => {
    const base = { sessionId: 'main', isSidechain: true, agentId: 'a1', cwd: '/app' };
    const { calls, warnings } = await callsIn(claudeReader, [
      {
        ...base,
        type: 'assistant',
        message: {
          content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'rm -rf dist' } }],
        },
      },
      '[1,2,3]',
      {
        ...base,
        type: 'user',
        message: {
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              is_error: true,
              content: "The user doesn't want to proceed with this tool use.",
            },
          ],
        },
      },
    ]);
    expect(calls[0]).toMatchObject({ session: 'main/a1', ok: false, interrupted: true });
    expect(warnings).toEqual([expect.objectContaining({ line: 2, reason: 'not a JSON object' })]);
  });
});
