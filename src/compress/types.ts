// Shapes shared by the engine: what a transform is, what it sees and what it returns.
// A transform is a plain object; the pipeline adds the marker, the id and the stats.

import type { Query } from './query.js';

/** What a block of tool output holds, as far as headroom can tell. */
export type Kind = 'json' | 'logs' | 'search' | 'diff' | 'html' | 'text' | 'code';

/** The names of the transforms (dedup works across blocks and lives in the pipeline). */
export type TransformName = 'json' | 'logs' | 'search' | 'diff' | 'html' | 'text';

/** What a transform knows about the block it compresses. */
export interface TransformContext {
  /** Relevance query: the user's latest message before the block and the producing call's arguments. */
  query: Query;
}

/** The kept content of a block and a short account of what was dropped (for the marker line). */
export interface Compressed {
  text: string;
  summary: string;
}

/** One way of shortening one kind of content, losslessly retrievable through the marker. */
export interface Transform {
  name: TransformName;
  /** Cheap check that the text is this transform's kind. */
  detect(text: string): boolean;
  /** The shortened text, or undefined when the text cannot be parsed or nothing can be dropped. */
  compress(text: string, ctx: TransformContext): Compressed | undefined;
}
