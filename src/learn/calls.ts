// What a tool call was about, from its name and arguments, by a table each agent's reader declares: the
// argument that holds the command, path or pattern, and the arguments that cap what comes back.

import { stringOf } from './lines.js';
import { type CallAction, keptText, type ToolCall } from './types.js';

/** How one of an agent's tools reads: what it does and which argument names its target. */
export interface ToolShape {
  action: CallAction;
  /** Argument names tried in order for the target; an array value is joined with spaces. */
  target: readonly string[];
}

/** Arguments that cap the size of an answer, whichever tool takes them. */
const LIMIT_ARGUMENTS = ['limit', 'max_output_tokens', 'head_limit', 'max_lines', 'lines'];

/** A shell wrapper agents put around the command the model wrote (`bash -lc "…"`), taken off. */
function unwrapShell(words: string[]): string {
  if (words.length === 3 && /(^|\/)(ba|z)?sh$/.test(words[0] ?? '') && /^-l?c$/.test(words[1] ?? '')) {
    return words[2] ?? '';
  }
  return words.join(' ');
}

function targetOf(shape: ToolShape | undefined, input: Record<string, unknown>): string {
  for (const name of shape?.target ?? []) {
    const value = input[name];
    if (typeof value === 'string') return value.trim();
    if (Array.isArray(value)) return unwrapShell(value.map(String)).trim();
  }
  return '';
}

/** A count flag in a command line: `-n 20`, `--lines=20`, `--max-count 5`, `--limit 9`, `head -20`. */
const COUNT_FLAG =
  /(?:^|\s)(?:-n\s*|-c\s*|-m\s*|--(?:lines|bytes|max-count|limit|tail|head|last)[=\s]|-)(\d+)(?=\s|$|\|)/g;

/** Numbers that cap an answer: named limit arguments, then the count flags written in a command line. */
function limitsOf(action: CallAction, target: string, input: Record<string, unknown>): number[] {
  const named = LIMIT_ARGUMENTS.map((name) => input[name]).filter((v): v is number => typeof v === 'number');
  const written =
    action === 'command' ? [...target.matchAll(COUNT_FLAG)].map((match) => Number(match[1])) : [];
  return [...named, ...written];
}

export interface CallResult {
  ok: boolean;
  exitCode?: number | undefined;
  text: string;
  interrupted?: boolean;
}

/** A finished call in the shape the miner reads. */
export function toolCall(
  context: { agent: string; session: string; project: string | undefined },
  shapes: Readonly<Record<string, ToolShape>>,
  tool: string,
  input: Record<string, unknown>,
  result: CallResult,
): ToolCall {
  const shape = shapes[tool];
  const action = shape?.action ?? 'other';
  const target = targetOf(shape, input);
  return {
    ...context,
    tool,
    action,
    target,
    limits: limitsOf(action, target, input),
    ok: result.ok,
    exitCode: result.exitCode,
    text: keptText(result.text),
    outputChars: result.text.length,
    inputChars: JSON.stringify(input).length,
    interrupted: result.interrupted ?? false,
  };
}

/** The exit code a result's text reports in one of the shapes agents write it, if any. */
export function exitCodeIn(text: string): number | undefined {
  const match = /(?:^|\n)(?:Exit code|Process exited with code|Exit Code:)\s*(-?\d+)/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Arguments given as a JSON string (Codex, OpenAI wire) or an object. */
export function argumentsOf(value: unknown): Record<string, unknown> {
  const text = stringOf(value);
  if (text === undefined) return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { input: text };
  } catch {
    // A free-form tool (Codex's apply_patch) takes raw text.
    return { input: text };
  }
}
