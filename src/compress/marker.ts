// Content-addressed ids for originals and the one-line marker a compressed block ends with.
// The marker format is stable: agents, the proxy and library users parse it with MARKER_PATTERN.

import { createHash } from 'node:crypto';

/** Id of an original: `hr_` + the first 12 hex characters of its SHA-256. */
export function originalId(original: string): string {
  return originalIdOfDigest(createHash('sha256').update(original, 'utf8').digest('hex'));
}

/** The id of an original whose SHA-256 (in hex) is `sha256` (for callers that hash it their own way). */
export function originalIdOfDigest(sha256: string): string {
  return `hr_${sha256.slice(0, 12)}`;
}

/**
 * The marker line appended to a compressed block, e.g.
 * `[headroom: 940 of 1000 rows omitted; headroom_retrieve id=hr_3f9a1c2b7d10]`.
 * `summary` says what was dropped; it must not contain `]` or a newline.
 */
export function formatMarker(summary: string, id: string): string {
  const clean = summary.replace(/[\]\r\n]+/g, ' ').trim();
  return `[headroom: ${clean}; headroom_retrieve id=${id}]`;
}

/** True when `id` has the shape of an original id: `hr_` followed by 12 lower-case hex digits. */
export function isOriginalId(id: string): boolean {
  return /^hr_[0-9a-f]{12}$/.test(id);
}

/** Matches one marker; group 1 is the summary, group 2 the id. Use with the `g` flag via `new RegExp`. */
export const MARKER_PATTERN = /\[headroom: ([^\]\n]*); headroom_retrieve id=(hr_[0-9a-f]{12})\]/;

/** Every original id named by markers in `text`, in order of appearance, without repeats. */
export function markerIds(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(new RegExp(MARKER_PATTERN.source, 'g'))) ids.add(m[2]!);
  return [...ids];
}
