// Memories relevant to the task, added where they keep the provider's prompt cache: at the end of the newest
// turn the user typed, and only in the request that first carries that turn. The block a turn got is kept in
// the store and sent again, byte for byte, in that turn on every later request of the conversation, so the
// prefix the provider cached stays the same; a turn that got none stays without. The system prompt and the
// tools are never touched here.

import { createHash } from 'node:crypto';
import type { WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import type { Memory } from '../store/types.js';
import type { Memories } from './memories.js';

export interface InjectOptions {
  memories: Memories;
  scope: string;
  /** The session the request belongs to, when it names one: conversations are told apart within it. */
  session?: string;
  /** Most memories in a block. */
  topK: number;
}

const OPEN = '<memory source="headroom">';
const CLOSE = '</memory>';

/** The block a turn gets: the memories as lines, or '' for none. */
export function memoryBlock(found: readonly Memory[]): string {
  if (!found.length) return '';
  const lines = found.map((memory) => `- ${memory.text} (${memory.id})`);
  return [
    OPEN,
    'Saved with memory_save in earlier sessions of this project; use what is relevant to this request:',
    ...lines,
    CLOSE,
  ].join('\n');
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * `body` with each user turn's memory block in place, or `body` itself when no turn has one. The newest turn
 * gets a block of its own (the top memories by BM25 against its text) when it is the request's last message,
 * that is, when the request is the first to carry it.
 */
export async function withMemories(
  format: WireFormat,
  body: WireObject,
  { memories, scope, session, topK }: InjectOptions,
): Promise<WireObject> {
  const messages = body[format.messagesKey];
  if (!Array.isArray(messages)) return body;
  const turns = format.userTurns(messages);
  if (!turns.length) return body;
  const conversation = sha([session ?? '', scope, format.conversationOpening(body)]);
  const keyOf = (turn: { index: number; text: string }) => sha([conversation, turn.index, turn.text]);
  const newest = turns.at(-1)!;
  let out: unknown[] = messages;
  for (const turn of turns) {
    const key = keyOf(turn);
    let block = await memories.store.turnBlock(key);
    if (block === undefined && turn === newest && turn.index === messages.length - 1) {
      block = memoryBlock(await memories.search(turn.text, { scope, limit: topK }));
      await memories.store.keepTurnBlock(key, block);
      // Another proxy sharing the store may have kept the turn's block first: that one is what was sent.
      block = (await memories.store.turnBlock(key)) ?? block;
    }
    if (block) out = format.withUserText(out, turn.index, block);
  }
  return out === messages ? body : { ...body, [format.messagesKey]: out };
}
