// The output side of Anthropic Messages: the system prompt's last text block for a note (after the agent's
// cache breakpoints), tool_result blocks for the turn's kind, and `output_config.effort` / `thinking`.

import { holds, lowerBudget, lowerNamedEffort, nonEmpty, readsAsFailure, withLowered } from '../output.js';
import type { EffortChange, OutputSteering } from '../types.js';
import { isObject, type WireObject } from '../wire.js';

/** A text block for the system prompt; a string prompt becomes one block, so the note can follow it. */
function systemBlocks(system: unknown): unknown[] {
  if (Array.isArray(system)) return system;
  if (typeof system === 'string' && system !== '') return [{ type: 'text', text: system }];
  return [];
}

export const anthropicOutput: OutputSteering = {
  declaresTools: (body) => nonEmpty(body.tools),
  withSystemNote(body, note, marker) {
    if (holds(body.system, marker)) return body;
    return { ...body, system: [...systemBlocks(body.system), { type: 'text', text: note }] };
  },
  turnKind(body) {
    const last = Array.isArray(body.messages) ? body.messages.at(-1) : undefined;
    if (!isObject(last) || last.role !== 'user') return 'other';
    if (!Array.isArray(last.content)) return 'user';
    const blocks = last.content.filter(isObject);
    if (!blocks.length) return 'user';
    if (!blocks.every((block) => block.type === 'tool_result')) return 'user';
    return blocks.some((block) => block.is_error === true || readsAsFailure(block.content))
      ? 'after-error'
      : 'continuation';
  },
  lowerEffort(body, to, floor) {
    const changes: EffortChange[] = [];
    let lowered: WireObject = body;
    // The Messages API names no effort below low.
    const target = to === 'minimal' ? 'low' : to;
    const config = isObject(body.output_config) ? body.output_config : undefined;
    const effort = lowerNamedEffort(config?.effort, target);
    if (effort)
      lowered = withLowered(lowered, 'output_config', 'effort', String(config?.effort), effort, changes);
    const thinking = isObject(body.thinking) ? body.thinking : undefined;
    const budget = thinking?.type === 'enabled' ? lowerBudget(thinking.budget_tokens, floor) : undefined;
    if (budget !== undefined)
      lowered = withLowered(
        lowered,
        'thinking',
        'budget_tokens',
        Number(thinking?.budget_tokens),
        budget,
        changes,
      );
    return changes.length ? { body: lowered, changes } : undefined;
  },
};
