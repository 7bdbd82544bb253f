// Claude Code's side calls: after a Bash command it asks a small model, without tools, which files the
// command read or changed, sending the command's whole output (not capped like the tool result) as
// `Command: …\nOutput: …` under a fixed instruction. Only the paths matter to that question.

import type { SideCall } from '../types.js';
import { isObject, objects, type PathStep, stringField, type WireObject } from '../wire.js';

const BASH_PATHS_INSTRUCTION = 'Extract any file paths that this command reads or modifies.';
const COMMAND = 'Command: ';
const OUTPUT = '\nOutput: ';

function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  return objects(system)
    .map((block) => stringField(block, 'text') ?? '')
    .join('\n');
}

/** The one user text of the request and where it sits. */
function userText(messages: WireObject[]): { path: PathStep[]; text: string } | undefined {
  const last = messages.length - 1;
  const message = messages[last];
  if (message?.role !== 'user') return undefined;
  if (typeof message.content === 'string') return { path: [last, 'content'], text: message.content };
  const blocks = Array.isArray(message.content) ? message.content : [];
  const at = blocks.findIndex((block) => isObject(block) && block.type === 'text');
  const text = at === -1 ? undefined : stringField(blocks[at] as WireObject, 'text');
  return text === undefined ? undefined : { path: [last, 'content', at, 'text'], text };
}

export function claudeCodeSideCall(body: WireObject): SideCall | undefined {
  if (Array.isArray(body.tools) && body.tools.length > 0) return undefined;
  if (!systemText(body.system).includes(BASH_PATHS_INSTRUCTION)) return undefined;
  const found = userText(objects(body.messages));
  if (!found?.text.startsWith(COMMAND)) return undefined;
  const split = found.text.indexOf(OUTPUT);
  if (split === -1) return undefined;
  const command = found.text.slice(COMMAND.length, split);
  const output = found.text.slice(split + OUTPUT.length);
  return {
    name: 'claude-code-bash-paths',
    outputs: [
      {
        path: found.path,
        text: output,
        callId: undefined,
        toolName: undefined,
        toolArgs: JSON.stringify({ command }),
        userText: '',
        kind: 'paths',
        encode: (text) => `${COMMAND}${command}${OUTPUT}${text}`,
      },
    ],
  };
}
