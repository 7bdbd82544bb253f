// Memories as JSON Lines, one memory per line with its provenance: what `headroom memory export` writes and
// `headroom memory import` reads back (merging into the memories already kept, duplicates confirmed).

import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Memory } from '../store/types.js';
import type { Memories, SaveOutcome } from './memories.js';
import { contentHash } from './text.js';

const MemoryLine = z.object({
  id: z.string().regex(/^m_[0-9a-f]{12}$/),
  scope: z.string().regex(/^(user|project:.+)$/),
  text: z.string().trim().min(1),
  agent: z.string().nullable().default(null),
  agents: z.array(z.string()).default([]),
  createdTs: z.number().int().nonnegative(),
  updatedTs: z.number().int().nonnegative(),
  confirmations: z.number().int().nonnegative().default(0),
});

/** One line per memory, oldest first, so an import replays them in the order they were saved. */
export function toJsonl(memories: readonly Memory[]): string {
  return [...memories]
    .sort((a, b) => a.createdTs - b.createdTs || a.id.localeCompare(b.id))
    .map(({ hash: _hash, ...memory }) => `${JSON.stringify(memory)}\n`)
    .join('');
}

/** The memories of a JSONL text; a UsageError naming the first line that is not one. */
export function fromJsonl(text: string, source: string): Memory[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new UsageError(
        `${source}:${i + 1} is not JSON (one memory per line, as \`headroom memory export\` writes)`,
      );
    }
    const memory = MemoryLine.safeParse(parsed);
    if (!memory.success) {
      const issue = memory.error.issues[0];
      throw new UsageError(
        `${source}:${i + 1}: ${issue?.path.join('.') || 'line'} ${issue?.message ?? 'is not a memory'}`,
      );
    }
    return [{ ...memory.data, hash: contentHash(memory.data.text) }];
  });
}

/** Merge `memories` in; how many were new and how many merged into one already kept. */
export async function importMemories(
  into: Memories,
  memories: readonly Memory[],
): Promise<Record<SaveOutcome, number>> {
  const counts: Record<SaveOutcome, number> = { saved: 0, duplicate: 0, 'near-duplicate': 0 };
  for (const memory of memories) counts[(await into.import(memory)).outcome] += 1;
  return counts;
}
