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

/** A user turn of a request and the key its block is kept under; `search` is the newest turn's text when it needs a block made. */
export interface TurnKey {
  index: number;
  key: string;
  search?: string;
}

/** A user turn's block, as it goes into the request. */
export interface TurnBlock {
  index: number;
  block: string;
}

/**
 * The user turns of `body` with the keys their blocks are kept under. The newest turn carries its text to
 * search with when it is the request's last message, that is, when the request is the first to carry it.
 * Plain data in and out, so a compression thread works it out from the body it parsed.
 */
export function turnKeysOf(
  format: WireFormat,
  body: WireObject,
  { scope, session }: { scope: string; session?: string },
): TurnKey[] {
  const messages = body[format.messagesKey];
  if (!Array.isArray(messages)) return [];
  const turns = format.userTurns(messages);
  const conversation = sha([session ?? '', scope, format.conversationOpening(body)]);
  const newest = turns.at(-1);
  return turns.map((turn) => ({
    index: turn.index,
    key: sha([conversation, turn.index, turn.text]),
    ...(turn === newest && turn.index === messages.length - 1 ? { search: turn.text } : {}),
  }));
}

/**
 * Each turn's block: the one kept for it, else for the newest turn a new one (the top memories by BM25
 * against its text), kept before it is sent. Turns without a block are left out.
 */
export async function blocksFor(
  turns: readonly TurnKey[],
  { memories, scope, topK }: Omit<InjectOptions, 'session'>,
): Promise<TurnBlock[]> {
  const blocks: TurnBlock[] = [];
  for (const turn of turns) {
    let block = await memories.store.turnBlock(turn.key);
    if (block === undefined && turn.search !== undefined) {
      block = memoryBlock(await memories.search(turn.search, { scope, limit: topK }));
      await memories.store.keepTurnBlock(turn.key, block);
      // Another proxy sharing the store may have kept the turn's block first: that one is what was sent.
      block = (await memories.store.turnBlock(turn.key)) ?? block;
    }
    if (block) blocks.push({ index: turn.index, block });
  }
  return blocks;
}

/** `body` with each block at the end of its turn, or `body` itself when there is none. */
export function withBlocks(format: WireFormat, body: WireObject, blocks: readonly TurnBlock[]): WireObject {
  const messages = body[format.messagesKey];
  if (!Array.isArray(messages) || !blocks.length) return body;
  let out: unknown[] = messages;
  for (const { index, block } of blocks) out = format.withUserText(out, index, block);
  return out === messages ? body : { ...body, [format.messagesKey]: out };
}

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
  const turns = turnKeysOf(format, body, { scope, session });
  return withBlocks(format, body, await blocksFor(turns, { memories, scope, topK }));
}
