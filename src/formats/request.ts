// The step from a request to the engine and back: a format's view of the tool outputs goes to the engine,
// and what it shortened is written back in place. Only those strings change; every other key keeps its
// value and its place, and unchanged parts keep their identity.

import type { CompressOptions, Engine } from '../compress/engine.js';
import { type StaleReason, stubFor, stubKey } from '../compress/history.js';
import { originalId } from '../compress/marker.js';
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
  /** Outputs that went as their history stub, and the characters the stubs took out. */
  stubs: { applied: number; savedChars: number };
}

/** Old outputs a conversation's history rewrite made stubs of, by `stubKey`. */
export type Stubs = ReadonlyMap<string, StaleReason>;

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
  stubs: { applied: 0, savedChars: 0 },
});

/**
 * Compress the tool outputs of a message list of `format`; those named in `stubs` go as their stub instead,
 * and the engine never sees them (nothing later is told "same as" an output the model no longer reads).
 * Never throws: a shape nobody expected goes out whole.
 */
export function compressMessages<M>(
  engine: Engine,
  format: WireFormat,
  messages: readonly M[],
  options: CompressOptions = {},
  extra: readonly FoundOutput[] = [],
  stubs: Stubs = new Map(),
): CompressedMessages<M> {
  try {
    const all = [...format.toolOutputs(messages), ...extra];
    const stubbed = new Map<FoundOutput, string>();
    if (stubs.size) {
      for (const output of all) {
        const reason = stubs.get(stubKey({ ...output, message: Number(output.path[0]) }));
        if (reason) stubbed.set(output, stubFor(output, reason));
      }
    }
    const found = stubbed.size ? all.filter((output) => !stubbed.has(output)) : all;
    const { texts, stats, originals } = engine.compressOutputs(found, options);
    const rewritten: Rewritten = { before: [], after: [] };
    let savedChars = 0;
    for (const [output, stub] of stubbed) {
      found.push(output);
      texts.push(stub);
      originals.push({ id: originalId(output.text), text: output.text });
      savedChars += output.text.length - stub.length;
    }
    let result: unknown = messages;
    found.forEach((output, i) => {
      const text = texts[i];
      if (text === undefined) return;
      result = replaceAt(result, output.path, output.encode ? output.encode(text) : text);
      rewritten.before.push(output.text);
      rewritten.after.push(text);
    });
    const changed = result !== messages;
    const applied = { applied: stubbed.size, savedChars };
    return {
      messages: (changed ? result : messages) as M[],
      changed,
      stats,
      originals,
      rewritten,
      stubs: applied,
    };
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
  stubs?: Stubs,
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
    stubs,
  );
  const sideCall = side?.name;
  if (!out.changed) return { body, ...nothing(), stats: out.stats, sideCall };
  return { body: withKey(body, format.messagesKey, compressed), ...out, sideCall };
}
