// The request view of OpenAI Responses (Codex): `function_call_output` / `custom_tool_call_output` input
// items answering `function_call` / `custom_tool_call` items; Codex's shell results (a text header, or the
// older JSON envelope) are opened and re-closed around the command's output.

import { openPrintedResult, scriptCommand } from '../../compress/codex-scripts.js';
import { recognises as recognisesChat } from '../openai-chat/request.js';
import type { FoundOutput } from '../types.js';
import { isObject, stringField, userTypedText } from '../wire.js';

interface Call {
  name: string;
  args: string;
}

const OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output']);
const CALL_TYPES = new Set(['function_call', 'custom_tool_call']);

/** Responses input items, and not Chat messages (a list with both is taken for Chat). */
export function recognises(items: readonly unknown[]): boolean {
  if (recognisesChat(items)) return false;
  return items.some(
    (item) =>
      isObject(item) &&
      (OUTPUT_TYPES.has(String(item.type)) ||
        CALL_TYPES.has(String(item.type)) ||
        (Array.isArray(item.content) && item.content.some((p) => isObject(p) && p.type === 'input_text'))),
  );
}

export function toolOutputs(items: readonly unknown[]): FoundOutput[] {
  const calls = new Map<string, Call>();
  const outputs: FoundOutput[] = [];
  let userText = '';
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const type = item.type ?? 'message';
    if (type === 'message' && item.role === 'user') {
      userText = userTypedText(item.content, ['input_text', 'text']) || userText;
      return;
    }
    if (CALL_TYPES.has(String(type))) {
      const id = stringField(item, 'call_id');
      if (id) {
        const name = stringField(item, 'name') ?? '';
        const input = stringField(item, 'input');
        calls.set(id, {
          name,
          args:
            stringField(item, 'arguments') ??
            (name === 'exec' && input !== undefined ? (scriptArguments(input) ?? input) : (input ?? '')),
        });
      }
      return;
    }
    if (!OUTPUT_TYPES.has(String(type))) return;
    const callId = stringField(item, 'call_id');
    const call = callId ? calls.get(callId) : undefined;
    const base = { callId, toolName: call?.name, toolArgs: call?.args ?? '', userText };
    if (typeof item.output === 'string') {
      outputs.push({ ...base, path: [i, 'output'], ...openShellResult(item.output) });
    } else if (Array.isArray(item.output)) {
      item.output.forEach((part, p) => {
        if (
          isObject(part) &&
          (part.type === 'input_text' || part.type === 'output_text') &&
          typeof part.text === 'string'
        ) {
          outputs.push({ ...base, path: [i, 'output', p, 'text'], ...openScriptResult(part.text) });
        }
      });
    }
  });
  return outputs;
}

// Codex's `exec_command` result: a few header lines, then the output. The header says how the command ended
// (its exit code, or the session it still runs in) and, when Codex cut a long output, how much it held; the
// model needs all of that as written, so only what follows is compressed.
const EXEC_HEADER =
  /^(?:Chunk ID: [^\n]*\n)?Wall time: [^\n]*\n(?:Process exited with code -?\d+|Process running with session ID \d+)\n(?:Original token count: \d+\n)?Output:\n(?:Warning: truncated output[^\n]*\nTotal output lines: \d+\n\n)?/;

function openShellResult(raw: string): Pick<FoundOutput, 'text' | 'encode'> {
  const header =
    raw.startsWith('Chunk ID: ') || raw.startsWith('Wall time: ') ? EXEC_HEADER.exec(raw)?.[0] : undefined;
  if (header) return { text: raw.slice(header.length), encode: (text) => header + text };
  return openEnvelope(raw);
}

/**
 * Older Codex versions report shell results as `{"output": "...", "metadata": {...}}`; the model reads the
 * inner output, so that is what gets compressed, and the envelope is rebuilt around it with its other keys.
 */
function openEnvelope(raw: string): Pick<FoundOutput, 'text' | 'encode'> {
  if (!raw.startsWith('{"output"')) return { text: raw };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isObject(parsed) && typeof parsed.output === 'string' && isObject(parsed.metadata)) {
      return { text: parsed.output, encode: (text) => JSON.stringify({ ...parsed, output: text }) };
    }
  } catch {
    // Not an envelope after all: the raw string is the output.
  }
  return { text: raw };
}

/** A code-mode script's printed shell result opened around its output, closed again the same way. */
function openScriptResult(raw: string): Pick<FoundOutput, 'text' | 'encode'> {
  const opened = openPrintedResult(raw);
  return opened ? { text: opened.text, encode: opened.close } : { text: raw };
}

/** The arguments of the shell call a code-mode script makes, when it makes exactly one (`{"cmd": …}`). */
function scriptArguments(script: string): string | undefined {
  const cmd = scriptCommand(script);
  return cmd === undefined ? undefined : JSON.stringify({ cmd });
}
