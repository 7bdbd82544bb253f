// The notes that ask a model for shorter answers, one per level, each wrapped in a tag so a request that
// already carries one is recognised and never given a second. The same level gives the same bytes, always.

import type { VerbosityLevel } from '../config.js';

/** What opens every note: how a request that carries one is recognised. */
export const NOTE_MARKER = '<headroom-verbosity';

const NOTES: Record<Exclude<VerbosityLevel, 'off'>, string> = {
  '1': 'Keep replies lean. Skip the preamble and the closing recap. Never repeat code, file contents or tool output that is already in this conversation: name the path and line instead.',
  '2': 'Be brief. No preamble, no recap, no restating of the plan. Never repeat code, file contents or tool output already in this conversation: point at the path and line. Explain only what the change itself does not make plain.',
  '3': 'Be terse. State conclusions and decisions, not the reasoning that led to them. Never repeat code, file contents or tool output already in this conversation: point at the path and line. Make the smallest edit that does the job.',
  '4': 'Conclusions only, in as few words as stay clear. No preamble, recap, narration or alternatives unless asked. Never repeat anything already in this conversation: point at the path and line. Make the smallest edits that do the job.',
};

/** The note for `level`, in its tag; undefined for `off`. */
export function verbosityNote(level: VerbosityLevel): string | undefined {
  if (level === 'off') return undefined;
  return `${NOTE_MARKER} level="${level}">${NOTES[level]}</headroom-verbosity>`;
}
