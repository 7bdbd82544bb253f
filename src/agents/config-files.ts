// Reads the agents' own config files the way the agents do: a file that is missing, unreadable or not an
// object counts as unset, so a broken file never stops headroom (the agent reports it itself).

import { readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `text` read as JSON with comments and trailing commas, when it holds an object. */
export function parseJsonObject(text: string): JsonObject | undefined {
  const parsed: unknown = parseJsonc(text, [], { allowTrailingComma: true });
  return isObject(parsed) ? parsed : undefined;
}

/** The object `file` holds, or undefined when it does not exist or holds something else. */
export function readJsonObject(file: string): JsonObject | undefined {
  try {
    return parseJsonObject(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The value at `keys` inside `config` when it is a non-blank string. */
export function stringAt(config: unknown, ...keys: string[]): string | undefined {
  let value = config;
  for (const key of keys) value = isObject(value) ? value[key] : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** `over` laid on `base` as the agents merge config layers: objects key by key, anything else replaced. */
export function mergeLayers(base: JsonObject, over: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = merged[key];
    merged[key] = isObject(below) && isObject(value) ? mergeLayers(below, value) : value;
  }
  return merged;
}
