// What the cache-aware history needs of a wire format, given once: a format states which of its messages
// the model wrote, where its conversation's opening lies and how long its provider keeps a prompt cached.

import type { ModelText } from '../compress/history.js';
import { isObject, type WireObject } from './wire.js';

/** Every string inside `value` (a message, a call's arguments), in order. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** The text of the messages `byModel` says the model wrote, each with its index. */
export function modelTextsOf(
  messages: readonly unknown[],
  byModel: (message: WireObject) => boolean,
): ModelText[] {
  const texts: ModelText[] = [];
  messages.forEach((message, index) => {
    if (!isObject(message) || !byModel(message)) return;
    const text = stringsIn(message.content ?? message.parts ?? message).join('\n');
    if (text) texts.push({ message: index, text });
  });
  return texts;
}

/**
 * The messages before the first the model wrote: with the instructions and tools, what opens a conversation
 * (an agent's context preamble and the user's first words) and stays put as it grows.
 */
export function openingMessages(messages: unknown, byModel: (message: WireObject) => boolean): unknown[] {
  if (!Array.isArray(messages)) return [messages];
  const first = messages.findIndex((m) => isObject(m) && byModel(m));
  return first === -1 ? messages : messages.slice(0, first);
}

export const MINUTE_MS = 60_000;
