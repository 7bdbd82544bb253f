// What headroom's own stats say about its compression: requests after which the model called
// headroom_retrieve had something hidden that it needed. Where that happens often for one transform, the
// suggestion is a headroom setting to change (switch the transform off, or compress less), never a rule for
// the agent.

import { SWITCHABLE_TRANSFORMS } from '../compress/defaults.js';
import type { RequestRow } from '../store/types.js';

export interface CompressionSuggestion {
  /** The transform whose outputs were asked back for, or undefined for compression as a whole. */
  transform: string | undefined;
  /** Agent turns the transform shortened something in, and how many of them needed a retrieval. */
  requests: number;
  retrieved: number;
  /** The setting to change and a command that changes it. */
  setting: 'disableTransforms' | 'minTokens';
  command: string;
  text: string;
}

/** Retrieving turns needed before a suggestion is made, and the share of turns they must be. */
const MIN_RETRIEVED = 3;
const MIN_SHARE = 0.25;

const share = (retrieved: number, requests: number) => `${retrieved} of ${requests} requests`;

/** Suggestions from the stats rows of agent turns, most asked-back-for transform first. */
export function compressionFeedback(rows: Iterable<RequestRow>, minTokens: number): CompressionSuggestion[] {
  const tally = new FeedbackTally();
  for (const row of rows) tally.add(row);
  return tally.suggestions(minTokens);
}

/** The feedback taken a row at a time, for rows read a page at a time from the store. */
export class FeedbackTally {
  private readonly byTransform = new Map<string, { requests: number; retrieved: number }>();
  private compressed = 0;
  private retrieved = 0;

  add(row: RequestRow): void {
    if (row.sideCall !== null || !row.transforms) return;
    const names = Object.keys(row.transforms).filter((name) => (row.transforms?.[name] ?? 0) > 0);
    if (names.length === 0) return;
    this.compressed++;
    if (row.retrievals > 0) this.retrieved++;
    for (const name of names) {
      let tally = this.byTransform.get(name);
      if (!tally) {
        tally = { requests: 0, retrieved: 0 };
        this.byTransform.set(name, tally);
      }
      tally.requests++;
      if (row.retrievals > 0) tally.retrieved++;
    }
  }

  suggestions(minTokens: number): CompressionSuggestion[] {
    const { compressed, retrieved } = this;
    const suggestions: CompressionSuggestion[] = [];
    const switchable = new Set<string>(SWITCHABLE_TRANSFORMS);
    for (const [transform, tally] of [...this.byTransform].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (
        !switchable.has(transform) ||
        tally.retrieved < MIN_RETRIEVED ||
        tally.retrieved < tally.requests * MIN_SHARE
      ) {
        continue;
      }
      suggestions.push({
        transform,
        ...tally,
        setting: 'disableTransforms',
        command: `headroom config set disableTransforms ${transform}`,
        text: `the model asked for the original after ${transform} compression in ${share(tally.retrieved, tally.requests)}: consider switching it off`,
      });
    }
    if (suggestions.length === 0 && retrieved >= MIN_RETRIEVED && retrieved >= compressed * MIN_SHARE) {
      const raised = Math.max(minTokens * 2, 500);
      suggestions.push({
        transform: undefined,
        requests: compressed,
        retrieved,
        setting: 'minTokens',
        command: `headroom config set minTokens ${raised}`,
        text: `the model asked for originals in ${share(retrieved, compressed)} that headroom compressed: consider compressing only larger outputs`,
      });
    }
    return suggestions.sort((a, b) => b.retrieved / b.requests - a.retrieved / a.requests);
  }
}
