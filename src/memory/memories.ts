// The agents' shared memory on top of a `MemoryStore`: saving merges a memory into an earlier one with the
// same words (by content hash) or nearly the same words (by similarity), keeping who saved it, when, and how
// often it was confirmed; editing, deleting, listing, searching and importing go through here too.

import type { Memory, MemoryFilter, MemoryHit, MemoryStore } from '../store/types.js';
import { contentHash, memoryId, NEAR_DUPLICATE_SIMILARITY, similarity } from './text.js';

/** What saving did: kept a new memory, or confirmed one already kept (the same words, or nearly). */
export type SaveOutcome = 'saved' | 'duplicate' | 'near-duplicate';

export interface SaveInput {
  scope: string;
  text: string;
  agent: string | null;
}

// Candidates a near-duplicate is looked for among: the best BM25 matches share the most words.
const NEAR_CANDIDATES = 8;

export class Memories {
  constructor(
    readonly store: MemoryStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Save `text`, or confirm the memory of the scope that already says it. */
  async save({ scope, text, agent }: SaveInput): Promise<{ memory: Memory; outcome: SaveOutcome }> {
    const trimmed = text.trim();
    const hash = contentHash(trimmed);
    const exact = await this.store.byHash(scope, hash);
    if (exact) return { memory: await this.confirm(exact, agent, 1), outcome: 'duplicate' };
    const near = await this.nearDuplicate(scope, trimmed);
    if (near) return { memory: await this.confirm(near, agent, 1), outcome: 'near-duplicate' };
    const ts = this.now();
    const memory: Memory = {
      id: memoryId(scope, trimmed),
      scope,
      text: trimmed,
      hash,
      agent,
      agents: agent ? [agent] : [],
      createdTs: ts,
      updatedTs: ts,
      confirmations: 0,
    };
    // Two texts of one scope normalising alike share an id: the hash check above already caught that one.
    await this.store.insert(memory);
    return { memory, outcome: 'saved' };
  }

  /**
   * Merge a memory exported elsewhere: a duplicate adds its confirmations and agents to the one kept here,
   * a new one keeps its own provenance.
   */
  async import(memory: Memory): Promise<{ memory: Memory; outcome: SaveOutcome }> {
    const text = memory.text.trim();
    const hash = contentHash(text);
    const kept =
      (await this.store.byHash(memory.scope, hash)) ?? (await this.nearDuplicate(memory.scope, text));
    if (kept) {
      const merged = await this.confirm(kept, null, memory.confirmations + 1, memory.agents);
      return { memory: merged, outcome: kept.hash === hash ? 'duplicate' : 'near-duplicate' };
    }
    const fresh: Memory = {
      ...memory,
      text,
      hash,
      id: (await this.store.get(memory.id)) ? memoryId(memory.scope, text) : memory.id,
    };
    await this.store.insert(fresh);
    return { memory: fresh, outcome: 'saved' };
  }

  /** Change a memory's text; undefined when there is no such memory (in `scope`, when given). */
  async update(id: string, text: string, agent: string | null, scope?: string): Promise<Memory | undefined> {
    const memory = await this.get(id, scope);
    if (!memory) return undefined;
    const updated: Memory = {
      ...memory,
      text: text.trim(),
      hash: contentHash(text.trim()),
      agents: withAgents(memory.agents, agent ? [agent] : []),
      updatedTs: this.now(),
    };
    await this.store.replace(updated);
    return updated;
  }

  /** Resolves false when there is no such memory (in `scope`, when given). */
  async delete(id: string, scope?: string): Promise<boolean> {
    if (!(await this.get(id, scope))) return false;
    return this.store.delete(id);
  }

  async get(id: string, scope?: string): Promise<Memory | undefined> {
    const memory = await this.store.get(id);
    return memory && (scope === undefined || memory.scope === scope) ? memory : undefined;
  }

  list(filter?: MemoryFilter): Promise<Memory[]> {
    return this.store.list(filter);
  }

  search(query: string, filter?: MemoryFilter): Promise<MemoryHit[]> {
    return this.store.search(query, filter);
  }

  private async nearDuplicate(scope: string, text: string): Promise<Memory | undefined> {
    const candidates = await this.store.search(text, { scope, limit: NEAR_CANDIDATES });
    let best: { memory: Memory; score: number } | undefined;
    for (const candidate of candidates) {
      const score = similarity(candidate.text, text);
      if (score >= NEAR_DUPLICATE_SIMILARITY && (!best || score > best.score))
        best = { memory: candidate, score };
    }
    if (!best) return undefined;
    const { score: _score, ...memory } = best.memory as MemoryHit;
    return memory;
  }

  private async confirm(
    memory: Memory,
    agent: string | null,
    times: number,
    agents: readonly string[] = [],
  ): Promise<Memory> {
    const confirmed: Memory = {
      ...memory,
      agents: withAgents(memory.agents, [...agents, ...(agent ? [agent] : [])]),
      confirmations: memory.confirmations + times,
      updatedTs: this.now(),
    };
    await this.store.replace(confirmed);
    return confirmed;
  }
}

/** `agents` with `more` added after them, each once. */
function withAgents(agents: readonly string[], more: readonly string[]): string[] {
  return [...new Set([...agents, ...more])];
}
