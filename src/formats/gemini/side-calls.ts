// Gemini CLI's side call when `summarizeToolOutput` is configured: a tool's output sent to a small model
// inside a fixed prompt, to be summarised with its errors and warnings. The output is compressed for that.

import type { SideCall } from '../types.js';
import { isObject, objects, stringField, type WireObject } from '../wire.js';

const PROMPT_START = 'Summarize the following tool output to be a maximum of';
const TEXT_START = '\n\nText to summarize:\n"';
const TEXT_END = '"\n\nReturn the summary string which should first contain';

export function geminiCliSideCall(body: WireObject): SideCall | undefined {
  const contents = objects(body.contents);
  if (contents.length !== 1 || contents[0]?.role !== 'user') return undefined;
  const parts = Array.isArray(contents[0].parts) ? contents[0].parts : [];
  const at = parts.findIndex((part) => isObject(part) && typeof part.text === 'string');
  const text = at === -1 ? undefined : stringField(parts[at] as WireObject, 'text');
  if (!text?.startsWith(PROMPT_START)) return undefined;
  const start = text.indexOf(TEXT_START);
  const end = text.lastIndexOf(TEXT_END);
  if (start === -1 || end <= start) return undefined;
  const before = text.slice(0, start + TEXT_START.length);
  const after = text.slice(end);
  return {
    name: 'gemini-cli-summarize-tool-output',
    outputs: [
      {
        path: [0, 'parts', at, 'text'],
        text: text.slice(start + TEXT_START.length, end),
        callId: undefined,
        toolName: undefined,
        toolArgs: '',
        // What the summary must carry, as the prompt says: errors with their stack traces, and warnings.
        userText: 'error stack trace warning',
        encode: (output) => `${before}${output}${after}`,
      },
    ],
  };
}
