// The output side of Chat Completions: a system (or developer) message right after the leading ones for a
// note, trailing `role: "tool"` messages for the turn's kind, and `reasoning_effort`.

import { holds, lowerNamedEffort, nonEmpty, readsAsFailure, withLowered } from '../output.js';
import type { EffortChange, OutputSteering } from '../types.js';
import { isObject } from '../wire.js';

const INSTRUCTION_ROLES = new Set(['system', 'developer']);

export const chatOutput: OutputSteering = {
  declaresTools: (body) => nonEmpty(body.tools) || nonEmpty(body.functions),
  withSystemNote(body, note, marker) {
    if (!Array.isArray(body.messages)) return body;
    const messages = body.messages;
    let lead = 0;
    while (
      lead < messages.length &&
      isObject(messages[lead]) &&
      INSTRUCTION_ROLES.has(String((messages[lead] as { role: unknown }).role))
    )
      lead++;
    if (messages.slice(0, lead).some((message) => holds(message, marker))) return body;
    const role = lead > 0 ? String((messages[lead - 1] as { role: unknown }).role) : 'system';
    return {
      ...body,
      messages: [...messages.slice(0, lead), { role, content: note }, ...messages.slice(lead)],
    };
  },
  turnKind(body) {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const last = messages.at(-1);
    if (!isObject(last)) return 'other';
    if (last.role === 'user') return 'user';
    if (last.role !== 'tool' && last.role !== 'function') return 'other';
    const results = [];
    for (let at = messages.length - 1; at >= 0; at--) {
      const message = messages[at];
      if (!isObject(message) || (message.role !== 'tool' && message.role !== 'function')) break;
      results.push(message);
    }
    return results.some((message) => readsAsFailure(message.content)) ? 'after-error' : 'continuation';
  },
  lowerEffort(body, to) {
    const changes: EffortChange[] = [];
    const effort = lowerNamedEffort(body.reasoning_effort, to);
    if (!effort) return undefined;
    return {
      body: withLowered(body, undefined, 'reasoning_effort', String(body.reasoning_effort), effort, changes),
      changes,
    };
  },
};
