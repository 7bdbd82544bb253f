// The two parts of the memory step that read and write the request body, split around the store lookups
// between them: the user turns and their keys, then the body with the memory tools and the turns' blocks.
// Plain data in and out, so they run on a compression thread like the rest of the body's work: memory never
// parses or writes out a body on the event loop.

import type { WireFormat } from '../formats/types.js';
import { isObject, type WireObject } from '../formats/wire.js';
import { type TurnBlock, type TurnKey, turnKeysOf, withBlocks } from '../memory/inject.js';
import { MEMORY_TOOL_DEFINITIONS } from '../memory/tools.js';
import { listsTools, withTool } from '../tools/offer.js';

/** Whose memories a request reads: the scope, and the session its conversations are told apart in. */
export interface MemoryReader {
  scope: string;
  session?: string;
}

/** The body with the memory tools and blocks, or none when it is unchanged; whether the model may call them. */
export interface MemoryRewrite {
  body?: Uint8Array;
  toolCalls: boolean;
}

function parsed(body: Uint8Array): unknown {
  return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
}

/**
 * The user turns of the request with their keys; undefined for a request that declares no tools (no agent
 * turn: a side call, a title request), which goes without memory.
 */
export function memoryTurnsOf(
  format: WireFormat,
  body: Uint8Array,
  reader: MemoryReader,
): TurnKey[] | undefined {
  return memoryTurnsIn(format, parsed(body), reader);
}

/** `memoryTurnsOf` of a request already parsed (the rewrite's own, as it will be sent). */
export function memoryTurnsIn(
  format: WireFormat,
  request: unknown,
  reader: MemoryReader,
): TurnKey[] | undefined {
  if (!isObject(request) || !listsTools(request)) return undefined;
  return turnKeysOf(format, request, reader);
}

/** The request with the memory tools added and each block at the end of its turn. */
export function withMemoryBlocks(
  format: WireFormat,
  path: string,
  body: Uint8Array,
  blocks: readonly TurnBlock[],
): MemoryRewrite {
  const request = parsed(body);
  if (!isObject(request)) return { toolCalls: false };
  let next: WireObject = request;
  for (const definition of MEMORY_TOOL_DEFINITIONS) next = withTool(format, next, definition);
  next = withBlocks(format, next, blocks);
  // A token count carries the tools and blocks to count them, but no answer comes to call a tool.
  const toolCalls = !format.isTokenCount(path) && format.toolCallsAllowed(next);
  return next === request ? { toolCalls } : { body: Buffer.from(JSON.stringify(next)), toolCalls };
}
