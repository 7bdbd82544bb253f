// Bodies the request is about without naming them: ranked by the query's terms they hold (signature
// included), each term weighted by how rare it is among the file's bodies, so a question about "the default
// timeout" keeps the function that sets it. A few bodies at most, and never much of the file.

import { containsTerm, type Query, termWeights } from '../query.js';

/** A body that may go: its definition's first line, and the lines that would be dropped. */
export interface Candidate {
  from: number;
  start: number;
  end: number;
}

const MAX_KEPT = 1;
/** A body must hold this many of the query's terms (or all of them, when the query has fewer). */
const MIN_TERMS = 2;
/** Bodies scoring under this share of the best one are not what the question is about. */
const MIN_SHARE_OF_BEST = 0.5;
/** The best body stays if it is under this share of the file's lines, and all kept ones together too. */
const MAX_LINE_SHARE = 0.4;

/** The candidates to keep whole because the query is about them, in no particular order. */
export function relevantBodies<T extends Candidate>(
  candidates: readonly T[],
  code: readonly string[],
  query: Query,
): Set<T> {
  const kept = new Set<T>();
  if (query.terms.length === 0 || candidates.length === 0) return kept;
  const units = candidates.map((c) => code.slice(c.from, c.end + 1).join('\n'));
  const weights = termWeights(units, query);
  if (weights.size === 0) return kept;
  const minTerms = Math.min(MIN_TERMS, query.terms.length);
  const scored = candidates
    .map((candidate, i) => {
      const unit = units[i] as string;
      const lower = unit.toLowerCase();
      let matched = 0;
      let score = 0;
      for (const [term, weight] of weights) {
        if (!containsTerm(unit, lower, term)) continue;
        matched++;
        score += weight;
      }
      return { candidate, matched, score };
    })
    .filter((s) => s.matched >= minTerms && s.score > 0)
    .sort((a, b) => b.score - a.score || a.candidate.start - b.candidate.start);
  const best = scored[0]?.score ?? 0;
  const budget = code.length * MAX_LINE_SHARE;
  let lines = 0;
  for (const { candidate, score } of scored) {
    if (kept.size >= MAX_KEPT || score < best * MIN_SHARE_OF_BEST) break;
    const size = candidate.end - candidate.start + 1;
    if (lines + size > budget) continue;
    kept.add(candidate);
    lines += size;
  }
  return kept;
}

/**
 * The candidates holding lines that earlier outputs pointed at (a diagnostic, a stack frame, a grep hit), the
 * most pointed-at first, within the same share of the file as ranked bodies; the others show those lines as hints.
 */
export function bodiesPointedAt<T extends Candidate>(
  candidates: readonly T[],
  pointed: ReadonlySet<number>,
  lineCount: number,
): Set<T> {
  const kept = new Set<T>();
  if (pointed.size === 0) return kept;
  const counted = candidates
    .map((candidate) => {
      let count = 0;
      for (const row of pointed) if (row >= candidate.start && row <= candidate.end) count++;
      return { candidate, count };
    })
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || a.candidate.start - b.candidate.start);
  let lines = 0;
  for (const { candidate } of counted) {
    const size = candidate.end - candidate.start + 1;
    if (lines + size > lineCount * MAX_LINE_SHARE) continue;
    kept.add(candidate);
    lines += size;
  }
  return kept;
}
