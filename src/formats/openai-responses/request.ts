// The request view of OpenAI Responses (Codex): `function_call_output` / `custom_tool_call_output` input
// items answering `function_call` / `custom_tool_call` items; Codex's shell results (a text header, or the
// older JSON envelope) are opened and re-closed around the command's output.

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
            (name === 'exec' && input !== undefined ? (scriptCommand(input) ?? input) : (input ?? '')),
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

// Codex's code mode (its default model): the model writes a script for the `exec` tool that calls the shell
// tool itself (`await tools.exec_command({cmd: "cat app.log"})`) and prints what it returns (`text(r)`). The
// shell result then comes back as one line of JSON, `{"chunk_id":…,"exit_code":0,…,"output":"…"}`, the output
// escaped inside it and, past Codex's budget, cut in the middle (`…N tokens truncated…`), after Codex's
// warning lines. The output is what the model reads, so that is what gets compressed.

const SCRIPT_WARNING = /^(?:Warning: truncated output[^\n]*\nTotal output lines: \d+\n\n)?/;
// The result's other fields, each a string, number or boolean, before its output.
const RESULT_HEAD =
  /^\{(?:"[a-z_]+":(?:"[^"\\\n]*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null),)*"output":"/;
const CUT = /…\d+ tokens truncated…/;

/**
 * A piece of a JSON string's body read as text. Where Codex cut, an escape may be split: the end of the piece
 * before the cut drops a partial one, the piece after it may start with the rest of one.
 */
function unescapePiece(piece: string, after = false): string | undefined {
  const whole = after
    ? piece
    : piece.replace(/\\u[0-9a-fA-F]{0,3}$/, '').replace(/(?<!\\)((?:\\\\)*)\\$/, '$1');
  for (const candidate of after ? [whole, whole.slice(1)] : [whole]) {
    try {
      return JSON.parse(`"${candidate}"`) as string;
    } catch {
      // The piece after a cut may begin inside an escape: try without its first character.
    }
  }
  return undefined;
}

function openScriptResult(raw: string): Pick<FoundOutput, 'text' | 'encode'> {
  const warning = SCRIPT_WARNING.exec(raw)?.[0] ?? '';
  const head = RESULT_HEAD.exec(raw.slice(warning.length))?.[0];
  if (!head || !raw.endsWith('"}')) return { text: raw };
  const body = raw.slice(warning.length + head.length, -2);
  const cut = CUT.exec(body);
  const pieces = cut ? [body.slice(0, cut.index), body.slice(cut.index + cut[0].length)] : [body];
  const decoded = pieces.map((piece, k) => unescapePiece(piece, k > 0));
  if (decoded.some((piece) => piece === undefined)) return { text: raw };
  const text = cut ? `${decoded[0]}${cut[0]}${decoded[1]}` : (decoded[0] as string);
  return { text, encode: (out) => `${warning}${head}${JSON.stringify(out).slice(1, -1)}"}` };
}

/**
 * The shell command of a code-mode script that runs exactly one, as the arguments of a shell call
 * (`{"cmd": …}`), so the policy sees a file read as it does for `exec_command`; undefined otherwise.
 */
export function scriptCommand(script: string): string | undefined {
  const calls = script.match(/\btools\.exec_command\s*\(/g);
  if (calls?.length !== 1) return undefined;
  const literal =
    /\btools\.exec_command\s*\(\s*(?:\{\s*["']?cmd["']?\s*:\s*)?("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`$\\]*`)/.exec(
      script,
    )?.[1];
  if (!literal) return undefined;
  let cmd: string | undefined;
  if (literal.startsWith('"')) cmd = unescapePiece(literal.slice(1, -1));
  else if (literal.startsWith("'"))
    cmd = unescapePiece(literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"'));
  else cmd = literal.slice(1, -1);
  return cmd === undefined ? undefined : JSON.stringify({ cmd });
}
