// The one shape every agent's session log is read into: tool calls in the order the agent made them, each
// with what it did and how it ended. The miner and the rule builder see only this, never an agent's format.

/** What a call did, as far as rules care: ran a command, read, edited or searched files, or something else. */
export type CallAction = 'command' | 'read' | 'edit' | 'search' | 'other';

/** One tool call and its result, from one session of one agent. */
export interface ToolCall {
  agent: string;
  /** The session the call belongs to (a sub-agent's calls form their own session). */
  session: string;
  /** The directory the agent worked in, when the log says. */
  project: string | undefined;
  tool: string;
  action: CallAction;
  /** The command line, the path or the pattern the call was about ('' when the call has none). */
  target: string;
  /** Numbers the call was given beside its target (a read's limit, an output cap), to tell a re-fetch. */
  limits: number[];
  ok: boolean;
  exitCode: number | undefined;
  /** The result's text, cut to its first few hundred characters: enough to classify a failure. */
  text: string;
  /** The result's full size, for what the call cost. */
  outputChars: number;
  /** The model's own tokens for the call (its arguments), estimated as characters / 4. */
  inputChars: number;
  /** The user stopped the call or refused it. */
  interrupted: boolean;
}

/** A line of a log that could not be read, reported once per line and skipped. */
export interface LogWarning {
  file: string;
  line: number;
  reason: string;
}

export type WarningSink = (warning: LogWarning) => void;

/** Characters of a result kept to classify it. */
export const KEPT_TEXT = 600;

/** A result cut to what classification needs. */
export const keptText = (text: string) => (text.length > KEPT_TEXT ? text.slice(0, KEPT_TEXT) : text);
