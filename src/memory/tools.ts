// The memory tools the proxy offers the model and answers itself: memory_save, memory_search, memory_update,
// memory_delete and memory_list, each on the memories of the request's scope, with the request's agent as
// provenance. Answers are short lines the model reads; a bad call is answered with what was wrong.

import type { ToolDefinition } from '../formats/types.js';
import { isObject } from '../formats/wire.js';
import type { Memory } from '../store/types.js';
import type { AnsweredTool } from '../tools/types.js';
import type { Memories } from './memories.js';

/** Where the tools read and write, and who is asking. */
export interface MemoryToolContext {
  memories: Memories;
  scope: string;
  agent: string | null;
}

const LIST_LIMIT = 20;
const SEARCH_LIMIT = 8;

const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
});

export const MEMORY_TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  {
    name: 'memory_save',
    description:
      'Remember a fact, decision or preference for later sessions of this project (any agent can find it). ' +
      'One self-contained sentence; saving the same thing again only confirms it.',
    inputSchema: object({ text: { type: 'string' } }, ['text']),
  },
  {
    name: 'memory_search',
    description: 'Search the memories saved for this project by words.',
    inputSchema: object({ query: { type: 'string' }, limit: { type: 'integer' } }, ['query']),
  },
  {
    name: 'memory_update',
    description: 'Replace the text of a saved memory, by its m_ id.',
    inputSchema: object({ id: { type: 'string' }, text: { type: 'string' } }, ['id', 'text']),
  },
  {
    name: 'memory_delete',
    description: 'Forget a saved memory, by its m_ id.',
    inputSchema: object({ id: { type: 'string' } }, ['id']),
  },
  {
    name: 'memory_list',
    description: 'List the newest memories saved for this project.',
    inputSchema: object({ limit: { type: 'integer' } }, []),
  },
];

/** One memory as the model reads it: id, text, and who saved it how often. */
export function memoryLine(memory: Memory): string {
  const notes = [
    memory.agents.length ? `saved by ${memory.agents.join(', ')}` : '',
    memory.confirmations ? `confirmed ${memory.confirmations}x` : '',
  ].filter(Boolean);
  return `${memory.id}: ${memory.text}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

const str = (args: Record<string, unknown>, key: string) =>
  typeof args[key] === 'string' ? (args[key] as string).trim() : '';

const limitOf = (args: Record<string, unknown>, fallback: number) =>
  typeof args.limit === 'number' && Number.isInteger(args.limit) && args.limit > 0
    ? Math.min(args.limit, 100)
    : fallback;

type Answer = (args: Record<string, unknown>, ctx: MemoryToolContext) => Promise<string>;

const ANSWERS: Record<string, Answer> = {
  async memory_save(args, { memories, scope, agent }) {
    const text = str(args, 'text');
    if (!text) return 'memory_save needs text: the thing to remember.';
    const { memory, outcome } = await memories.save({ scope, text, agent });
    if (outcome === 'saved') return `saved ${memory.id}`;
    return `already remembered as ${memory.id} (${outcome === 'duplicate' ? 'same words' : 'nearly the same words'}; confirmed ${memory.confirmations}x): ${memory.text}`;
  },
  async memory_search(args, { memories, scope }) {
    const query = str(args, 'query');
    const hits = await memories.search(query, { scope, limit: limitOf(args, SEARCH_LIMIT) });
    return hits.length ? hits.map(memoryLine).join('\n') : `no memories match "${query}"`;
  },
  async memory_update(args, { memories, scope, agent }) {
    const id = str(args, 'id');
    const text = str(args, 'text');
    if (!text) return 'memory_update needs text: the new words of the memory.';
    const updated = await memories.update(id, text, agent, scope);
    return updated ? `updated ${updated.id}: ${updated.text}` : `no memory ${id} in this project`;
  },
  async memory_delete(args, { memories, scope }) {
    const id = str(args, 'id');
    return (await memories.delete(id, scope)) ? `deleted ${id}` : `no memory ${id} in this project`;
  },
  async memory_list(args, { memories, scope }) {
    const listed = await memories.list({ scope, limit: limitOf(args, LIST_LIMIT) });
    return listed.length ? listed.map(memoryLine).join('\n') : 'no memories saved for this project yet';
  },
};

/** The memory tools for one request, answering from `ctx`'s scope. A failing store is an answer, not a throw. */
export function memoryTools(ctx: MemoryToolContext): AnsweredTool[] {
  return MEMORY_TOOL_DEFINITIONS.map((definition) => ({
    definition,
    async answer(args) {
      try {
        return { content: await ANSWERS[definition.name]!(isObject(args) ? args : {}, ctx), memory: true };
      } catch (error) {
        return { content: `headroom: the memory store failed (${(error as Error).message})`, memory: true };
      }
    },
  }));
}
