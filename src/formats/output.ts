// What the output side needs of a wire format, given once: effort names in order, a lowering that never
// raises, and what a failed tool output looks like when the format has no flag for it.

import { stringsIn } from './history.js';
import type { EffortChange } from './types.js';
import { isObject, type WireObject } from './wire.js';

/** Reasoning efforts the APIs name, from least to most. */
const EFFORT_ORDER = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

/** `current` lowered to `to` when it names a higher effort; undefined when it is not higher (or not an effort). */
export function lowerNamedEffort(current: unknown, to: string): string | undefined {
  if (typeof current !== 'string') return undefined;
  const at = EFFORT_ORDER.indexOf(current.toLowerCase());
  const target = EFFORT_ORDER.indexOf(to);
  return at !== -1 && target !== -1 && at > target ? to : undefined;
}

/** A token budget lowered to `floor` when it is above it; undefined otherwise (dynamic budgets, -1, stay). */
export function lowerBudget(current: unknown, floor: number): number | undefined {
  return typeof current === 'number' && Number.isFinite(current) && current > floor ? floor : undefined;
}

/**
 * Set `key` of the object under `parent` of `body` to `value`, copying what it changes, and note the change.
 * `parent` undefined sets `key` of `body` itself.
 */
export function withLowered(
  body: WireObject,
  parent: string | undefined,
  key: string,
  from: string | number,
  to: string | number,
  changes: EffortChange[],
): WireObject {
  changes.push({ field: parent ? `${parent}.${key}` : key, from, to });
  if (!parent) return { ...body, [key]: to };
  const inner = isObject(body[parent]) ? (body[parent] as WireObject) : {};
  return { ...body, [parent]: { ...inner, [key]: to } };
}

// A tool output that reports a failure in words: an error line, a traceback, a non-zero exit.
const FAILURE =
  /(^|\n)\s*(error|fatal|exception|traceback)\b|\b(command failed|exit(ed)? (with )?(code|status) [1-9]|non-zero exit|permission denied|no such file or directory)\b/i;

/** True when a tool output reads as a failure. */
export function readsAsFailure(value: unknown): boolean {
  return stringsIn(value).some((text) => FAILURE.test(text));
}

/** True when any string within `value` holds `marker`. */
export function holds(value: unknown, marker: string): boolean {
  return stringsIn(value).some((text) => text.includes(marker));
}

/** True for a non-empty array. */
export function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
