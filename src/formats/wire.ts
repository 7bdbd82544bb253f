// Reading and rewriting JSON as it comes off the wire: objects without prototypes tricks, paths into a
// request, copies that clone only the containers on the way so every other key keeps its value and order.

/** A JSON object as found on the wire. */
export type WireObject = Record<string, unknown>;

/** A step into wire JSON: an object key or an array index. */
export type PathStep = string | number;

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of an array (other items and non-arrays give none). */
export function objects(value: unknown): WireObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function stringField(value: WireObject, key: string): string | undefined {
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

/** JSON text parsed, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Text of user-typed content: a string, or the text parts of a content array (minus system reminders). */
export function userTypedText(content: unknown, textTypes: readonly string[]): string {
  if (typeof content === 'string') return typedPart(content);
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (!isObject(part) || !textTypes.includes(String(part.type))) continue;
    const text = typedPart(stringField(part, 'text') ?? '');
    if (text) parts.push(text);
  }
  return parts.join('\n');
}

// Agents inject reminders and context into user turns; they are not what the user asked. One kind is: what
// the user typed while Claude Code was working, delivered in a reminder beside the next tool result as
// `The user sent the following message:\n…\n\n<a closing request>`.
const QUEUED = 'The user sent the following message:\n';

function typedPart(text: string): string {
  const t = text.trimStart();
  if (t.startsWith('<environment_context>') || t.startsWith('<user_instructions>')) return '';
  if (!t.startsWith('<system-reminder>')) return text;
  const start = t.indexOf(QUEUED);
  if (start === -1) return '';
  const body = t.slice(start + QUEUED.length).replace(/\s*<\/system-reminder>\s*$/, '');
  const end = body.lastIndexOf('\n\n');
  return end === -1 ? body : body.slice(0, end);
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

/** A copy of `body` with `key` set to `value`, in the key's own place (appended when absent). */
export function withKey(body: WireObject, key: string, value: unknown): WireObject {
  // fromEntries defines own keys, so a `__proto__` key from the wire stays a key instead of a prototype.
  const keys = Object.keys(body);
  const entries = keys.map((k) => [k, k === key ? value : body[k]]);
  if (!keys.includes(key)) entries.push([key, value]);
  return Object.fromEntries(entries);
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

/** `body` with `entry` appended last to its `tools` (created when absent). */
export function appendTool(body: WireObject, entry: WireObject): WireObject {
  return { ...body, tools: [...(Array.isArray(body.tools) ? body.tools : []), entry] };
}

/** True for a `tool_choice` that forbids every tool call, as a string (OpenAI) or an object (Anthropic). */
export function toolChoiceNone(choice: unknown): boolean {
  return choice === 'none' || (isObject(choice) && choice.type === 'none');
}
