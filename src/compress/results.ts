// What the engine reports: per tool output (what happened, tokens before and after, the original's id) and
// per request (totals, transforms used, problems), plus the originals to keep for `headroom_retrieve`.

import type { Kind, TransformName } from './types.js';

/** Why a tool output was left as it was. */
export type SkipReason =
  | 'below-threshold'
  | 'edit-tool'
  | 'excluded-tool'
  | 'file-read'
  | 'edited-file'
  | 'already-compressed'
  | 'code'
  | 'no-gain'
  | 'disabled'
  | 'budget'
  | 'too-large'
  | 'guard'
  | 'error';

/** What happened to one tool output. */
export interface BlockStats {
  /** Position among the request's tool outputs. */
  index: number;
  callId: string | undefined;
  toolName: string | undefined;
  kind: Kind | undefined;
  /** The transform that shortened it (`dedup` for a repeat of an earlier output), or undefined. */
  transform: TransformName | 'dedup' | undefined;
  tokensBefore: number;
  tokensAfter: number;
  ms: number;
  /** Id of the original in the store when content was dropped. */
  originalId: string | undefined;
  skipped: SkipReason | undefined;
  error: string | undefined;
}

/** Totals over a request. */
export interface CompressStats {
  blocks: BlockStats[];
  tokensBefore: number;
  tokensAfter: number;
  ms: number;
  /** Blocks each transform rewrote (absent transforms rewrote none). */
  transforms: Record<string, number>;
  /** What went wrong in a request otherwise handled (blocks sent whole past the budget or on error). */
  problems: string | undefined;
  /** Decision keys of the outputs the time fail-safe sent whole in this run (pass them as `sendWhole` later). */
  guarded: string[];
}

/** An original whose shortened form carries a marker; keep it so `headroom_retrieve` can return it. */
export interface Original {
  id: string;
  text: string;
}

/** The engine's answer for a list of tool outputs. */
export interface OutputsResult {
  /** The new text of each output, by position; undefined where the output stays as it was. */
  texts: (string | undefined)[];
  stats: CompressStats;
  originals: Original[];
}

/** The engine's answer for one text. */
export interface CompressTextResult {
  text: string;
  kind: Kind;
  transform: TransformName | undefined;
  tokensBefore: number;
  tokensAfter: number;
  originalId: string | undefined;
  /** Why the text came back unchanged. */
  skipped: SkipReason | undefined;
  /** The text as given. */
  original: string;
}

export const emptyStats = (): CompressStats => ({
  blocks: [],
  tokensBefore: 0,
  tokensAfter: 0,
  ms: 0,
  transforms: {},
  problems: undefined,
  guarded: [],
});

/** The limits a request ran under, for the account of what they cost it. */
export interface Limits {
  budgetBytes: number;
  maxBlockBytes: number;
  budgetMs: number;
  guarded: string[];
}

/** Request totals from its blocks. */
export function requestStats(blocks: BlockStats[], ms: number, limits: Limits): CompressStats {
  const transforms: Record<string, number> = {};
  let tokensBefore = 0;
  let tokensAfter = 0;
  for (const block of blocks) {
    tokensBefore += block.tokensBefore;
    tokensAfter += block.tokensAfter;
    if (block.transform) transforms[block.transform] = (transforms[block.transform] ?? 0) + 1;
  }
  return {
    blocks,
    tokensBefore,
    tokensAfter,
    ms,
    transforms,
    problems: problemsOf(blocks, limits),
    guarded: limits.guarded,
  };
}

function problemsOf(
  blocks: readonly BlockStats[],
  { budgetBytes, maxBlockBytes, budgetMs }: Limits,
): string | undefined {
  const problems: string[] = [];
  const overBudget = blocks.filter((b) => b.skipped === 'budget').length;
  if (overBudget)
    problems.push(`work budget of ${budgetBytes} characters spent: ${overBudget} tool output(s) sent whole`);
  const tooLarge = blocks.filter((b) => b.skipped === 'too-large').length;
  if (tooLarge) problems.push(`${tooLarge} tool output(s) over ${maxBlockBytes} characters each sent whole`);
  const guarded = blocks.filter((b) => b.skipped === 'guard').length;
  if (guarded)
    problems.push(
      `compression took over ${budgetMs} ms: ${guarded} tool output(s) sent whole, and kept so on later requests`,
    );
  for (const block of blocks) {
    if (block.skipped === 'error') {
      problems.push(`tool output ${block.index} sent whole: ${block.error ?? 'transform failed'}`);
    }
  }
  return problems.length ? problems.join('; ') : undefined;
}
