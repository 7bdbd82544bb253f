// The output side of Gemini generateContent: the parts of `systemInstruction` for a note, functionResponse
// parts for the turn's kind, and `generationConfig.thinkingConfig` (thinkingLevel, thinkingBudget).

import { holds, lowerBudget, lowerNamedEffort, readsAsFailure } from '../output.js';
import type { EffortChange, OutputSteering } from '../types.js';
import { isObject, type WireObject } from '../wire.js';

/** The key the request uses for its system instruction (both spellings are accepted by the API). */
const systemKey = (body: WireObject) =>
  body.system_instruction !== undefined ? 'system_instruction' : 'systemInstruction';

export const geminiOutput: OutputSteering = {
  declaresTools: (body) =>
    Array.isArray(body.tools) &&
    body.tools.some(
      (tool) =>
        isObject(tool) &&
        ((Array.isArray(tool.functionDeclarations) && tool.functionDeclarations.length > 0) ||
          (Array.isArray(tool.function_declarations) && tool.function_declarations.length > 0)),
    ),
  withSystemNote(body, note, marker) {
    const key = systemKey(body);
    const system = body[key];
    if (holds(system, marker)) return body;
    const parts = isObject(system) && Array.isArray(system.parts) ? system.parts : [];
    const base = isObject(system) ? system : {};
    return { ...body, [key]: { ...base, parts: [...parts, { text: note }] } };
  },
  turnKind(body) {
    const contents = Array.isArray(body.contents) ? body.contents : [];
    const last = contents.at(-1);
    if (!isObject(last) || (last.role !== undefined && last.role !== 'user')) return 'other';
    const parts = Array.isArray(last.parts) ? last.parts.filter(isObject) : [];
    if (!parts.length) return 'other';
    const responses = parts.map((part) => part.functionResponse ?? part.function_response);
    if (!responses.every(isObject)) return 'user';
    const failed = responses.some((response) => {
      const payload = isObject(response) ? response.response : undefined;
      return (isObject(payload) && payload.error !== undefined) || readsAsFailure(payload);
    });
    return failed ? 'after-error' : 'continuation';
  },
  lowerEffort(body, to, floor) {
    const generation = isObject(body.generationConfig) ? body.generationConfig : undefined;
    const thinking = isObject(generation?.thinkingConfig) ? generation.thinkingConfig : undefined;
    if (!generation || !thinking) return undefined;
    const changes: EffortChange[] = [];
    const next: WireObject = { ...thinking };
    // Gemini's levels are low and high.
    const level = lowerNamedEffort(thinking.thinkingLevel, to === 'medium' ? 'medium' : 'low');
    if (level) {
      next.thinkingLevel = level;
      changes.push({
        field: 'generationConfig.thinkingConfig.thinkingLevel',
        from: String(thinking.thinkingLevel),
        to: level,
      });
    }
    const budget = lowerBudget(thinking.thinkingBudget, floor);
    if (budget !== undefined) {
      next.thinkingBudget = budget;
      changes.push({
        field: 'generationConfig.thinkingConfig.thinkingBudget',
        from: Number(thinking.thinkingBudget),
        to: budget,
      });
    }
    if (!changes.length) return undefined;
    return { body: { ...body, generationConfig: { ...generation, thinkingConfig: next } }, changes };
  },
};
