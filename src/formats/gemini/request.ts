// The request view of Gemini generateContent: `functionResponse` parts in user turns answering the model's
// `functionCall` parts. Each text inside a response (Gemini CLI's `response.output`, an `error`) is one output.

import type { FoundOutput } from '../types.js';
import { isObject, type PathStep, stringField, type WireObject } from '../wire.js';

interface Call {
  name: string;
  args: string;
}

function parts(content: unknown): WireObject[] {
  return isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
}

/**
 * The texts in a functionResponse's `response`: its string fields (`output`, `error`...) and the `text` of
 * content items nested deeper (MCP results); labels such as `type` or `mimeType` are not outputs.
 */
function strings(
  value: unknown,
  path: PathStep[],
  out: { path: PathStep[]; text: string }[],
  top = true,
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      strings(v, [...path, i], out, false);
    });
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string') {
        if (top || key === 'text') out.push({ path: [...path, key], text: v });
      } else strings(v, [...path, key], out, false);
    }
  }
}

export function recognises(contents: readonly unknown[]): boolean {
  return contents.some((c) => isObject(c) && Array.isArray(c.parts));
}

export function toolOutputs(contents: readonly unknown[]): FoundOutput[] {
  // Calls without ids (the API gives none unless the caller did) pair with responses by name, in order.
  const byId = new Map<string, Call>();
  const byName = new Map<string, Call[]>();
  const outputs: FoundOutput[] = [];
  let userText = '';
  contents.forEach((content, c) => {
    if (!isObject(content)) return;
    const all = parts(content);
    if (content.role === 'model') {
      byName.clear();
      for (const part of all) {
        if (!isObject(part.functionCall)) continue;
        const name = stringField(part.functionCall, 'name') ?? '';
        const call = { name, args: JSON.stringify(part.functionCall.args ?? {}) };
        const id = stringField(part.functionCall, 'id');
        if (id) byId.set(id, call);
        byName.set(name, [...(byName.get(name) ?? []), call]);
      }
      return;
    }
    const answers = all.filter((part) => isObject(part.functionResponse));
    if (!answers.length) {
      const typed = all.flatMap((part) =>
        typeof part.text === 'string' && !part.thought ? [part.text] : [],
      );
      userText = typed.join('\n') || userText;
      return;
    }
    all.forEach((part, p) => {
      const answer = part.functionResponse;
      if (!isObject(answer)) return;
      const name = stringField(answer, 'name');
      const callId = stringField(answer, 'id');
      const queue = name ? byName.get(name) : undefined;
      const byItsId = callId ? byId.get(callId) : undefined;
      const call = byItsId ?? queue?.shift();
      if (byItsId && queue?.includes(byItsId)) queue.splice(queue.indexOf(byItsId), 1);
      const base = { callId, toolName: name ?? call?.name, toolArgs: call?.args ?? '', userText };
      const found: { path: PathStep[]; text: string }[] = [];
      strings(answer.response, [c, 'parts', p, 'functionResponse', 'response'], found);
      for (const { path, text } of found) outputs.push({ ...base, path, text });
    });
  });
  return outputs;
}
