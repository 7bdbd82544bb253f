// The turns a user typed in a message list (not the tool results an agent sends back in user messages),
// and text added at the end of one of them as a part of its own: what each format states is its shape.

import type { UserTurn } from './types.js';
import { isObject, type WireObject } from './wire.js';

export interface TurnShape {
  /** True for a message of the user's (role, and for Responses the item type). */
  isUser(message: WireObject): boolean;
  /** The key holding a message's content: a string or an array of parts. */
  contentKey: string;
  /** The text of a part the user typed, undefined for any other part. */
  partText(part: WireObject): string | undefined;
  /** True for a part that carries a tool's result: a message with one is no typed turn. */
  isToolPart(part: WireObject): boolean;
  /** A text part in this format. */
  textPart(text: string): WireObject;
}

/** The typed text of a user message, undefined when it is none (a tool result, an image alone). */
function typedText(shape: TurnShape, message: WireObject): string | undefined {
  const content = message[shape.contentKey];
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.filter(isObject);
  if (parts.some((part) => shape.isToolPart(part))) return undefined;
  const texts = parts.map((part) => shape.partText(part)).filter((t): t is string => t !== undefined);
  return texts.length ? texts.join('\n') : undefined;
}

export function userTurnsOf(shape: TurnShape, messages: readonly unknown[]): UserTurn[] {
  return messages.flatMap((message, index) => {
    if (!isObject(message) || !shape.isUser(message)) return [];
    const text = typedText(shape, message);
    return text === undefined ? [] : [{ index, text }];
  });
}

/** `messages` with `text` at the end of the user turn at `index`: after a string's text, or as a last part. */
export function withUserTextOf(
  shape: TurnShape,
  messages: readonly unknown[],
  index: number,
  text: string,
): unknown[] {
  const message = messages[index];
  if (!isObject(message)) return [...messages];
  const content = message[shape.contentKey];
  const added =
    typeof content === 'string'
      ? `${content}\n\n${text}`
      : [...(Array.isArray(content) ? content : []), shape.textPart(text)];
  const out = [...messages];
  out[index] = { ...message, [shape.contentKey]: added };
  return out;
}
