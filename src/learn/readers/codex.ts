// Codex's rollouts: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`, one `{ timestamp, type, payload }` a
// line; `session_meta` names the working directory, `response_item` lines carry the model's `function_call`
// (arguments as a JSON string) and, later, its `function_call_output` by `call_id`, whose text reports
// "Process exited with code N" (older versions: a JSON string with `metadata.exit_code`). With Codex's default
// model (code mode) the model's `exec` script runs the command and prints its result as one line of JSON.

import { basename } from 'node:path';
import { openPrintedResult, scriptCommand } from '../../compress/codex-scripts.js';
import { argumentsOf, type CallResult, exitCodeIn, type ToolShape, toolCall } from '../calls.js';
import { jsonLines, objectOf, stringOf, textOf } from '../lines.js';
import type { ToolCall } from '../types.js';
import type { LogReader } from './reader.js';

const TOOLS: Record<string, ToolShape> = {
  exec_command: { action: 'command', target: ['cmd', 'command'] },
  shell: { action: 'command', target: ['command'] },
  shell_command: { action: 'command', target: ['command'] },
  local_shell: { action: 'command', target: ['command'] },
  apply_patch: { action: 'edit', target: ['input'] },
  view_image: { action: 'read', target: ['path'] },
};

/** What Codex writes as the output of a call the user stopped or a sandbox refused. */
const INTERRUPTED = /^aborted(?: by user)?\b/i;

function resultOf(output: unknown): CallResult {
  // Code mode: the parts of what the script printed, the shell result among them as one line of JSON.
  if (Array.isArray(output)) {
    for (const part of output) {
      const printed = openPrintedResult(stringOf(objectOf(part)?.text) ?? '');
      if (!printed) continue;
      const code = printed.fields.exit_code;
      const exitCode = typeof code === 'number' ? code : undefined;
      return {
        ok: exitCode === undefined || exitCode === 0,
        exitCode,
        text: printed.text,
        interrupted: false,
      };
    }
  }
  let text = typeof output === 'string' ? output : textOf(output);
  let exitCode = exitCodeIn(text);
  // Older rollouts: `{"output": "...", "metadata": {"exit_code": 1}}` as a string.
  if (exitCode === undefined && text.startsWith('{')) {
    const parsed = argumentsOf(text);
    const metadata = objectOf(parsed.metadata);
    if (typeof metadata?.exit_code === 'number') exitCode = metadata.exit_code;
    text = stringOf(parsed.output) ?? text;
  }
  const interrupted = INTERRUPTED.test(text);
  return { ok: !interrupted && (exitCode === undefined || exitCode === 0), exitCode, text, interrupted };
}

export const codexReader: LogReader = {
  agent: 'codex',
  instructionsFile: 'AGENTS.md',
  isSessionLog: (path) => /(^|\/)rollout-[^/]*\.jsonl$/.test(path),
  async *read(file, options): AsyncGenerator<ToolCall> {
    const pending = new Map<string, { tool: string; input: Record<string, unknown> }>();
    let session = basename(file, '.jsonl');
    let project: string | undefined;
    for await (const { value } of jsonLines(file, options)) {
      const payload = objectOf(value.payload);
      if (!payload) continue;
      if (value.type === 'session_meta') {
        session = stringOf(payload.id) ?? session;
        project = stringOf(payload.cwd) ?? project;
        continue;
      }
      if (value.type === 'turn_context') project = stringOf(payload.cwd) ?? project;
      if (value.type !== 'response_item') continue;
      const callId = stringOf(payload.call_id);
      if (!callId) continue;
      if (payload.type === 'function_call' || payload.type === 'custom_tool_call') {
        const tool = stringOf(payload.name) ?? 'unknown';
        // Code mode: a script that runs one shell command stands for that command.
        const cmd = tool === 'exec' ? scriptCommand(stringOf(payload.input) ?? '') : undefined;
        if (cmd !== undefined) pending.set(callId, { tool: 'exec_command', input: { cmd } });
        else pending.set(callId, { tool, input: argumentsOf(payload.arguments ?? payload.input) });
      } else if (payload.type === 'function_call_output' || payload.type === 'custom_tool_call_output') {
        const call = pending.get(callId);
        if (!call) continue;
        pending.delete(callId);
        yield toolCall(
          { agent: 'codex', session, project },
          TOOLS,
          call.tool,
          call.input,
          resultOf(payload.output),
        );
      }
    }
  },
};
