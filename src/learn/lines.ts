// Session logs are JSON Lines that reach hundreds of megabytes: read them as a stream, one parsed line at a
// time, with the bytes read reported for progress and lines that are not JSON reported and skipped.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { WarningSink } from './types.js';

export interface LineReadOptions {
  warn: WarningSink;
  /** Called with the bytes of the file read so far. */
  onBytes?: (bytes: number) => void;
}

/** Each line of `file` that parses as a JSON object, with its 1-based number; others go to `warn`. */
export async function* jsonLines(
  file: string,
  { warn, onBytes }: LineReadOptions,
): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  const stream = createReadStream(file);
  if (onBytes) stream.on('data', () => onBytes(stream.bytesRead));
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        warn({ file, line, reason: 'not JSON' });
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        warn({ file, line, reason: 'not a JSON object' });
        continue;
      }
      yield { value: value as Record<string, unknown>, line };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** `value` when it is a plain object, else undefined: log lines are read field by field, never trusted whole. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The text of a result given as a string or as a list of `{ text }` parts. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return arrayOf(value)
    .map((part) => stringOf(objectOf(part)?.text) ?? '')
    .join('');
}
