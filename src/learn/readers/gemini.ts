// Gemini CLI's chats: `~/.gemini/tmp/<project>/chats/session-*.jsonl`, a header line (`sessionId`), then
// message records, `$set` updates and the same message written again as it grows; a `gemini` message lists
// its `toolCalls`, each with `args`, `status` and its `functionResponse` results (the shell's text ends with
// "Exit Code: N" when the command failed). The directory's `.project_root` names the project.

import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type CallResult, exitCodeIn, type ToolShape, toolCall } from '../calls.js';
import { arrayOf, jsonLines, objectOf, stringOf } from '../lines.js';
import type { ToolCall } from '../types.js';
import type { LogReader } from './reader.js';

const TOOLS: Record<string, ToolShape> = {
  run_shell_command: { action: 'command', target: ['command'] },
  read_file: { action: 'read', target: ['file_path', 'absolute_path', 'path'] },
  read_many_files: { action: 'read', target: ['paths', 'include'] },
  list_directory: { action: 'read', target: ['dir_path', 'path'] },
  write_file: { action: 'edit', target: ['file_path'] },
  replace: { action: 'edit', target: ['file_path'] },
  glob: { action: 'search', target: ['pattern'] },
  search_file_content: { action: 'search', target: ['pattern'] },
  grep: { action: 'search', target: ['pattern'] },
};

/** The project a chat directory belongs to, as Gemini CLI noted it beside the chats. */
function projectOf(file: string): string | undefined {
  try {
    return readFileSync(join(dirname(dirname(file)), '.project_root'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function resultOf(call: Record<string, unknown>): CallResult {
  const responses = arrayOf(call.result).map((part) =>
    objectOf(objectOf(objectOf(part)?.functionResponse)?.response),
  );
  const text = responses.map((r) => stringOf(r?.output) ?? stringOf(r?.error) ?? '').join('\n');
  const status = stringOf(call.status);
  const exitCode = exitCodeIn(text.replace(/^Output: /m, '\n'));
  const interrupted = status === 'cancelled';
  const ok = status === 'success' && !responses.some((r) => r?.error !== undefined) && (exitCode ?? 0) === 0;
  return { ok, exitCode: exitCode ?? (ok ? 0 : undefined), text, interrupted };
}

export const geminiReader: LogReader = {
  agent: 'gemini',
  instructionsFile: 'GEMINI.md',
  isSessionLog: (path) => /(^|\/)chats\/session-[^/]*\.jsonl$/.test(path),
  async *read(file, options): AsyncGenerator<ToolCall> {
    const project = projectOf(file);
    let session = basename(file, '.jsonl');
    // A message is written again as it grows: each call counts once, when it has its result.
    const seen = new Set<string>();
    for await (const { value } of jsonLines(file, options)) {
      if (typeof value.sessionId === 'string' && value.type === undefined) session = value.sessionId;
      if (value.type !== 'gemini') continue;
      for (const call of arrayOf(value.toolCalls).map(objectOf)) {
        if (!call || typeof call.name !== 'string' || call.result === undefined) continue;
        const id = stringOf(call.id) ?? `${stringOf(value.id)}:${call.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        yield toolCall(
          { agent: 'gemini', session, project },
          TOOLS,
          call.name,
          objectOf(call.args) ?? {},
          resultOf(call),
        );
      }
    }
  },
};
