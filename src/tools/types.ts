// A tool the proxy offers the model and answers itself, so the call never reaches the agent:
// `headroom_retrieve` is one, the memory tools are others. Each request gets its own toolbox.

import type { ToolDefinition } from '../formats/types.js';

/** What answering one call gave: the text the model reads, and the figures stats record for a retrieval. */
export interface ToolAnswer {
  content: string;
  /** Set by `headroom_retrieve`: which original was read back and how many bytes went to the model. */
  retrieval?: { id: string; bytes: number; found: boolean };
  /** Set by the memory tools: the call was one of theirs (`memory_save`…). */
  memory?: boolean;
}

export interface AnsweredTool {
  readonly definition: ToolDefinition;
  /** Answer one call; `args` as the model sent them (parsed when they came as JSON text). Never throws. */
  answer(args: unknown): Promise<ToolAnswer>;
}

/** The tools one request offers, by name. */
export type Toolbox = ReadonlyMap<string, AnsweredTool>;

/** A toolbox of `tools`; a later tool of the same name replaces an earlier one. */
export function toolboxOf(...tools: readonly AnsweredTool[]): Toolbox {
  return new Map(tools.map((tool) => [tool.definition.name, tool]));
}
