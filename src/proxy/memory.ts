// The memory step of a conversation request, after compression: the memory tools added to the request's
// tools (answered here, beside headroom_retrieve), and the memories relevant to the newest user turn added
// to it. It knows whose memories a request reads from its session (the project `wrap` registered, or the
// proxy's own session), else from the `x-headroom-project` header, else from the proxy's directory.

import type { IncomingMessage } from 'node:http';
import type { WireFormat } from '../formats/types.js';
import type { WireObject } from '../formats/wire.js';
import { blocksFor, type TurnKey } from '../memory/inject.js';
import type { Memories } from '../memory/memories.js';
import { type MemoryScopeMode, memoryScope } from '../memory/scope.js';
import { memoryTools } from '../memory/tools.js';
import type { SessionTag } from '../stats/recorder.js';
import { toolboxOf } from '../tools/types.js';
import type { BodyRewriter, ToolOffer } from './compression.js';
import type { MemoryReader } from './memory-body.js';

export interface MemoryContext {
  memories: Memories;
  scopeMode: MemoryScopeMode;
  topK: number;
  /** The project of a request that names none (no session project, no header): the proxy's directory. */
  defaultProject: string;
}

/** The header a client sends to name its project to a shared proxy (an absolute directory). */
export const PROJECT_HEADER = 'x-headroom-project';

/** The project directory a request's memories belong to. */
export function projectOf(req: IncomingMessage, session: SessionTag | undefined, fallback: string): string {
  const header = req.headers[PROJECT_HEADER];
  const named = typeof header === 'string' && header.trim() ? header.trim() : undefined;
  return session?.project ?? named ?? fallback;
}

/** Whose memories a request reads: the scope of its project, in its session. */
export function memoryReaderOf(
  req: IncomingMessage,
  session: SessionTag | undefined,
  ctx: MemoryContext,
): MemoryReader {
  return {
    scope: memoryScope(ctx.scopeMode, projectOf(req, session, ctx.defaultProject)),
    session: session?.id,
  };
}

/** Who saved a memory: the session's agent, else the client's name as its User-Agent gives it. */
export function agentOf(req: IncomingMessage, session: SessionTag | undefined): string | null {
  if (session?.agent) return session.agent;
  const product = /^[\w.-]+/.exec(req.headers['user-agent'] ?? '')?.[0];
  return product ?? null;
}

export interface MemoryRequest {
  format: WireFormat;
  path: string;
  body: Buffer;
  /** The offer compression made (headroom_retrieve), which the memory tools join. */
  offer?: ToolOffer;
  project: string;
  agent: string | null;
  session?: SessionTag;
  /**
   * The user turns' keys, when the compression step read them from the body as it rewrote it (null: no agent
   * turn); absent, a thread reads them.
   */
  turns?: TurnKey[] | null;
}

/**
 * The request with the memory tools and its turns' memory blocks, and the offer that answers them. A request
 * that declares no tools (no agent turn: a side call, a title request) goes as it came. The body is read and
 * written by `bodies` (the compression threads), the blocks looked up and kept here between the two.
 */
export async function withMemory(
  { format, path, body, offer, project, agent, session, turns: read }: MemoryRequest,
  ctx: MemoryContext,
  bodies: BodyRewriter,
): Promise<{ body: Buffer; offer?: ToolOffer }> {
  const scope = memoryScope(ctx.scopeMode, project);
  const turns =
    read === undefined ? await bodies.memoryTurns(format, body, { scope, session: session?.id }) : read;
  // Only an agent's turn with tools (requests without: titles, summaries, quota checks) gets memory.
  if (!turns) return { body, offer };
  const blocks =
    ctx.topK > 0 ? await blocksFor(turns, { memories: ctx.memories, scope, topK: ctx.topK }) : [];
  const rewrite = await bodies.withMemory(format, path, body, blocks);
  if (!rewrite.body) return { body, offer };
  const sent = Buffer.from(rewrite.body.buffer, rewrite.body.byteOffset, rewrite.body.length);
  if (!rewrite.toolCalls) return { body: sent, offer };
  const tools = memoryTools({ memories: ctx.memories, scope, agent });
  let forwarded: WireObject | undefined;
  return {
    body: sent,
    offer: {
      format,
      // Read only when a continuation round needs it.
      body: () => (forwarded ??= JSON.parse(sent.toString('utf8')) as WireObject),
      tools: toolboxOf(...(offer?.tools.values() ?? []), ...tools),
    },
  };
}
