// Claude Code's transcripts: `<config dir>/projects/<escaped cwd>/<session>.jsonl`, one JSON object a line;
// an assistant line carries `tool_use` blocks, a later user line the matching `tool_result` (with `is_error`,
// Bash's "Exit code N" first line, and the raw result beside it in `toolUseResult`). Sub-agents write their
// own files (`agent-*.jsonl`, with `isSidechain`), read here as sessions of their own.

import { basename } from 'node:path';
import { type CallResult, exitCodeIn, type ToolShape, toolCall } from '../calls.js';
import { arrayOf, jsonLines, objectOf, stringOf, textOf } from '../lines.js';
import type { ToolCall } from '../types.js';
import type { LogReader } from './reader.js';

const TOOLS: Record<string, ToolShape> = {
  Bash: { action: 'command', target: ['command'] },
  Read: { action: 'read', target: ['file_path'] },
  Edit: { action: 'edit', target: ['file_path'] },
  MultiEdit: { action: 'edit', target: ['file_path'] },
  Write: { action: 'edit', target: ['file_path'] },
  NotebookEdit: { action: 'edit', target: ['notebook_path'] },
  Glob: { action: 'search', target: ['pattern'] },
  Grep: { action: 'search', target: ['pattern'] },
  LS: { action: 'read', target: ['path'] },
};

/** What Claude Code writes as the result of a call the user stopped or refused. */
const INTERRUPTED = /\[Request interrupted by user|The user doesn't want to proceed with this tool use/;

function resultOf(block: Record<string, unknown>, raw: unknown): CallResult {
  const text = textOf(block.content);
  const interrupted = objectOf(raw)?.interrupted === true || INTERRUPTED.test(text);
  const isError = block.is_error === true;
  return {
    ok: !isError && !interrupted,
    exitCode: exitCodeIn(text) ?? (isError ? undefined : 0),
    text,
    interrupted,
  };
}

export const claudeReader: LogReader = {
  agent: 'claude',
  instructionsFile: 'CLAUDE.md',
  isSessionLog: (path) => path.endsWith('.jsonl'),
  async *read(file, options): AsyncGenerator<ToolCall> {
    const pending = new Map<string, { tool: string; input: Record<string, unknown> }>();
    let session = basename(file, '.jsonl');
    let project: string | undefined;
    for await (const { value } of jsonLines(file, options)) {
      const id = stringOf(value.sessionId);
      if (id) session = value.isSidechain === true && stringOf(value.agentId) ? `${id}/${value.agentId}` : id;
      project = stringOf(value.cwd) ?? project;
      const message = objectOf(value.message);
      const content = arrayOf(message?.content);
      if (value.type === 'assistant') {
        for (const block of content.map(objectOf)) {
          if (block?.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
            pending.set(block.id, { tool: block.name, input: objectOf(block.input) ?? {} });
          }
        }
      } else if (value.type === 'user') {
        for (const block of content.map(objectOf)) {
          if (block?.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
          const use = pending.get(block.tool_use_id);
          if (!use) continue;
          pending.delete(block.tool_use_id);
          yield toolCall(
            { agent: 'claude', session, project },
            TOOLS,
            use.tool,
            use.input,
            resultOf(block, value.toolUseResult),
          );
        }
      }
    }
  },
};
