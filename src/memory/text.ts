// How two memories are told to be the same: the same words once normalised (case, spacing, Unicode forms,
// closing punctuation), hashed; or nearly the same words, by the overlap of their word multisets.

import { createHash } from 'node:crypto';

/** Memories at least this similar (0..1) are one memory saved twice. */
export const NEAR_DUPLICATE_SIMILARITY = 0.85;

/** The text as compared: NFKC, lower case, one space between words, no closing punctuation. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.!;,:]+$/u, '');
}

/** The content hash a memory's exact duplicates share. */
export function contentHash(text: string): string {
  return createHash('sha256').update(normalise(text)).digest('hex');
}

/** The words of a normalised text, punctuation aside. */
function words(text: string): string[] {
  return normalise(text).match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/**
 * The Sørensen–Dice coefficient of the two texts' word multisets: 1 for the same words in any order, 0 for
 * none shared. A word changed in a ten-word memory gives 0.9.
 */
export function similarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  if (left.length === 0 && right.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const word of left) counts.set(word, (counts.get(word) ?? 0) + 1);
  let shared = 0;
  for (const word of right) {
    const n = counts.get(word) ?? 0;
    if (n > 0) {
      shared += 1;
      counts.set(word, n - 1);
    }
  }
  return (2 * shared) / (left.length + right.length);
}

/** A memory's id: fixed by its scope and first text, so the same memory saved anywhere gets the same id. */
export function memoryId(scope: string, text: string): string {
  return `m_${createHash('sha256')
    .update(`${scope}\0${normalise(text)}`)
    .digest('hex')
    .slice(0, 12)}`;
}
