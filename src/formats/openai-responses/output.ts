// The output side of the Responses API: the tail of `instructions` for a note, trailing tool-output items for
// the turn's kind, and `reasoning.effort`.

import { holds, lowerNamedEffort, nonEmpty, readsAsFailure, withLowered } from '../output.js';
import type { EffortChange, OutputSteering } from '../types.js';
import { isObject } from '../wire.js';

const OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);

export const responsesOutput: OutputSteering = {
  declaresTools: (body) => nonEmpty(body.tools),
  withSystemNote(body, note, marker) {
    if (holds(body.instructions, marker)) return body;
    const instructions =
      typeof body.instructions === 'string' && body.instructions !== '' ? body.instructions : undefined;
    return { ...body, instructions: instructions === undefined ? note : `${instructions}\n\n${note}` };
  },
  turnKind(body) {
    if (typeof body.input === 'string') return 'user';
    const items = Array.isArray(body.input) ? body.input : [];
    const last = items.at(-1);
    if (!isObject(last)) return 'other';
    if (last.role === 'user' || (last.type === 'message' && last.role === 'user')) return 'user';
    if (!OUTPUT_TYPES.has(String(last.type))) return 'other';
    const outputs = [];
    for (let at = items.length - 1; at >= 0; at--) {
      const item = items[at];
      if (!isObject(item) || !OUTPUT_TYPES.has(String(item.type))) break;
      outputs.push(item);
    }
    return outputs.some((item) => readsAsFailure(item.output)) ? 'after-error' : 'continuation';
  },
  lowerEffort(body, to) {
    const reasoning = isObject(body.reasoning) ? body.reasoning : undefined;
    const effort = lowerNamedEffort(reasoning?.effort, to);
    if (!effort) return undefined;
    const changes: EffortChange[] = [];
    return {
      body: withLowered(body, 'reasoning', 'effort', String(reasoning?.effort), effort, changes),
      changes,
    };
  },
};
