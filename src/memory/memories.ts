// The agents' shared memory on top of a `MemoryStore`: saving merges a memory into an earlier one with the
// same words (by content hash) or nearly the same words (by similarity), keeping who saved it, when, and how
// often it was confirmed; editing, deleting, listing, searching and importing go through here too.

import type { Memory, MemoryFilter, MemoryHit, MemoryStore } from '../store/types.js';
import { cosine, type Embedder } from './embeddings.js';
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

/** Search by meaning beside BM25, with a local embedding model. */
export interface SemanticSearch {
  embedder: Embedder;
  /** Cosine similarity a memory needs to be found without a word in common with the query. */
  minSimilarity: number;
  /** Told once when the model fails; search goes on by BM25 alone. */
  onError?: (message: string) => void;
}

// The newest memories of a scope compared by meaning: a team's few thousand, bounded for a huge import.
const SEMANTIC_POOL = 5000;
// Reciprocal rank fusion's constant: how little the first places of one ranking outweigh the other's.
const FUSION_K = 60;

export class Memories {
  constructor(
    readonly store: MemoryStore,
    private readonly now: () => number = Date.now,
    private semantic?: SemanticSearch,
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

  /**
   * Best first: BM25 over the query's words, or, with an embedding model, BM25 and cosine similarity fused
   * by reciprocal rank (a hit's score is minus its fused score, so lower is still better).
   */
  async search(query: string, filter: MemoryFilter = {}): Promise<MemoryHit[]> {
    const semantic = this.semantic;
    const limit = filter.limit ?? 10;
    if (!semantic) return this.store.search(query, { ...filter, limit });
    const lexical = await this.store.search(query, { ...filter, limit: Math.max(limit * 4, 40) });
    let nearest: Memory[];
    try {
      nearest = await this.nearest(semantic, query, filter.scope);
    } catch (error) {
      this.semantic = undefined;
      semantic.onError?.(`${(error as Error).message}; memory search goes on by BM25 alone`);
      return lexical.slice(0, limit);
    }
    const fused = new Map<string, { memory: Memory; score: number }>();
    for (const ranking of [lexical, nearest]) {
      ranking.forEach((memory, rank) => {
        const entry = fused.get(memory.id) ?? { memory, score: 0 };
        entry.score += 1 / (FUSION_K + rank + 1);
        fused.set(memory.id, entry);
      });
    }
    return [...fused.values()]
      .sort((a, b) => b.score - a.score || (a.memory.id < b.memory.id ? -1 : 1))
      .slice(0, limit)
      .map(({ memory, score }) => {
        const { score: _bm25, ...plain } = memory as MemoryHit;
        return { ...plain, score: -score };
      });
  }

  /** The scope's memories at least `minSimilarity` alike in meaning to `query`, most alike first. */
  private async nearest(semantic: SemanticSearch, query: string, scope?: string): Promise<Memory[]> {
    const { embedder, minSimilarity } = semantic;
    const pool = await this.store.list({ scope, limit: SEMANTIC_POOL });
    if (!pool.length || !query.trim()) return [];
    const hashes = [...new Set(pool.map((memory) => memory.hash))];
    const vectors = await this.store.vectors(embedder.id, hashes);
    const unseen = new Map<string, string>();
    for (const memory of pool) if (!vectors.has(memory.hash)) unseen.set(memory.hash, memory.text);
    if (unseen.size) {
      const made = await embedder.embed([...unseen.values()]);
      const fresh = new Map([...unseen.keys()].map((hash, k) => [hash, made[k]!]));
      await this.store.keepVectors(embedder.id, fresh);
      for (const [hash, vector] of fresh) vectors.set(hash, vector);
    }
    const [wanted] = await embedder.embed([query]);
    return pool
      .map((memory) => ({ memory, similarity: cosine(wanted!, vectors.get(memory.hash)!) }))
      .filter((entry) => entry.similarity >= minSimilarity)
      .sort((a, b) => b.similarity - a.similarity || (a.memory.id < b.memory.id ? -1 : 1))
      .map((entry) => entry.memory);
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
