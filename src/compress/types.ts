// The engine's vocabulary: what it is given (tool outputs), what a transform is, sees and returns.
// A transform is a plain object in one file; the engine adds the marker, the id and the stats.

import type { Query } from './query.js';

/** What a block of tool output holds, as far as headroom can tell. */
export type Kind = 'json' | 'logs' | 'search' | 'diff' | 'html' | 'text' | 'code' | 'paths';

/** The name of a registered transform: json, logs, search, diff, html, text (dedup lives in the engine). */
export type TransformName = string;

/** One tool output as the engine sees it, whichever wire format carried it. */
export interface ToolOutput {
  /** The text the model would read. */
  text: string;
  /** The id tying the output to the call that produced it (`tool_use_id` / `call_id`). */
  callId: string | undefined;
  /** Name of the tool that produced it, resolved from the matching call. */
  toolName: string | undefined;
  /** The call's arguments as the model sent them (JSON text), or ''. */
  toolArgs: string;
  /** The last user-typed text before this output: the relevance query of the block. */
  userText: string;
  /**
   * What the output is for, when the caller knows better than detection: an agent's side call that only
   * needs the file paths of a command's output, say. Compressed as this kind, whatever tool produced it.
   */
  kind?: Kind;
}

/** What detection looks at: the text, and its first non-blank lines (computed once per block). */
export interface Sample {
  text: string;
  /** At most 200 non-blank lines from the first 64 000 characters, without trailing CR. */
  lines: readonly string[];
}

/** What a transform knows about the block it compresses. */
export interface TransformContext {
  /** Relevance query: the user's latest message before the block and the producing call's arguments. */
  query: Query;
  /** The tool that produced the block, when known. */
  toolName?: string;
  /** The call's arguments (JSON text), when known. */
  toolArgs?: string;
  /** The file the block came from, when the call names one (`file_path`, `cat src/a.py`). */
  pathHint?: string;
  /** Lines of that file (1-based) that earlier outputs of the conversation pointed at (pointers.ts). */
  pointed?: readonly number[];
  /** The engine's settings for transforms that load something (the Kompress model). */
  settings?: TransformSettings;
}

/** Which learned text scorer an engine uses, and how (plain data: engines on threads are given it). */
export interface KompressSettings {
  /** `off` never; `auto` when a model is configured and loads; `on` says so when it cannot be used. */
  mode: 'off' | 'auto' | 'on';
  /** A directory holding `model.onnx` and `tokenizer.json`, a `.onnx` file, or `model.onnx,tokenizer.json`. */
  model?: string;
  /** Keep this fraction of the words (the best scored) instead of those scored at or above `threshold`. */
  targetRatio?: number;
  /** Keep-probability at or above which a word stays (default 0.5). */
  threshold?: number;
}

/** What an engine hands its transforms: their settings and where to say what they could not do. */
export interface TransformSettings {
  kompress?: KompressSettings;
  /** `lazy`: the code transform's grammars load when a file first needs one (the engine's `loadPending`). */
  grammars?: 'all' | 'lazy';
  /** Says once why a transform is unavailable or was switched off (the engine collects these). */
  notice(notice: Notice): void;
}

/** Something a transform could not do: a `warn` for what was asked and failed, `debug` for what is only absent. */
export interface Notice {
  level: 'warn' | 'debug';
  message: string;
}

/** The kept content of a block and a short account of what was dropped (for the marker line). */
export interface Compressed {
  text: string;
  summary: string;
}

/** Tells a kind of content from a sample. Registered in detection order. */
export interface Detector {
  /** The kinds it recognises; the first is the one detection reports. */
  kinds: readonly Kind[];
  /** Cheap check on a sample of the block (confirm with the whole text only when the sample agrees). */
  detect(sample: Sample): boolean;
}

/** One way of shortening some kinds of content, losslessly retrievable through the marker. */
export interface Transform extends Detector {
  name: TransformName;
  /** The shortened text, or undefined when the text cannot be parsed or nothing can be dropped. */
  compress(text: string, ctx: TransformContext): Compressed | undefined;
  /** Loads what the transform needs before its first use (grammars, models); awaited by `engine.init()`. */
  init?(settings?: TransformSettings): Promise<void>;
}
