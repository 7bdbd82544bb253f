// The step from a request to the engine and back: a format's view of the tool outputs goes to the engine,
// and what it shortened is written back in place. Only those strings change; every other key keeps its
// value and its place, and unchanged parts keep their identity.

import type { CompressOptions, Engine } from '../compress/engine.js';
import { emptyStats, type Original, type OutputsResult } from '../compress/results.js';
import type { FoundOutput, WireFormat } from './types.js';
import { isObject, replaceAt, withKey } from './wire.js';

/** The tool outputs the engine rewrote, as they were and as they are now, in conversation order. */
export interface Rewritten {
  before: string[];
  after: string[];
}

/** What compressing a conversation gave: the new messages, what changed, and the originals to keep. */
export interface CompressedMessages<M = unknown> {
  messages: M[];
  changed: boolean;
  stats: OutputsResult['stats'];
  originals: Original[];
  rewritten: Rewritten;
}

/** What compressing a request body gave; `body` is the very object given when nothing changed. */
export interface CompressedBody extends Omit<CompressedMessages, 'messages'> {
  body: unknown;
  /** The agent side call the request is, when it is one (its embedded output was compressed too). */
  sideCall?: string;
}

const nothing = (): Omit<CompressedMessages, 'messages'> => ({
  changed: false,
  stats: emptyStats(),
  originals: [],
  rewritten: { before: [], after: [] },
});

/** Compress the tool outputs of a message list of `format`. Never throws: a shape nobody expected goes out whole. */
export function compressMessages<M>(
  engine: Engine,
  format: WireFormat,
  messages: readonly M[],
  options: CompressOptions = {},
  extra: readonly FoundOutput[] = [],
): CompressedMessages<M> {
  try {
    const found = [...format.toolOutputs(messages), ...extra];
    const { texts, stats, originals } = engine.compressOutputs(found, options);
    const rewritten: Rewritten = { before: [], after: [] };
    let result: unknown = messages;
    found.forEach((output, i) => {
      const text = texts[i];
      if (text === undefined) return;
      result = replaceAt(result, output.path, output.encode ? output.encode(text) : text);
      rewritten.before.push(output.text);
      rewritten.after.push(text);
    });
    const changed = result !== messages;
    return { messages: (changed ? result : messages) as M[], changed, stats, originals, rewritten };
  } catch {
    // The engine fails open per block; this guards the walk itself (nesting past the stack, say).
    return { messages: messages.slice(), ...nothing() };
  }
}

/** Compress a whole request body of `format`: only the tool outputs in its conversation change. */
export function compressRequestBody(
  engine: Engine,
  format: WireFormat,
  body: unknown,
  options: CompressOptions = {},
): CompressedBody {
  const messages = isObject(body) ? body[format.messagesKey] : undefined;
  if (!isObject(body) || !Array.isArray(messages)) return { body, ...nothing() };
  const model = options.model ?? (typeof body.model === 'string' ? body.model : undefined);
  const side = format.sideCall?.(body);
  const { messages: compressed, ...out } = compressMessages(
    engine,
    format,
    messages,
    { ...options, model },
    side?.outputs,
  );
  const sideCall = side?.name;
  if (!out.changed) return { body, ...nothing(), stats: out.stats, sideCall };
  return { body: withKey(body, format.messagesKey, compressed), ...out, sideCall };
}
