// The small view of a request the engine works on: the tool outputs it carries, each with its tool,
// its arguments and the user text before it. Providers build this view from wire JSON and write back.

/** Wire formats headroom understands. */
export type WireFormat = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

/** A step into wire JSON: an object key or an array index. */
export type PathStep = string | number;

/** One tool output found in a request. */
export interface ToolOutput {
  /** Where the text sits in the wire JSON (relative to the messages/input array). */
  path: readonly PathStep[];
  /** The id tying the output to the call that produced it (`tool_use_id` / `call_id`). */
  callId: string | undefined;
  /** Name of the tool that produced it, resolved from the matching call. */
  toolName: string | undefined;
  /** The call's arguments as the model sent them (JSON text), or ''. */
  toolArgs: string;
  /** The text the model would read. */
  text: string;
  /** The last user-typed text before this output: the relevance query of the block. */
  userText: string;
  /** Turns compressed text back into what the wire field holds (e.g. a JSON envelope); identity when absent. */
  encode?: (text: string) => string;
}

/** Translates one wire format to the view and back. */
export interface Provider {
  format: WireFormat;
  /** True when a message list looks like this format (used for auto-detection). */
  recognises(messages: readonly unknown[]): boolean;
  /** Every tool output in the message list, in conversation order. */
  toolOutputs(messages: readonly unknown[]): ToolOutput[];
  /** The key of the request body that holds the message list. */
  messagesKey: string;
}

/** A JSON object as found on the wire. */
export type WireObject = Record<string, unknown>;

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(value: WireObject, key: string): string | undefined {
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

/** Text of user-typed content: a string, or the text parts of a content array (minus system reminders). */
export function userTypedText(content: unknown, textTypes: readonly string[]): string {
  if (typeof content === 'string') return isInjectedText(content) ? '' : content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (!isObject(part) || !textTypes.includes(String(part.type))) continue;
    const text = stringField(part, 'text');
    if (text && !isInjectedText(text)) parts.push(text);
  }
  return parts.join('\n');
}

// Agents inject reminders and context into user turns; they are not what the user asked.
function isInjectedText(text: string): boolean {
  const t = text.trimStart();
  return (
    t.startsWith('<system-reminder>') ||
    t.startsWith('<environment_context>') ||
    t.startsWith('<user_instructions>')
  );
}

/**
 * A copy of `root` with the string at `path` replaced, cloning only the containers on the way,
 * so every other key keeps its value and its order.
 */
export function replaceAt(root: unknown, path: readonly PathStep[], value: string): unknown {
  if (path.length === 0) return value;
  const [step, ...rest] = path as [PathStep, ...PathStep[]];
  if (Array.isArray(root) && typeof step === 'number') {
    const copy = root.slice();
    copy[step] = replaceAt(root[step], rest, value);
    return copy;
  }
  if (isObject(root) && typeof step === 'string') {
    // fromEntries defines own keys, so a `__proto__` key from the wire stays a key instead of a prototype.
    return Object.fromEntries(
      Object.keys(root).map((key) => [key, key === step ? replaceAt(root[key], rest, value) : root[key]]),
    );
  }
  throw new TypeError(`no container at ${String(step)}`);
}

/** The value at `path`, or undefined. */
export function valueAt(root: unknown, path: readonly PathStep[]): unknown {
  let node = root;
  for (const step of path) {
    if (Array.isArray(node) && typeof step === 'number') node = node[step];
    else if (isObject(node) && typeof step === 'string') node = node[step];
    else return undefined;
  }
  return node;
}
